"""The one place that decides between a full page and an htmx fragment.

A view passes both templates: the page (which ``{% include %}``s the fragment) and the
fragment itself. The fragment is returned only for an htmx request that is neither
boosted nor a history restore; everything else, including a URL that htmx pushed into
the history and that is later loaded directly, gets the whole page.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
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
        parts = [render_to_string(fragment_template, dict(context), request=request)]
        parts += [render_to_string(name, {**context, "oob": True}, request=request) for name in out_of_band]
        response = HttpResponse("".join(parts), status=status)
    patch_vary_headers(response, FRAGMENT_VARY_HEADERS)
    return response
