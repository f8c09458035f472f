"""The site header on every page: search, the account links and the Cart link with its mini-cart."""

import re

from playwright.sync_api import Locator, Page, expect

from .account import SignInPage
from .cart import CartPage
from .orders import OrderHistoryPage


class Header:
    def __init__(self, page: Page, *, javascript: bool) -> None:
        self.page = page
        self.javascript = javascript

    @property
    def banner(self) -> Locator:
        return self.page.get_by_role("banner")

    @property
    def search_box(self) -> Locator:
        return self.page.get_by_role("searchbox", name="Search")

    @property
    def account(self) -> Locator:
        return self.page.get_by_role("navigation", name="Account")

    @property
    def sign_in_link(self) -> Locator:
        return self.account.get_by_role("link", name="Sign in", exact=True)

    @property
    def create_account_link(self) -> Locator:
        return self.account.get_by_role("link", name="Create account", exact=True)

    @property
    def orders_link(self) -> Locator:
        return self.account.get_by_role("link", name="Orders", exact=True)

    @property
    def sign_out_button(self) -> Locator:
        return self.account.get_by_role("button", name="Sign out")

    @property
    def cart_link(self) -> Locator:
        return self.account.get_by_role("link", name=re.compile(r"^Cart\b"))

    @property
    def mini_cart(self) -> Locator:
        return self.page.get_by_role("region", name="Cart summary")

    def expect_cart_count(self, count: int) -> None:
        """The Cart link says how many items the cart holds ("Cart 3 items")."""
        expect(self.cart_link).to_have_accessible_name(re.compile(rf"^Cart {count} items?$"))

    def expect_signed_in_as(self, username: str) -> None:
        expect(self.account.get_by_role("link", name=username, exact=True)).to_be_visible()
        expect(self.sign_out_button).to_be_visible()

    def go_to_sign_in(self) -> SignInPage:
        self.sign_in_link.click()
        sign_in = SignInPage(self.page, javascript=self.javascript)
        expect(sign_in.heading).to_have_text("Sign in")
        return sign_in

    def open_cart(self) -> CartPage:
        """With JavaScript the Cart link opens the mini-cart, which links to the cart page."""
        self.cart_link.click()
        if self.javascript:
            self.mini_cart.get_by_role("link", name="View cart").click()
        cart = CartPage(self.page, javascript=self.javascript)
        expect(self.page).to_have_url(re.compile(r"/cart/$"))
        expect(cart.heading).to_have_text("Your cart")
        return cart

    def open_orders(self) -> OrderHistoryPage:
        self.orders_link.click()
        history = OrderHistoryPage(self.page, javascript=self.javascript)
        expect(history.heading).to_have_text("Your orders")
        return history
