"""What every page of the shop has: the header, the main landmark, messages and the live region.

Page objects find things the way a shopper does, by role and accessible name or by label. Each
one is made with the Playwright page and whether JavaScript is on, because a few gestures
differ: without JavaScript the shopper presses the button that htmx would have saved them.
"""

import re
from typing import TYPE_CHECKING, Self

from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from .header import Header


def query_url(path: str, **params: str) -> re.Pattern[str]:
    """A URL on `path` whose query string holds every one of `params`, in any order."""
    lookaheads = "".join(rf"(?=(?:.*&)?{re.escape(key)}={re.escape(value)}(?:&|$))" for key, value in params.items())
    return re.compile(rf"{re.escape(path)}\?{lookaheads}")


def hidden_suffix(visible: str, hidden: str) -> re.Pattern[str]:
    """An accessible name made of visible text and a visually hidden part.

    Chromium may put a space before the hidden text ("Add to cart : Kettle 05"), so the
    names are matched loosely around the join.
    """
    return re.compile(rf"^{re.escape(visible)}\s*{re.escape(hidden)}$")


class ShopPage:
    """Any page of the shop; subclasses add what their page shows."""

    path = "/"

    def __init__(self, page: Page, *, javascript: bool) -> None:
        self.page = page
        self.javascript = javascript

    def goto(self) -> Self:
        self.page.goto(self.path)
        return self

    # --- What every page has ----------------------------------------------------------

    @property
    def header(self) -> "Header":
        from .header import Header  # here, not at the top: header.py opens other pages, which are ShopPages

        return Header(self.page, javascript=self.javascript)

    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    @property
    def footer(self) -> Locator:
        return self.page.get_by_role("contentinfo")

    @property
    def messages(self) -> Locator:
        """The messages a plain (no-JavaScript) request leaves on the next page."""
        return self.page.get_by_role("status")

    @property
    def announcement(self) -> Locator:
        """The polite live region htmx answers fill for screen readers.

        It has no role, only `aria-live` (what assistive technology listens to), so it is
        the one element found by an attribute.
        """
        return self.page.locator("[aria-live=polite]")

    @property
    def request_problem(self) -> Locator:
        """The alert storefront.js shows when an htmx request fails outright."""
        return self.page.get_by_role("alert").filter(has_text=re.compile(r"that didn’t work|couldn’t reach"))

    def expect_not_found(self) -> None:
        expect(self.heading).to_have_text("We can’t find that page")
        expect(self.main.get_by_role("link", name="Browse all products")).to_be_visible()

    # --- Staying on one page (JavaScript) ------------------------------------------------

    def mark(self) -> None:
        """Leave a mark in the window; a full page load wipes it, an htmx swap keeps it."""
        self.page.evaluate("window.__e2eMarker = 'still here'")

    def expect_same_document(self) -> None:
        assert self.page.evaluate("window.__e2eMarker") == "still here", "the page was reloaded instead of swapped"
