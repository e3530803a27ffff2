"""WSGI entry point (gunicorn lendpilot.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lendpilot.settings")
application = get_wsgi_application()
