"""A Redis outage is logged once a minute per process, not once per cache call: django-redis logs
every call that Redis failed, with its traceback, and the settings put config.errors.OncePerInterval
on its logger. Redis is "down" here as it is to a shop whose Redis stopped: nothing listens on the
port its REDIS_URL names. (The outage itself, for real: test_scale_out.py.)"""

import logging
import re
import socket

import pytest

from storefront.tests.factories import make_product

from ..errors import OncePerInterval

pytestmark = pytest.mark.django_db

REDIS_LOGGER = "django_redis.cache"  # django-redis's own (DJANGO_REDIS_LOGGER is not set)


@pytest.fixture
def redis_down(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # As settings.py has them with a REDIS_URL, the catalog's version in Redis too.
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    settings.CATALOG_VERSION_FILE = None


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The filters the settings put on django-redis's logger, afresh and on a clock the test moves."""
    now = [1000.0]
    logger = logging.getLogger(REDIS_LOGGER)
    fresh = [
        OncePerInterval(f.seconds, clock=lambda: now[0]) if isinstance(f, OncePerInterval) else f
        for f in logger.filters
    ]
    monkeypatch.setattr(logger, "filters", fresh)
    return now


def logged(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == REDIS_LOGGER]


def test_a_redis_outage_is_logged_once_a_minute_not_once_per_cache_call(client, redis_down, clock, caplog):
    make_product()
    for _ in range(10):
        assert client.get("/products/").status_code == 200  # every cache call a miss, every page served
    [record] = logged(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info, "the one line logged has its traceback"

    caplog.clear()
    clock[0] += 59
    assert client.get("/products/").status_code == 200
    assert logged(caplog) == []

    clock[0] += 1  # a new minute: the outage is logged again, with the calls held back meanwhile
    assert client.get("/products/").status_code == 200
    [record] = logged(caplog)
    assert record.exc_info
    held = int(re.search(r"\((\d+) more since the last one, not logged\)", record.getMessage())[1])
    assert held >= 11 - 1  # at least one cache call for each page but the one logged


def test_each_kind_of_record_has_its_own_interval():
    now = [0.0]
    once = OncePerInterval(60, clock=lambda: now[0])

    def record(name: str, message: str) -> logging.LogRecord:
        return logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, None)

    assert once.filter(record("django_redis.cache", "Exception ignored"))
    assert once.filter(record("django_redis.cache", "Something else"))
    assert once.filter(record("another.logger", "Exception ignored"))
    assert not once.filter(record("django_redis.cache", "Exception ignored"))
