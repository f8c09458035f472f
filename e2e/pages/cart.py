"""The cart page at /cart/: its lines, quantities, subtotal and the way to checkout."""

import re

from playwright.sync_api import Locator, expect

from .base import ShopPage, hidden_suffix
from .checkout import CheckoutPage


class CartPage(ShopPage):
    path = "/cart/"

    def goto(self) -> "CartPage":
        self.page.goto(self.path)
        expect(self.heading).to_have_text("Your cart")
        return self

    @property
    def contents(self) -> Locator:
        return self.page.get_by_role("region", name="Cart contents")

    @property
    def contents_heading(self) -> Locator:
        return self.page.get_by_role("heading", name="Cart contents")

    @property
    def table(self) -> Locator:
        return self.contents.get_by_role("table", name="Items in your cart")

    @property
    def subtotal(self) -> Locator:
        return self.contents.get_by_role("paragraph").filter(has_text=re.compile(r"^Subtotal \("))

    @property
    def empty_state(self) -> Locator:
        return self.contents.get_by_role("paragraph").filter(has_text="Your cart is empty.")

    @property
    def checkout_link(self) -> Locator:
        return self.page.get_by_role("link", name="Checkout", exact=True)

    @property
    def continue_shopping_link(self) -> Locator:
        return self.page.get_by_role("link", name="Continue shopping")

    def line(self, name: str) -> Locator:
        """The table row of one product."""
        return self.page.get_by_role("row").filter(has=self.page.get_by_role("link", name=name, exact=True))

    def quantity(self, name: str) -> Locator:
        return self.page.get_by_label(f"Quantity for {name}")

    def update_button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=hidden_suffix("Update", name))

    def remove_button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=hidden_suffix("Remove", name))

    def set_quantity(self, name: str, quantity: int) -> None:
        """With JavaScript leaving the box is enough; without, the line's Update button."""
        self.quantity(name).fill(str(quantity))
        if self.javascript:
            self.quantity(name).press("Tab")
        else:
            self.update_button(name).click()

    def remove(self, name: str) -> None:
        self.remove_button(name).click()

    def checkout(self) -> CheckoutPage:
        self.checkout_link.click()
        checkout = CheckoutPage(self.page, javascript=self.javascript)
        expect(checkout.heading).to_have_text("Checkout")
        return checkout
