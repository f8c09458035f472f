"""The shop's own settings plus one bench-only URL (/bench/baseline/) and bench-only file locations.

Everything that shapes a request (middleware, templates, sessions, database options) comes from
config.settings unchanged; only the URLconf and where collected static files go differ.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"
# collectstatic writes here rather than into the project's staticfiles/.
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "") or Path(__file__).resolve().parent / "results" / "static")
