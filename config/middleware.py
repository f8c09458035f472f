"""Rules every response follows, whatever view answered it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.middleware import locale
from django.template.loader import render_to_string
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from config.languages import path_in_language


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than the shop ever needs, before any of it is read: 413.

    Forms are small (DATA_UPLOAD_MAX_MEMORY_SIZE); only staff upload files, in the admin, up to
    MAX_UPLOAD_SIZE. A body without a Content-Length (chunked) is read by Django as empty."""

    ADMIN = "/admin/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads a malformed length as no body at all
        uploads = request.path.startswith(self.ADMIN) and request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.MAX_UPLOAD_SIZE if uploads else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            context = {"STORE_NAME": settings.STORE_NAME, "limit_mb": limit / 1_000_000}
            return HttpResponse(render_to_string("413.html", context), status=413)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """A page rendered from a session that holds something — a sign-in (the header names the
    shopper), a cart (the header counts it, the cards say "2 in cart"), orders — shows that visitor's
    state: no cache may keep it, neither a shared one nor the browser's, which would show it again,
    out of date, on Back (`Cache-Control: private, no-store`).

    A visitor without a session sees an empty cart and nobody's name: such pages stay cacheable.
    They vary on the cookie (Django says so whenever the session is read), so once a cart exists
    the browser does not take them for the shopper's pages. What the back/forward cache keeps in
    memory, static/js/storefront.js brings up to date when the page is shown again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            add_never_cache_headers(response)
        return response


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, plus the first visit: /de/… is German and an address without a prefix is English
    (i18n_patterns with prefix_default_language=False), but a browser that asks for German
    (Accept-Language) on an English address of the shop is sent to the German page once, with its
    query string. A language cookie (the footer's switcher, django.views.i18n.set_language) wins over
    Accept-Language, so a shopper who chose English stays English. Only plain GETs are redirected:
    never a form sent, never an htmx request (whose URLs the page already rendered in its language)."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:  # type: ignore[override]  # Django's returns None; a middleware may answer instead (the redirect)
        super().process_request(request)
        if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
            return None
        if translation.get_language_from_path(request.path_info):
            return None
        wanted = translation.get_language_from_request(request, check_path=False)
        if wanted == settings.LANGUAGE_CODE or wanted not in dict(settings.LANGUAGES):
            return None
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        with translation.override(wanted):
            localized = path_in_language(request.path_info, wanted)
            if not is_valid_path(localized, urlconf):
                return None  # outside the shop's pages (admin, media): one language only
        query = request.META.get("QUERY_STRING", "")
        url = get_script_prefix() + localized.removeprefix("/") + (f"?{query}" if query else "")
        response = HttpResponseRedirect(url)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        if not translation.get_language_from_path(request.path_info):
            # An English address answers a browser whose language cookie says German with a redirect.
            patch_vary_headers(response, ("Cookie",))
        return response
