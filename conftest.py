import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir

# --- Hypothesis ------------------------------------------------------------------------------------
# Two profiles (docs/testing.md, "Hypothesis profiles"): "light", the default and `make unit`'s, runs a fifth of
# the examples of "full", which `make test` runs in both of its unit legs. HYPOTHESIS_PROFILE=full or
# --hypothesis-profile=full picks the full one for any pytest command.

# Hypothesis caches Unicode tables and source constants under ./.hypothesis; keep the tree clean.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "storefront-hypothesis")
settings.register_profile(
    "full",
    max_examples=100,  # Hypothesis's own; a test with its own count scales it by the profile's (examples())
    derandomize=True,  # the same examples on every run: CI is reproducible
    database=None,  # no example database written into the tree
    deadline=None,
    print_blob=True,
    # No "explain" phase: tracing which lines only failing cases ran triples the time of a failing run.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("light", settings.get_profile("full"), max_examples=20)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "light")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Tests never write into the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_collected_static(settings):
    """Unit tests never serve collected files; without this, whitenoise would scan staticfiles/
    (left by `make serve` or `make bench`) for every test client."""
    settings.STATIC_ROOT = None


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A German request leaves German active in the test's thread (LocaleMiddleware activates, nothing
    deactivates): every test starts and ends in the default language, so reverse() means English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached pages never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def run_jobs(monkeypatch):
    """Run every job that is due in the queue, the way the worker does (`manage.py db_worker --batch`),
    and return every job the queue holds afterwards, oldest first."""
    import signal

    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # Between jobs the worker closes connections that are not in autocommit mode, as a request would;
    # inside a test's transaction that would end the test's transaction (on PostgreSQL) too.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> list[DBTaskResult]:
        handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", batch=True, reload=False, startup_delay=False, queue_name="*", verbosity=0)
        finally:  # the worker installs its own shutdown handlers; the test run keeps its own
            for number, handler in handlers.items():
                signal.signal(number, handler)
        return list(DBTaskResult.objects.order_by("enqueued_at", "id"))

    return run
