"""The end-to-end harness: Playwright drives Chromium through Django's live server.

Every test that asks for `page` runs twice, with JavaScript on ("js") and off ("nojs"),
against a freshly flushed database (live_server implies transactional_db).
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import escape as html_escape
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.base import ContentFile
from django.utils.text import slugify
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, Route
from playwright.sync_api import Error as PlaywrightError

from storefront.models import Category, Product
from storefront.tests.factories import make_category, make_product

# Playwright's sync API keeps an event loop running in the test thread, so Django would
# refuse the ORM calls the tests make themselves (factories). Set here, not in settings,
# so that only a run that collects e2e/ relaxes the check.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).parent / "artifacts"

# Debian's Chromium in containers and CI: no sandbox, no GPU, nothing phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright 0.10 defines its base_url fixture in a way pytest 9 warns about;
    # not ours to fix, and it would bury our own warnings.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    )
    # Evidence from an earlier run would only mislead.
    shutil.rmtree(ARTIFACTS, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


# --- Browser and context ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Use the Chromium named by E2E_CHROMIUM; without it, Playwright's own browser."""
    executable = os.environ.get("E2E_CHROMIUM", "").strip()
    if not executable:
        return browser_type_launch_args
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def javascript(request: pytest.FixtureRequest) -> bool:
    """Every journey runs with JavaScript on and off: the shop must work both ways."""
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict, live_server, javascript: bool) -> dict:
    return {**browser_context_args, "base_url": live_server.url, "java_script_enabled": javascript}


@pytest.fixture(autouse=True)
def _serve_media(settings) -> None:
    """Product images come from MEDIA_ROOT (a tmp_path, see the root conftest)."""
    settings.SERVE_MEDIA = True


@dataclass
class PageProblems:
    """What went wrong underneath a journey even when every assertion held."""

    server_errors: list[str]
    script_errors: list[str]
    policy_violations: list[str]

    def __bool__(self) -> bool:
        return bool(self.server_errors or self.script_errors or self.policy_violations)


@pytest.fixture
def page(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The plugin's page, watched for 5xx answers, script errors and Content-Security-Policy
    violations (DESIGN.md: nothing answers 500, CSP-clean by construction); a screenshot and
    the HTML are kept in e2e/artifacts/ when anything fails."""
    problems = PageProblems(server_errors=[], script_errors=[], policy_violations=[])

    def on_response(response: Response) -> None:
        if response.status >= 500:
            problems.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.policy_violations.append(message.text)

    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.script_errors.append(str(error)))
    page.on("console", on_console)
    yield page

    reports = request.node.stash.get(_REPORTS, {})
    failed = any(report.failed for report in reports.values())
    if failed or problems:
        _save_artifacts(page, request.node.nodeid)
    assert not problems, f"The shop misbehaved under the journey: {problems}"


def _save_artifacts(page: Page, nodeid: str) -> None:
    """A screenshot and the HTML of the page as the test left it; best effort, never an error."""
    if page.is_closed():
        return
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", nodeid).strip("_")
    try:
        page.screenshot(path=ARTIFACTS / f"{stem}.png", full_page=True)
        html = page.content()
    except PlaywrightError as error:  # for example, the page was still navigating
        html = f"<!-- could not capture the page: {error} -->"
    (ARTIFACTS / f"{stem}.html").write_text(f"<!-- {page.url} -->\n{html}", encoding="utf-8")


# --- Accessibility ------------------------------------------------------------------------

_AXE = Axe()

SETTLED = """() =>
    !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
    && document.getAnimations().every((animation) => animation.playState !== "running")"""


@pytest.fixture(scope="session")
def _axe_page(browser: Browser) -> Iterator[Page]:
    """A JavaScript-enabled page for auditing what a no-JavaScript page shows.

    axe-core cannot run in a context with JavaScript disabled: page.evaluate still works
    there, but the promise of axe.run() never settles. So a no-JS page's DOM is copied into
    this page; the page's own scripts are blocked, so what axe audits is exactly what the
    shopper without JavaScript got.
    """
    context = browser.new_context()

    def block_scripts(route: Route) -> None:
        if route.request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    context.route("**/*", block_scripts)
    mirror = context.new_page()
    yield mirror
    context.close()


@pytest.fixture
def assert_accessible(javascript: bool, _axe_page: Page) -> Callable[[Page], None]:
    """`assert_accessible(page)`: run axe-core on what the page shows now; fail with its report."""

    def check(page: Page) -> None:
        audited = page
        if javascript:
            # Audit the settled page: while htmx swaps, the new #results briefly wears the old
            # one's classes (htmx-request dims it) and then fades in, which axe would report
            # as poor contrast.
            page.wait_for_function(SETTLED)
        else:
            html = page.content()
            base = f'<base href="{html_escape(page.url)}">'
            html = re.sub(r"<head(\s[^>]*)?>", lambda match: match.group(0) + base, html, count=1)
            _axe_page.set_content(html)
            audited = _axe_page
        results = _AXE.run(audited)
        assert results.violations_count == 0, f"axe-core found problems on {page.url}:\n{results.generate_report()}"

    return check


# --- Data ---------------------------------------------------------------------------------

_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240">'
    '<rect width="320" height="240" fill="#{colour}"/></svg>'
)


@dataclass(frozen=True)
class Shop:
    kitchen: Category
    outdoors: Category
    hall: Category
    products: dict[str, Product]


def _product(category: Category, name: str, price: str, *, stock: int = 10, colour: str = "c8d6e5") -> Product:
    product = make_product(name=name, slug=slugify(name), category=category, price=Decimal(price), stock_quantity=stock)
    product.image.save(f"{product.slug}.svg", ContentFile(_SVG.format(colour=colour).encode()), save=True)
    return product


@pytest.fixture
def shop(live_server) -> Shop:
    """A small catalog with predictable names, created newest last.

    Kitchen: "Kettle 01" … "Kettle 30" at €1 … €30 ("Kettle 27" has only 3 left), a
    "Teapot" and an out-of-stock "Mug"; Outdoors: "Camp Kettle 1" … "Camp Kettle 5";
    Hall: "Umbrella Stand", "Coat Hook". 39 products: two pages at 24 a page, and so is a
    search for "kettle" in Kitchen (30 results).
    """
    kitchen = make_category(name="Kitchen", slug="kitchen")
    outdoors = make_category(name="Outdoors", slug="outdoors")
    hall = make_category(name="Hall", slug="hall")
    products: list[Product] = []
    products.append(_product(kitchen, "Teapot", "15.00"))
    products.append(_product(kitchen, "Mug", "4.00", stock=0))
    for n in range(1, 31):
        products.append(_product(kitchen, f"Kettle {n:02}", f"{n}.00", stock=3 if n == 27 else 10))
    for n in range(1, 6):
        products.append(_product(outdoors, f"Camp Kettle {n}", f"{40 + n}.00", colour="b8e0c8"))
    products.append(_product(hall, "Umbrella Stand", "35.00", colour="e5d6c8"))
    products.append(_product(hall, "Coat Hook", "6.50", colour="e5d6c8"))
    return Shop(kitchen=kitchen, outdoors=outdoors, hall=hall, products={p.name: p for p in products})
