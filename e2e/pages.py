"""What a shopper looks at, found by role and label, and a few waits the journeys share."""

import re

from playwright.sync_api import Locator, Page, expect


def query_url(path: str, **params: str) -> re.Pattern[str]:
    """A URL on `path` whose query string holds every one of `params`, in any order."""
    lookaheads = "".join(rf"(?=(?:.*&)?{re.escape(key)}={re.escape(value)}(?:&|$))" for key, value in params.items())
    return re.compile(rf"{re.escape(path)}\?{lookaheads}")


# --- Header -------------------------------------------------------------------------------


def cart_link(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Account").get_by_role("link", name=re.compile(r"^Cart\b"))


def expect_cart_count(page: Page, count: int) -> None:
    """The header's Cart link says how many items the cart holds."""
    expect(cart_link(page)).to_have_accessible_name(re.compile(rf"^Cart {count} items?$"))


def search_box(page: Page) -> Locator:
    return page.get_by_role("searchbox", name="Search")


# --- Catalog ------------------------------------------------------------------------------


def results(page: Page) -> Locator:
    return page.get_by_role("region", name="Products", exact=True)


def result_count(page: Page) -> Locator:
    """The heading over the results, such as "30 products, showing 1 to 24 in Kitchen"."""
    return results(page).get_by_role("heading", level=2)


def product_names(page: Page) -> Locator:
    """The name of every product card shown, in order."""
    return results(page).get_by_role("heading", level=3)


def product_card(page: Page, name: str) -> Locator:
    return results(page).get_by_role("listitem").filter(has=page.get_by_role("link", name=name, exact=True))


# --- Cart page ----------------------------------------------------------------------------


def cart_line(page: Page, name: str) -> Locator:
    """The cart table's row for one product."""
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def cart_subtotal(page: Page) -> Locator:
    return page.get_by_text(re.compile(r"^Subtotal \("))


# --- Staying on one page (JavaScript) ----------------------------------------------------


def mark_page(page: Page) -> None:
    """Leave a mark in the window; a full page load wipes it, an htmx swap keeps it."""
    page.evaluate("window.__e2eMarker = 'still here'")


def expect_same_page(page: Page) -> None:
    assert page.evaluate("window.__e2eMarker") == "still here", "the page was reloaded instead of swapped"


# --- Accessible names ---------------------------------------------------------------------
# Chromium puts a space before visually hidden text ("Add to cart : Kettle 05"), so names
# with a hidden part are matched loosely around it.


def add_to_cart_button(name: str) -> re.Pattern[str]:
    return re.compile(rf"^Add to cart\s*:\s*{re.escape(name)}$")


def remove_filter(chip: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(chip)}\s*, remove this filter$")
