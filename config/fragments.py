"""The fragment catalogue at /_fragments/ (DEBUG only): every template in partials/, rendered with
sample data from the demo catalog, with its swap target, the context it needs and who returns it.

Found by convention, with no list to keep here: the template `partials/<app>/_<name>.html` has its
sample in `<app>/fragments.py`, a function `<name>(request)` that returns the sample context, marked
with `@sample(target=…, needs=…, returned_by=…)`. Adding a fragment is the template plus its sample
function beside the app's other code. The contract tests (config/tests/test_fragment_contract.py)
hold every template in partials/ to this, so a fragment without a sample fails the suite.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

PARTIALS = Path(settings.BASE_DIR) / "partials"

SampleContext = Callable[[HttpRequest], dict[str, object]]


class SampleFunction(Protocol):
    fragment_target: str
    fragment_needs: str
    fragment_returned_by: str

    def __call__(self, request: HttpRequest) -> dict[str, object]: ...


def sample(*, target: str, needs: str, returned_by: str) -> Callable[[SampleContext], SampleFunction]:
    """Marks a function of `<app>/fragments.py` as the sample of `partials/<app>/_<its name>.html`:
    `target` is the id of its root element (the swap target), `needs` the context it reads,
    `returned_by` the views (and ways) that answer with it."""

    def mark(function: SampleContext) -> SampleFunction:
        marked = cast(SampleFunction, function)
        marked.fragment_target = target
        marked.fragment_needs = needs
        marked.fragment_returned_by = returned_by
        return marked

    return mark


@dataclass(frozen=True)
class Fragment:
    template: str  # relative to partials/, as templates include it
    sample: SampleFunction | None  # None: the convention is not followed (the contract tests say so)

    @property
    def target(self) -> str:
        return self.sample.fragment_target if self.sample else ""

    @property
    def context(self) -> str:
        return self.sample.fragment_needs if self.sample else ""

    @property
    def returned_by(self) -> str:
        return self.sample.fragment_returned_by if self.sample else ""


def _sample_for(template: str) -> SampleFunction | None:
    app, _, file_name = template.partition("/")
    if "/" in file_name or not file_name.startswith("_"):
        return None
    try:
        module = importlib.import_module(f"{app}.fragments")
    except ModuleNotFoundError:
        return None
    function = getattr(module, file_name.removeprefix("_").removesuffix(".html"), None)
    return function if callable(function) and hasattr(function, "fragment_target") else None


def fragments() -> list[Fragment]:
    """Every template in partials/, with its sample when it has one."""
    templates = sorted(str(path.relative_to(PARTIALS)) for path in PARTIALS.rglob("*.html"))
    return [Fragment(template, _sample_for(template)) for template in templates]


def _find(template: str) -> Fragment:
    for fragment in fragments():
        if fragment.template == template and fragment.sample is not None:
            return fragment
    raise Http404("No such fragment.")


def _debug_only() -> None:
    if not settings.DEBUG:
        raise Http404("The fragment catalogue exists only with DEBUG on.")


@require_safe
def fragment_catalogue(request: HttpRequest) -> HttpResponse:
    _debug_only()
    return render(request, "fragments/catalogue.html", {"fragments": fragments()})


# Each sample is rendered alone in an iframe of the catalogue, so its ids never clash with the page's.
@require_safe
@xframe_options_sameorigin
@csp_override({**settings.SECURE_CSP, "frame-ancestors": ["'self'"]})
def fragment_sample(request: HttpRequest, template: str) -> HttpResponse:
    _debug_only()
    fragment = _find(template)
    assert fragment.sample is not None  # _find returns only fragments with a sample
    html = render_to_string(fragment.template, fragment.sample(request), request=request)
    return render(request, "fragments/sample.html", {"fragment": fragment, "html": html})
