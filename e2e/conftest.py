"""The end-to-end harness: Playwright drives Chromium through Django's live server.

Every test that asks for `page` runs four times: with JavaScript on and off ("js", "nojs"),
each on a desktop and a phone-sized screen ("desktop", "phone"), against a freshly flushed
database (live_server implies transactional_db). With E2E_BASE_URL set, only the read-only
journeys marked `smoke` run, against that deployment instead of the live server.
See docs/testing.md.
"""

import contextlib
import functools
import hashlib
import io
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape as html_escape
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT, AxeResults
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils.text import slugify
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, Response, Route
from playwright.sync_api import Error as PlaywrightError

from storefront.demo_pictures import View
from storefront.management.commands.seed_catalog import DemoFile, draw
from storefront.models import Category, Product, ProductPicture
from storefront.tests.factories import make_category, make_product

from .network import SlowAnswers

# Playwright's sync API keeps an event loop running in the test thread, so Django would
# refuse the ORM calls the tests make themselves (factories). Set here, not in settings,
# so that only a run that collects e2e/ relaxes the check.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """The journeys' SQLite database is a file, not Django's in-memory one. In memory, the live
    server's thread and the test's share one connection, so a test arranging the database (a
    product sold out meanwhile) while the server still answers the page's last request fails at
    once with "database table is locked". On a file each has its own connection, and the shop's
    own locking applies: WAL, and a writer waits up to 5 s (config/settings.py)."""
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("e2e-database") / "e2e.sqlite3")


E2E_DIR = Path(__file__).parent
ARTIFACTS = E2E_DIR / "artifacts"
# Every page and fragment the journeys were sent, for the Nu HTML Checker (e2e/check_markup.py).
MARKUP = ARTIFACTS / "markup"

# A deployment to check instead of the live server: only the smoke journeys run against it.
REMOTE_URL = os.environ.get("E2E_BASE_URL", "").strip().rstrip("/")

# Debian's Chromium in containers and CI: no sandbox, no GPU, nothing phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The screens every journey runs on. The phone is a mid-size one (iPhone 13/14 class).
VIEWPORTS: dict[str, dict[str, object]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_ARTIFACT_DIRS = pytest.StashKey[dict[str, Path]]()
_DESELECTED = pytest.StashKey[int]()


# --- Run-wide hooks -----------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "smoke: a read-only journey that also runs against a deployment (E2E_BASE_URL); "
        "it must find its data on the page, never assume it",
    )
    # pytest-playwright 0.10 defines its base_url fixture in a way pytest 9 warns about;
    # not ours to fix, and it would bury our own warnings.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    )
    config.stash[_ARTIFACT_DIRS] = {}
    # Evidence from an earlier run would only mislead.
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    MARKUP.mkdir(parents=True, exist_ok=True)


def _is_e2e(item: pytest.Item) -> bool:
    return item.path.is_relative_to(E2E_DIR)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Against a deployment, deselect (not skip) every journey that is not a read-only smoke test."""
    if not REMOTE_URL:
        return
    keep = [item for item in items if not _is_e2e(item) or item.get_closest_marker("smoke")]
    kept = set(keep)
    dropped = [item for item in items if item not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    config.stash[_DESELECTED] = len(dropped)


def pytest_report_header(config: pytest.Config) -> str:
    if REMOTE_URL:
        return f"e2e: against {REMOTE_URL} (E2E_BASE_URL): only the read-only smoke journeys run"
    return "e2e: against Django's live server (set E2E_BASE_URL to check a deployment)"


def pytest_report_collectionfinish(config: pytest.Config) -> str | list[str]:
    if not REMOTE_URL:
        return []
    count = config.stash.get(_DESELECTED, 0)
    return (
        f"e2e: E2E_BASE_URL={REMOTE_URL}: {count} journeys that need the live server and their own data "
        "were deselected; only @pytest.mark.smoke journeys run"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed;
    name the artifacts of a failed journey in its report."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    if report.when == "teardown":
        folder = item.config.stash.get(_ARTIFACT_DIRS, {}).get(item.nodeid)
        if folder is not None:
            # The phase that failed is the report printed under FAILURES/ERRORS.
            failed = next((r for r in item.stash[_REPORTS].values() if r.failed), report)
            failed.sections.append(("e2e artifacts", _describe_artifacts(folder)))
    return report


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    folders = config.stash.get(_ARTIFACT_DIRS, {})
    if not folders:
        return
    terminalreporter.section("e2e artifacts of failed journeys")
    for nodeid, folder in folders.items():
        terminalreporter.write_line(f"{nodeid}\n    {_relative(folder)}/")
    if config.getoption("--tracing") == "off":
        hint = "Open a trace with: .venv/bin/playwright show-trace <folder>/trace.zip"
    else:
        hint = f"--tracing was given: pytest-playwright keeps the traces, in {config.getoption('--output')}/"
    terminalreporter.write_line(f"{hint}  (docs/testing.md, Debugging)")


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _describe_artifacts(folder: Path) -> str:
    # Sorted so that the first browser's files come first: trace.zip before trace-2.zip.
    files = (
        sorted((path.name for path in folder.iterdir()), key=lambda name: (len(name), name)) if folder.is_dir() else []
    )
    lines = [f"{_relative(folder)}/: {', '.join(files) or 'nothing could be captured'}"]
    for trace in (name for name in files if name.endswith(".zip")):
        lines.append(f"    .venv/bin/playwright show-trace {_relative(folder / trace)}")
    return "\n".join(lines)


# --- Browser and context ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, browser_name: str, pytestconfig: pytest.Config) -> dict:
    """Use the Chromium named by E2E_CHROMIUM; without it (or for another browser or an
    explicit --browser-channel), Playwright's own. The plugin's --headed/--slowmo stay."""
    executable = os.environ.get("E2E_CHROMIUM", "").strip()
    if not executable or browser_name != "chromium" or pytestconfig.getoption("--browser-channel"):
        return browser_type_launch_args
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def javascript(request: pytest.FixtureRequest) -> bool:
    """Every journey runs with JavaScript on and off: the shop must work both ways."""
    return request.param


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """Every journey runs on a desktop screen and on a phone (touch, mobile viewport)."""
    return request.param


if REMOTE_URL:

    @pytest.fixture
    def shop_url() -> str:
        """The deployment under test."""
        return REMOTE_URL

else:

    @pytest.fixture
    def shop_url(live_server) -> str:
        """Django's live server, on a test database flushed after every test."""
        return live_server.url


@pytest.fixture
def browser_context_args(
    browser_context_args: dict,
    shop_url: str,
    javascript: bool,
    viewport: str,
    playwright: Playwright,
    device: str | None,
) -> dict:
    args = dict(browser_context_args)
    if device:
        # --device names the phone to emulate; the desktop stays a desktop.
        for key in playwright.devices[device]:
            args.pop(key, None)
        screen = playwright.devices[device] if viewport == "phone" else VIEWPORTS["desktop"]
    else:
        screen = VIEWPORTS[viewport]
    return {**args, **screen, "base_url": shop_url, "java_script_enabled": javascript}


@pytest.fixture(autouse=True)
def _serve_media(settings) -> None:
    """Product images come from MEDIA_ROOT (a tmp_path, see the root conftest)."""
    settings.SERVE_MEDIA = True


# Chromium logs every 4xx answer as a console error; the journeys cause some on purpose (a refused
# form answers 422, another customer's order 404). Server errors are caught from the responses.
EXPECTED_CONSOLE_ERROR = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


@dataclass
class Evidence:
    """Everything the browser contexts of one test saw: what went wrong underneath the journey
    even when every assertion held (DESIGN.md: nothing answers 500, CSP-clean by construction),
    and, when the test fails, a trace, a screenshot and the HTML of each page."""

    tracing: bool
    contexts: list[BrowserContext] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    policy_violations: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserContext:
        self.contexts.append(context)
        context.on("page", self._watch_page)
        if self.tracing:
            context.tracing.start(screenshots=True, snapshots=True, sources=True)
        return context

    def _watch_page(self, page: Page) -> None:
        self.pages.append(page)
        page.on("response", self._on_response)
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))
        page.on("console", self._on_console)

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")
        _keep_markup(response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if "Content Security Policy" in message.text:
            self.policy_violations.append(message.text)
        elif not EXPECTED_CONSOLE_ERROR.search(message.text):
            self.console_errors.append(f"{message.location.get('url', '')}: {message.text}")

    @property
    def problems(self) -> dict[str, list[str]]:
        found = {
            "server errors": self.server_errors,
            "script errors": self.script_errors,
            "Content-Security-Policy violations": self.policy_violations,
            "console errors": _without_replaced_requests(self.console_errors),
        }
        return {kind: items for kind, items in found.items() if items}

    def finish(self, folder: Path | None) -> None:
        """Stop recording; with a folder, keep what the pages show and the traces in it."""
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            for number, page in enumerate(self.pages, start=1):
                _save_page(page, folder, "" if number == 1 else f"-{number}")
        if not self.tracing:
            return
        for number, context in enumerate(self.contexts, start=1):
            name = "trace.zip" if number == 1 else f"trace-{number}.zip"
            with contextlib.suppress(PlaywrightError):  # the context is gone already: nothing to keep
                context.tracing.stop(path=folder / name if folder else None)


def _keep_markup(response: Response) -> None:
    """Keep the HTML of a page or an htmx fragment the shop sent, once per distinct body."""
    if response.request.resource_type not in {"document", "xhr", "fetch"} or 300 <= response.status < 400:
        return
    if not response.headers.get("content-type", "").startswith("text/html"):
        return
    try:
        body = response.text()
    except PlaywrightError:  # the page went away before its body could be read
        return
    if body.strip():
        digest = hashlib.sha256(body.encode()).hexdigest()[:20]
        path = MARKUP / f"{digest}.html"
        if not path.exists():
            path.write_text(f"<!-- {response.request.method} {response.url} -->\n{body}", encoding="utf-8")


def _without_replaced_requests(errors: list[str]) -> list[str]:
    """htmx logs a request it aborted as two errors, "htmx:afterRequest" then "htmx:sendAbort". The
    catalog's controls abort a request on purpose when the shopper acts again (hx-sync replace), so
    that pair is expected; an afterRequest followed by anything else (a network error) is not."""
    kept: list[str] = []
    for error in errors:
        if "htmx:sendAbort" in error and kept and "htmx:afterRequest" in kept[-1]:
            kept.pop()
            continue
        kept.append(error)
    return kept


def _save_page(page: Page, folder: Path, suffix: str) -> None:
    """A screenshot and the HTML of the page as the test left it; best effort, never an error."""
    if page.is_closed():
        return
    with contextlib.suppress(PlaywrightError):
        page.screenshot(path=folder / f"screenshot{suffix}.png", full_page=True, timeout=5000)
    try:
        html = page.content()
    except PlaywrightError as error:  # for example, the page was still navigating
        html = f"<!-- could not capture the page: {error} -->"
    (folder / f"page{suffix}.html").write_text(f"<!-- {page.url} -->\n{html}", encoding="utf-8")


def _failed(item: pytest.Item) -> bool:
    return any(report.failed for report in item.stash.get(_REPORTS, {}).values())


@pytest.fixture
def _evidence(new_context, request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Iterator[Evidence]:
    # Set up after new_context, so torn down before it closes the contexts. pytest-playwright's
    # own --tracing, when asked for, records instead of this (two recordings cannot run at once).
    evidence = Evidence(tracing=pytestconfig.getoption("--tracing") == "off")
    yield evidence
    problems = evidence.problems
    folder = None
    if _failed(request.node) or problems:
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid.removeprefix("e2e/")).strip("_")
        request.config.stash[_ARTIFACT_DIRS][request.node.nodeid] = folder
    evidence.finish(folder)
    assert not problems, f"The shop misbehaved under the journey: {problems}"


@pytest.fixture
def context(new_context, _evidence: Evidence) -> BrowserContext:
    """The plugin's context, traced and watched (see Evidence)."""
    return _evidence.watch(new_context())


@pytest.fixture
def open_new_browser(new_context, _evidence: Evidence) -> Callable[[], Page]:
    """`open_new_browser()`: a page in a fresh browser context (no cookies, no session), with
    the same JavaScript setting and screen as the test's page: another device, or another
    shopper."""

    def open_page() -> Page:
        return _evidence.watch(new_context()).new_page()

    return open_page


@pytest.fixture
def slow_answers() -> Iterator[Callable[..., SlowAnswers]]:
    """`slow_answers(page, url, holds=...)`: the server's answers to those requests reach the page
    only when the test releases them (e2e/network.py). Whatever is still held at the end is
    delivered, so that no page waits for ever."""
    made: list[SlowAnswers] = []

    def make(page: Page, url: str, **options: Callable[[object], bool]) -> SlowAnswers:
        made.append(SlowAnswers(page, url, **options))
        return made[-1]

    yield make
    for slow in made:
        slow.release()


# --- Accessibility ------------------------------------------------------------------------

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


def _run_axe(page: Page) -> AxeResults:
    # axe-core goes in once per document (htmx swaps keep it), which keeps traces small too.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return AxeResults(page.evaluate("() => axe.run({resultTypes: ['violations']})"))


@pytest.fixture
def assert_accessible(javascript: bool, viewport: str, _axe_page: Page) -> Callable[[Page], None]:
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
            # The same screen width, so that what axe sees is laid out as the shopper's page was.
            _axe_page.set_viewport_size(page.viewport_size or VIEWPORTS["desktop"]["viewport"])  # type: ignore[arg-type]
            _axe_page.set_content(html)
            audited = _axe_page
        results = _run_axe(audited)
        assert results.violations_count == 0, f"axe-core found problems on {page.url}:\n{results.generate_report()}"

    return check


# --- Data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shop:
    kitchen: Category
    outdoors: Category
    hall: Category
    products: dict[str, Product]


def _product(category: Category, name: str, price: str, *, stock: int = 10, colour: str = "c8d6e5") -> Product:
    """A product with two raster pictures (front and side) and their renditions, made here synchronously
    (storefront.pictures, as the job would) from drawings shared by every product of that colour."""
    product = make_product(name=name, slug=slugify(name), category=category, price=Decimal(price), stock_quantity=stock)
    for position, view in enumerate(("front", "side")):
        file = _drawing(f"#{colour}", view)
        ProductPicture.objects.create(
            product=product,
            position=position,
            image=file.name,
            alt_text=f"{name}, {view} view",
            width=file.width,
            height=file.height,
            renditions=file.renditions,
        )
    return product


@functools.cache
def _drawing_in(media_root: str, colour: str, view: View) -> DemoFile:
    return draw(("kettle", colour, view))


def _drawing(colour: str, view: View) -> DemoFile:
    return _drawing_in(str(django_settings.MEDIA_ROOT), colour, view)  # each test has its own MEDIA_ROOT


@pytest.fixture
def shop(shop_url: str) -> Shop:
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


@pytest.fixture
def tea_shop(shop_url: str) -> dict[str, Product]:
    """The cheapest catalog for checkout journeys: three kitchen products, no images.

    "Teapot" €15.00 (5 in stock), "Tea Towel" €4.50, "Kettle" €20.00.
    """
    kitchen = make_category(name="Kitchen", slug="kitchen")
    products = [
        make_product(name="Teapot", slug="teapot", category=kitchen, price=Decimal("15.00"), stock_quantity=5),
        make_product(name="Tea Towel", slug="tea-towel", category=kitchen, price=Decimal("4.50")),
        make_product(name="Kettle", slug="kettle", category=kitchen, price=Decimal("20.00")),
    ]
    return {product.name: product for product in products}


if REMOTE_URL:

    @pytest.fixture
    def demo_catalog() -> None:
        """The deployment's own catalog, whatever it holds: smoke journeys discover it."""

else:

    @pytest.fixture
    def demo_catalog(shop_url: str) -> None:
        """The demo catalog a deployment gets (`seed_catalog`), so that the smoke journeys
        run here on the same kind of data as against a deployment."""
        call_command("seed_catalog", products=60, stdout=io.StringIO())


@pytest.fixture
def sign_in(shop_url: str) -> Callable[[Page, object], None]:
    """`sign_in(page, user)`: the browser of `page` is signed in as `user`, without the form.

    For journeys about something else; the sign-in form has its own journeys.
    """

    def sign_in_as(page: Page, user: object) -> None:
        client = Client()
        client.force_login(user)
        name = django_settings.SESSION_COOKIE_NAME
        page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": shop_url}])

    return sign_in_as
