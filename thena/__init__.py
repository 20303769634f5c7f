"""Project package: settings, root URLs, the Celery app and the WSGI/ASGI entry points."""

from thena.celery import app as celery_app

__all__ = ["celery_app"]
