"""Error answers that must not fail in turn, and the one for a database that cannot be reached.

While the database is down, full or locked past its timeout, every request would fail somewhere: in
the view, while loading the session, or while saving it after the view (which Django reports as a
malformed request, 400). Whatever the place, the error reaches Django's 400 or 500 handler with the
database error in its chain, and the shopper gets a 503 with Retry-After that says nothing was lost:
a page of its own that touches neither the database nor the session, or for htmx a message the page
shows in place (#service-status, in every page's header).

An outage of Redis costs no answer at all (every cache call is a miss); it is logged once a minute
per process, by the filter at the end (OncePerInterval, in settings.LOGGING).
"""

import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
# What a database that is down, restarting, full or locked raises. SQLite also reports a schema that
# does not match the code as an OperationalError: that is a missing migration, not an outage (500).
UNAVAILABLE = (OperationalError, InterfaceError)
SCHEMA_PROBLEMS = ("no such table", "no such column", "has no column named")


def _is_outage(error: BaseException) -> bool:
    return isinstance(error, UNAVAILABLE) and not any(problem in str(error) for problem in SCHEMA_PROBLEMS)


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from or while handling, says the database is unavailable."""
    seen = set()
    while error is not None and id(error) not in seen:
        if _is_outage(error):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def unavailable(request: HttpRequest) -> HttpResponse:
    context = {"STORE_NAME": settings.STORE_NAME, "retry_after": RETRY_AFTER_SECONDS}
    if request.headers.get("HX-Request") == "true":
        body = render_to_string("storefront/_service_status.html", {**context, "unavailable": True})
        response = HttpResponse(body, status=503)
        response["HX-Retarget"] = "#service-status"
        response["HX-Reswap"] = "outerHTML"
    else:
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if database_unavailable(exception):  # the session could not be saved: not the shopper's fault
        return unavailable(request)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so the exception is still at hand.
    if database_unavailable(sys.exc_info()[1]):
        return unavailable(request)
    return defaults.server_error(request)


class OncePerInterval(logging.Filter):
    """One record of each kind (its logger and message) per interval, the rest held back and counted:
    the next one let through says how many. For what fails on every call while a service is down:
    django-redis logs every cache call Redis failed, with a traceback (thousands in a 15 s outage).
    Per process, as logging is: each web worker says it once per interval."""

    def __init__(self, seconds: float = 60, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.seconds = seconds
        self.clock = clock
        self._quiet_until: dict[tuple[str, object], float] = {}
        self._held: Counter[tuple[str, object]] = Counter()
        self._lock = threading.Lock()  # gunicorn's threaded workers log from several threads

    def filter(self, record: logging.LogRecord) -> bool:
        kind = (record.name, record.msg)
        now = self.clock()
        with self._lock:
            if now < self._quiet_until.get(kind, now):
                self._held[kind] += 1
                return False
            self._quiet_until[kind] = now + self.seconds
            held = self._held.pop(kind, 0)
        if held:
            record.msg, record.args = f"{record.getMessage()} ({held} more since the last one, not logged)", ()
        return True
