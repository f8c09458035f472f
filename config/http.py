"""The request the shop's views see: Django's HttpRequest with django-htmx's `request.htmx`.

HtmxMiddleware sets `htmx` on every request; a view that reads it is typed `request: HtmxHttpRequest`
(the django-htmx documentation's pattern), so mypy knows the attribute and its type."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request a view sees behind `login_required`: `request.user` is a signed-in User."""

    user: User
