"""The one place that decides between a full page and an htmx fragment.

A view passes both templates: the page (which ``{% include %}``s the fragment) and the
fragment itself. The fragment is returned only for an htmx request that is neither
boosted nor a history restore; everything else, including a URL that htmx pushed into
the history and that is later loaded directly, gets the whole page.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

# Every request header the decision below reads; caches must key on all of them.
FRAGMENT_VARY_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")


def wants_fragment(request: HttpRequest) -> bool:
    htmx: HtmxDetails | None = getattr(request, "htmx", None)  # absent if middleware before HtmxMiddleware refused it
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def render_page_or_fragment(
    request: HttpRequest,
    page_template: str,
    fragment_template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    out_of_band: Sequence[str] = (),
) -> HttpResponse:
    """The page, or the fragment; with the fragment, the `out_of_band` fragments too (pieces of the
    page outside it that show the same state, rendered from the same context with `oob`)."""
    if not wants_fragment(request):
        response = render(request, page_template, dict(context), status=status)
    else:
        return render_fragment(request, fragment_template, context, status=status, out_of_band=out_of_band)
    patch_vary_headers(response, FRAGMENT_VARY_HEADERS)
    return response


def render_fragment(
    request: HttpRequest,
    fragment_template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    out_of_band: Sequence[str] = (),
) -> HttpResponse:
    """Only the fragment (and its out-of-band companions), for a resource that exists for htmx alone
    (its view sends a browser without JavaScript elsewhere)."""
    parts = [render_to_string(fragment_template, dict(context), request=request)]
    parts += [render_to_string(name, {**context, "oob": True}, request=request) for name in out_of_band]
    response = HttpResponse("".join(parts), status=status)
    patch_vary_headers(response, FRAGMENT_VARY_HEADERS)
    return response


def redirect_after_post(request: HttpRequest, url: str) -> HttpResponse:
    """Move the browser to another page after a POST: HX-Redirect for htmx (a full page load of `url`),
    303 See Other otherwise."""
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url, status=303)
