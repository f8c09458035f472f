from typing import Any

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.generic import RedirectView
from django.views.static import serve

from config import fragments

# Uploaded files run nothing, whatever is in them (an SVG's script, say): no scripts, no requests, no
# same-origin access (sandbox: True, a directive without a value). docs/deploy.md's proxy configuration
# sends the same header.
MEDIA_CSP: dict[str, Any] = {"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE], "sandbox": True}


@csp_override(MEDIA_CSP)
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded and demo product images, served by Django only where SERVE_MEDIA is on, under their
    own Content Security Policy (MEDIA_CSP; X-Content-Type-Options: nosniff comes with every answer).

    A production deployment serves MEDIA_ROOT from its web server or object storage.
    """
    if not settings.SERVE_MEDIA:
        raise Http404("Media files are not served by this process.")
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


handler400 = "config.errors.bad_request"
handler500 = "config.errors.server_error"

# Outside the language prefix: staff pages, files, the language switch (set_language) and the
# DEBUG-only fragment catalogue.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", media, name="media"),
    # The fragment catalogue answers 404 unless DEBUG is on (config/fragments.py).
    path("_fragments/", fragments.fragment_catalogue, name="fragment_catalogue"),
    path("_fragments/<path:template>", fragments.fragment_sample, name="fragment_sample"),
]
# The shop itself: English at /products/…, German at /de/products/… (docs/i18n.md).
urlpatterns += i18n_patterns(
    path("", RedirectView.as_view(pattern_name="storefront:product_list", permanent=False), name="home"),
    path("products/", include("storefront.urls")),
    path("cart/", include("cart.urls")),
    path("", include("orders.urls")),
    path("accounts/", include("accounts.urls")),
    prefix_default_language=False,
)
