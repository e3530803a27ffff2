"""WSGI entry point (scripts/web.sh serves it with granian)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lendpilot.settings")
application = get_wsgi_application()
