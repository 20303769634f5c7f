"""Settings for the test suite: the real settings with a test secret and quiet logging.

Tasks run eagerly by default so a test sees the work its request queued; the end-to-end
tests (marked ``e2e``) start a real worker on the configured broker instead.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5")

from thena.settings import *  # noqa: F403

LOGGING["root"]["level"] = "WARNING"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MIDDLEWARE = [name for name in MIDDLEWARE if "whitenoise" not in name]  # noqa: F405
