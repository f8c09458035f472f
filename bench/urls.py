"""The shop's URLs plus a trivial Django view: the baseline every scenario is compared with.

The baseline goes through the same middleware stack (sessions, CSRF, CSP, htmx, axes...) but
touches neither the database nor a template, so a scenario's ratio to it is what the shop's own
code costs on top of Django and gunicorn.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from config.urls import urlpatterns as shop_urlpatterns


@require_safe
def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


# The shop's patterns themselves, not include()d: its pages are in i18n_patterns (/de/…), which Django
# allows only in the root URLconf.
urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    *shop_urlpatterns,
]
