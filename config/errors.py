"""Error answers that must not fail in turn, and the one for a database that cannot be reached.

While the database is down, full or locked past its timeout, every request would fail somewhere: in
the view, while loading the session, or while saving it after the view (which Django reports as a
malformed request, 400). Whatever the place, the error reaches Django's 400 or 500 handler with the
database error in its chain, and the shopper gets a 503 with Retry-After that says nothing was lost:
a page of its own that touches neither the database nor the session, or for htmx a message the page
shows in place (#service-status, in every page's header).
"""

import logging
import sys

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
