"""``python manage.py prepare_detection``: build (or load) the local detection model now.

The model is trained from the data shipped in the repo and cached on disk; running this at
install time (``make run`` does) means the first customer message is not delayed by it.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand

from requests_app.detection import load_or_train


class Command(BaseCommand):
    help = "Trains the local request-detection model from the shipped data, or loads its cache."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        classifier = load_or_train()
        source = "loaded from cache" if classifier.loaded_from_cache else "trained"
        self.stdout.write(f"detection model {source} in {time.monotonic() - started:.1f} s")
