"""Back and Forward show the cart as it is, whether the browser shows the page again from its HTTP
cache or from its back/forward cache, which keeps whole pages in memory (issue 13, finding 1).

Playwright starts Chromium without the back/forward cache; these journeys run once like that and
once in a browser that has it, as every shopper's Chrome does.
"""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from .pages import CatalogPage, ShopPage

# Counts the times the page was shown again from the back/forward cache (an init script runs even
# where the Content-Security-Policy would refuse an inline one).
COUNT_RESTORES = (
    "addEventListener('pageshow', (e) => { if (e.persisted) window.__restores = (window.__restores || 0) + 1 })"
)


@pytest.fixture(scope="session")
def bfcache_browser(playwright: Playwright, browser_type_launch_args: dict) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        **browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"]
    )
    yield browser
    browser.close()


@pytest.fixture(params=["bfcache-off", "bfcache-on"])
def bfcache(request: pytest.FixtureRequest) -> bool:
    return request.param == "bfcache-on"


@pytest.fixture
def tab(bfcache: bool, page: Page, bfcache_browser: Browser, browser_context_args: dict, _evidence) -> Page:
    """The test's page, in a browser with the back/forward cache or without it."""
    if not bfcache:
        page.add_init_script(COUNT_RESTORES)
        return page
    context = _evidence.watch(bfcache_browser.new_context(**browser_context_args))
    shown = context.new_page()
    shown.add_init_script(COUNT_RESTORES)
    return shown


def back_to_the_catalog(tab: Page, catalog: CatalogPage) -> None:
    """Back until the catalog shows: without JavaScript an add was a page of its own (POST, redirect)."""
    for _ in range(3):
        tab.go_back(wait_until="commit")  # a page from the back/forward cache fires no load event
        expect(tab.get_by_role("heading", level=1)).to_be_visible()  # whichever page it is, it is there
        if tab.url.rstrip("/").endswith("/products") or "/products/?" in tab.url:
            break
    expect(catalog.heading).to_have_text("Products")


def restores(tab: Page, javascript: bool) -> int:
    return tab.evaluate("() => window.__restores || 0") if javascript else 0


def test_back_after_adding_on_a_product_page_shows_the_current_cart(tab: Page, shop, javascript, bfcache):
    catalog = CatalogPage(tab, javascript=javascript).goto()
    catalog.add_to_cart("Kettle 30")
    catalog.header.expect_cart_count(1)
    expect(catalog.product_card("Kettle 30")).to_contain_text("1 in cart")

    product = catalog.open_product("Kettle 30")
    product.add_to_cart(quantity=2)
    product.header.expect_cart_count(3)
    expect(product.main).to_contain_text("3 in cart")

    back_to_the_catalog(tab, catalog)
    catalog.header.expect_cart_count(3)
    expect(catalog.product_card("Kettle 30")).to_contain_text("3 in cart")

    tab.go_forward(wait_until="commit")
    expect(product.heading).to_have_text("Kettle 30")
    product.header.expect_cart_count(3)


def test_back_after_changing_quantities_in_the_cart_shows_the_current_cart(tab: Page, shop, javascript, bfcache):
    catalog = CatalogPage(tab, javascript=javascript).goto()
    catalog.add_to_cart("Kettle 30")
    catalog.header.expect_cart_count(1)
    cart = catalog.header.open_cart()

    cart.set_quantity("Kettle 30", 4)
    expect(cart.subtotal).to_have_text("Subtotal (4 items): €120.00")
    cart.header.expect_cart_count(4)

    back_to_the_catalog(tab, catalog)
    catalog.header.expect_cart_count(4)
    expect(catalog.product_card("Kettle 30")).to_contain_text("4 in cart")


def test_the_back_forward_cache_is_really_used_where_it_is_on(tab: Page, shop, javascript, bfcache):
    """The journeys above mean what they say: with the cache on, a page does come back from memory
    (here the catalog of a visitor without a cart, which no rule keeps out of it)."""
    catalog = CatalogPage(tab, javascript=javascript).goto()
    tab.goto("/accounts/login/")
    expect(ShopPage(tab, javascript=javascript).heading).to_have_text("Sign in")
    tab.go_back(wait_until="commit")
    expect(catalog.heading).to_have_text("Products")
    catalog.header.expect_cart_count(0)
    if javascript:
        assert restores(tab, javascript) == (1 if bfcache else 0)
