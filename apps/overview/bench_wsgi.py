"""The site plus the benchmark's bare views, for gunicorn in the benchmark's throughput run."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zonetracker.settings")
application = get_wsgi_application()
# Read on every request by the handler, so set before the first one arrives.
settings.ROOT_URLCONF = "apps.overview.bench_urls"
