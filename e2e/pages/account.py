"""Accounts under /accounts/: sign in and create an account."""

from playwright.sync_api import Locator

from .base import ShopPage


class SignInPage(ShopPage):
    path = "/accounts/login/"

    @property
    def username(self) -> Locator:
        return self.page.get_by_label("Username")

    @property
    def password(self) -> Locator:
        return self.page.get_by_label("Password")

    @property
    def sign_in_button(self) -> Locator:
        # The header has no "Sign in" button, only a link; the main landmark keeps it unambiguous.
        return self.main.get_by_role("button", name="Sign in")

    def sign_in(self, username: str, password: str) -> None:
        self.username.fill(username)
        self.password.fill(password)
        self.sign_in_button.click()


class SignUpPage(ShopPage):
    path = "/accounts/signup/"

    @property
    def username(self) -> Locator:
        return self.page.get_by_label("Username")

    @property
    def email(self) -> Locator:
        return self.page.get_by_label("Email")

    @property
    def password(self) -> Locator:
        return self.page.get_by_label("Password", exact=True)

    @property
    def password_confirmation(self) -> Locator:
        return self.page.get_by_label("Password confirmation")

    @property
    def create_account_button(self) -> Locator:
        return self.main.get_by_role("button", name="Create account")
