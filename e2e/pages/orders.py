"""An order's page (/orders/<reference>/, also the "Thank you" confirmation) and the order history."""

import re

from playwright.sync_api import Locator, expect

from .base import ShopPage

REFERENCE = re.compile(r"/orders/([0-9A-Z]{8})/")  # no named group: Playwright hands it to JavaScript


class OrderPage(ShopPage):
    @property
    def reference(self) -> str:
        """The order's reference, as its URL shows it."""
        match = REFERENCE.search(self.page.url)
        assert match, f"not an order page: {self.page.url}"
        return match[1]

    @property
    def status(self) -> Locator:
        return self.page.get_by_role("region", name="Status")

    @property
    def cancel_button(self) -> Locator:
        return self.status.get_by_role("button", name="Cancel order")

    @property
    def private_link(self) -> Locator:
        """The link a guest keeps to come back to the order (/orders/<reference>/?key=…)."""
        # Slashes escaped: Playwright writes the pattern into a selector as /…/.
        return self.main.get_by_role("link", name=re.compile(r"\/orders\/[0-9A-Z]{8}\/\?key="))

    @property
    def items(self) -> Locator:
        return self.page.get_by_role("region", name="Items")

    @property
    def delivery(self) -> Locator:
        return self.page.get_by_role("region", name="Delivery and payment")

    def line(self, name: str) -> Locator:
        return self.items.get_by_role("row").filter(has=self.page.get_by_role("rowheader", name=name, exact=True))

    def expect_thank_you(self) -> None:
        expect(self.heading).to_contain_text("Thank you")
        expect(self.page).to_have_url(REFERENCE)

    def expect_total(self, amount: str) -> None:
        expect(self.line("Total")).to_contain_text(amount)

    def expect_status(self, status: str) -> None:
        expect(self.status.get_by_role("paragraph").first).to_contain_text(status)

    def cancel(self) -> None:
        self.cancel_button.click()


class OrderHistoryPage(ShopPage):
    path = "/orders/"

    def goto(self) -> "OrderHistoryPage":
        self.page.goto(self.path)
        expect(self.heading).to_have_text("Your orders")
        return self

    @property
    def table(self) -> Locator:
        return self.page.get_by_role("table", name="Your orders, newest first")

    @property
    def references(self) -> Locator:
        """Each order's reference, newest first; each is a link to the order."""
        return self.table.get_by_role("rowheader")

    def row(self, reference: str) -> Locator:
        return self.table.get_by_role("row").filter(has=self.page.get_by_role("link", name=reference, exact=True))

    def open(self, reference: str) -> OrderPage:
        self.table.get_by_role("link", name=reference, exact=True).click()
        order = OrderPage(self.page, javascript=self.javascript)
        expect(order.heading).to_have_text(f"Order {reference}")
        return order
