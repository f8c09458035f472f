"""The order form at /checkout/: contact, address, shipping and payment, and the summary beside it."""

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

from .base import ShopPage
from .orders import OrderPage
from .product import ProductPage


@dataclass(frozen=True)
class Address:
    """What a shopper types into the order form."""

    email: str = "ann@example.com"
    name: str = "Ann Example"
    address: str = "Hauptstraße 1"
    postcode: str = "10115"
    city: str = "Berlin"
    country: str = "Germany"


class CheckoutPage(ShopPage):
    path = "/checkout/"

    # --- Fields, by their labels ---------------------------------------------------------

    @property
    def email(self) -> Locator:
        return self.page.get_by_label("Email", exact=True)

    @property
    def full_name(self) -> Locator:
        return self.page.get_by_label("Full name", exact=True)

    @property
    def address(self) -> Locator:
        return self.page.get_by_label("Address", exact=True)

    @property
    def postcode(self) -> Locator:
        return self.page.get_by_label("Postcode", exact=True)

    @property
    def city(self) -> Locator:
        return self.page.get_by_label("City", exact=True)

    @property
    def country(self) -> Locator:
        return self.page.get_by_label("Country", exact=True)

    @property
    def shipping_method(self) -> Locator:
        return self.page.get_by_role("group", name="Shipping method")

    @property
    def payment_method(self) -> Locator:
        return self.page.get_by_role("group", name="Payment method")

    @property
    def place_order_button(self) -> Locator:
        return self.page.get_by_role("button", name="Place order")

    @property
    def error_summary(self) -> Locator:
        """The alert over the form: "Please correct the marked fields below." or why the order was refused."""
        return self.main.get_by_role("alert")

    @property
    def summary(self) -> Locator:
        """The review of the lines and totals beside the form."""
        return self.page.get_by_role("region", name="Your order")

    def shipping_option(self, label: str) -> Locator:
        """A shipping method by the start of its label: "Standard delivery", "Express delivery"."""
        return self.shipping_method.get_by_role("radio", name=re.compile(rf"^{re.escape(label)}\b"))

    def payment_option(self, label: str) -> Locator:
        """A payment method by the start of its label: "Bank transfer", "Cash on delivery"."""
        return self.payment_method.get_by_role("radio", name=re.compile(rf"^{re.escape(label)}\b"))

    # --- Gestures ------------------------------------------------------------------------

    def fill_in(self, details: Address) -> None:
        """Type the details in as a shopper does, field by field (with JavaScript each one
        checks itself as it is left)."""
        self.email.fill(details.email)
        self.fill_in_address(details)

    def fill_in_address(self, details: Address) -> None:
        """Everything but the email (which a signed-in customer finds filled in)."""
        self.full_name.fill(details.name)
        self.address.fill(details.address)
        self.postcode.fill(details.postcode)
        self.city.fill(details.city)
        self.country.select_option(label=details.country)

    def choose_shipping(self, label: str) -> None:
        self.shipping_option(label).check()

    def choose_payment(self, label: str) -> None:
        self.payment_option(label).check()

    def place_order(self) -> OrderPage:
        self.place_order_button.click()
        return OrderPage(self.page, javascript=self.javascript)

    # --- What the shopper reads ----------------------------------------------------------

    def expect_field_error(self, field: Locator, message: str) -> None:
        """The field is marked invalid and its error is read out with it (aria-describedby)."""
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))

    def expect_field_fine(self, field: Locator) -> None:
        expect(field).not_to_have_attribute("aria-invalid", "true")

    def expect_summary_lines(self, *lines: str) -> None:
        """The summary's lines: quantity, name and price of each."""
        expect(self.summary.get_by_role("listitem")).to_have_text(list(lines))

    def expect_totals(self, *, subtotal: str, shipping: tuple[str, str], total: str) -> None:
        """The summary's totals: subtotal, (shipping method, its cost or "Free"), total."""
        expect(self.summary.get_by_role("term")).to_have_text(["Subtotal", shipping[0], "Total"])
        expect(self.summary.get_by_role("definition")).to_have_text([subtotal, shipping[1], total])


def checkout_with(page: Page, product_url: str, *, javascript: bool, quantity: int | None = None) -> CheckoutPage:
    """The order form, for a cart holding one product put there from its page (`quantity`, or 1)."""
    product = ProductPage(page, javascript=javascript).goto_product(product_url)
    product.add_to_cart(quantity=quantity)
    product.header.expect_cart_count(quantity or 1)
    checkout = CheckoutPage(page, javascript=javascript).goto()
    expect(checkout.heading).to_have_text("Checkout")
    return checkout
