"""A product page at /products/<slug>/: name, price, availability, the variant picker and "Add to cart"."""

import re

from playwright.sync_api import Locator, expect

from .base import ShopPage


class ProductPage(ShopPage):
    def goto_product(self, url: str) -> "ProductPage":
        self.page.goto(url)
        expect(self.heading).to_be_visible()
        return self

    @property
    def article(self) -> Locator:
        return self.page.get_by_role("article")

    @property
    def image(self) -> Locator:
        """The main picture of the gallery, named by its alt text ("Kettle, front view"); the
        thumbnails' pictures are decorative inside their links."""
        return self.article.get_by_role("img").first

    def thumbnail(self, number: int, total: int) -> Locator:
        """A thumbnail of the gallery: a link named "Show picture 2 of 4"."""
        return self.article.get_by_role("link", name=f"Show picture {number} of {total}", exact=True)

    @property
    def breadcrumbs(self) -> Locator:
        return self.page.get_by_role("navigation", name="Breadcrumb")

    @property
    def quantity(self) -> Locator:
        return self.page.get_by_label("Quantity")

    @property
    def add_to_cart_button(self) -> Locator:
        return self.page.get_by_role("button", name=re.compile(r"^Add to cart\b"))

    def add_to_cart(self, quantity: int | None = None) -> None:
        if quantity is not None:
            self.quantity.fill(str(quantity))
        self.add_to_cart_button.click()

    def expect_image_loaded(self) -> None:
        expect(self.image).to_have_js_property("complete", True)
        assert self.image.evaluate("img => img.naturalWidth") > 0, "the product image did not load"

    def option_group(self, name: str) -> Locator:
        """The picker's group of one option type ("Size", "Colour")."""
        return self.page.get_by_role("group", name=name, exact=True)

    def option(self, group: str, name: str) -> Locator:
        """One radio of the picker, by its accessible name ("M", "Red — sold out")."""
        return self.option_group(group).get_by_role("radio", name=name, exact=True)

    @property
    def select_button(self) -> Locator:
        return self.page.get_by_role("button", name="Select", exact=True)

    def choose_options(self, **choices: str) -> None:
        """Pick values by group (`choose_options(Size="M", Colour="Blue")`): with JavaScript each
        change updates the page in place; without, "Select" loads the chosen variant's page."""
        for group, name in choices.items():
            self.option(group, name).check()
        if not self.javascript:
            self.select_button.click()
