"""WSGI entry for load benchmarks: the site plus the bare baseline view (bench/urls_bench.py)."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

settings.ROOT_URLCONF = "bench.urls_bench"
settings.ALLOWED_HOSTS = ["*"]
application = get_wsgi_application()
