"""gunicorn bench.wsgi: the shop's WSGI application with the bench settings (bench/settings.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

application = get_wsgi_application()
