"""The catalog at /products/: search, filters, sort, the results and their pages."""

import re

from playwright.sync_api import Locator, expect

from .base import ShopPage, hidden_suffix
from .product import ProductPage


def add_to_cart_button(product: str) -> re.Pattern[str]:
    """ "Add to cart" with the product's name as visually hidden text."""
    return hidden_suffix("Add to cart", f": {product}")


class CatalogPage(ShopPage):
    path = "/products/"

    def goto(self, query: str = "") -> "CatalogPage":
        self.page.goto(self.path + (f"?{query}" if query else ""))
        expect(self.heading).to_have_text("Products")
        return self

    # --- The filter form -----------------------------------------------------------------

    @property
    def search_box(self) -> Locator:
        return self.header.search_box

    @property
    def category(self) -> Locator:
        return self.page.get_by_label("Category")

    @property
    def sort_by(self) -> Locator:
        return self.page.get_by_label("Sort by")

    @property
    def min_price(self) -> Locator:
        return self.page.get_by_label("Min price")

    @property
    def max_price(self) -> Locator:
        return self.page.get_by_label("Max price")

    @property
    def filters_summary(self) -> Locator:
        """On a phone, what folds the filter panel away: "Filters (2 active)"."""
        return self.page.locator("#filters .filters-disclosure > summary")

    def open_filters(self) -> None:
        """On a phone the filters are folded away: open them, as the shopper taps "Filters"."""
        if self.filters_summary.is_visible() and self.page.locator("#filters details[open]").count() == 0:
            self.filters_summary.click()
        expect(self.category).to_be_visible()

    def search(self, text: str) -> None:
        """With JavaScript the results follow the typing; without, Enter submits."""
        self.search_box.fill(text)
        if not self.javascript:
            self.search_box.press("Enter")

    def choose_category(self, label: str) -> None:
        self.open_filters()
        self.category.select_option(label=label)
        self.apply_filters()

    def choose_sort_order(self, label: str) -> None:
        self.open_filters()
        self.sort_by.select_option(label=label)
        self.apply_filters()

    def set_price_range(self, minimum: str, maximum: str) -> None:
        self.open_filters()
        self.min_price.fill(minimum)
        self.max_price.fill(maximum)
        if self.javascript:
            self.max_price.press("Tab")  # leaving the box sends its change event
        self.apply_filters()

    def apply_filters(self) -> None:
        """With JavaScript the form already sent itself on change; without, the shopper submits it."""
        if not self.javascript:
            self.page.get_by_role("button", name="Apply filters").click()

    # --- The results ---------------------------------------------------------------------

    @property
    def results(self) -> Locator:
        return self.page.get_by_role("region", name="Products", exact=True)

    @property
    def result_count(self) -> Locator:
        """The heading over the results: how many products match, which of them show, in which category."""
        return self.results.get_by_role("heading", level=2)

    @property
    def product_names(self) -> Locator:
        """The name of every product card shown, in order."""
        return self.results.get_by_role("heading", level=3)

    @property
    def filter_problem(self) -> Locator:
        return self.results.get_by_role("alert")

    @property
    def pagination(self) -> Locator:
        return self.results.get_by_role("navigation", name="Pagination")

    @property
    def next_page_link(self) -> Locator:
        return self.pagination.get_by_role("link", name="Next page")

    def shown_count(self) -> int:
        """How many products the heading over the results says match ("1,234 products, …")."""
        expect(self.result_count).to_have_text(re.compile(r"No products found|[\d,]+ products?\b"))
        match = re.match(r"[\d,]+", self.result_count.inner_text().strip())
        return int(match[0].replace(",", "")) if match else 0

    def category_choices(self) -> list[str]:
        """The categories the filter offers, without "All categories"."""
        return [label.strip() for label in self.category.locator("option").all_text_contents()][1:]

    def product_card(self, name: str) -> Locator:
        return self.results.get_by_role("listitem").filter(has=self.page.get_by_role("link", name=name, exact=True))

    def product_link(self, name: str) -> Locator:
        return self.results.get_by_role("link", name=name, exact=True)

    def remove_filter_link(self, chip: str | re.Pattern[str]) -> Locator:
        """The chip of an active filter ("Search: kettle"), whose link removes it."""
        if isinstance(chip, str):
            return self.results.get_by_role("link", name=hidden_suffix(chip, ", remove this filter"))
        return self.results.get_by_role("link", name=chip)

    def add_to_cart(self, name: str) -> None:
        self.product_card(name).get_by_role("button", name=add_to_cart_button(name)).click()

    def next_page(self) -> None:
        self.next_page_link.click()

    def open_product(self, name: str) -> ProductPage:
        self.product_link(name).click()
        product = ProductPage(self.page, javascript=self.javascript)
        expect(product.heading).to_have_text(name)
        return product
