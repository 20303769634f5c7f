"""ASGI entry point. Bolt's Django adapter is synchronous, so the app runs as sync views."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thena.settings")

application = get_asgi_application()
