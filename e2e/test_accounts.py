"""Creating an account: mistakes in the form never count against the network's sign-up limit (issue 13,
finding 13); the limit counts accounts created, and says so when it is reached."""

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from .pages import SignUpPage


def fill_sign_up(sign_up: SignUpPage, name: str, *, confirmation: str = "plum-tree-orbit-47") -> None:
    sign_up.username.fill(name)
    sign_up.email.fill(f"{name}@example.com")
    sign_up.password.fill("plum-tree-orbit-47")
    sign_up.password_confirmation.fill(confirmation)
    sign_up.create_account_button.click()


def test_mistyped_sign_ups_do_not_use_up_the_limit(page: Page, shop, javascript, settings, assert_accessible):
    settings.SIGNUP_RATE_LIMIT = 1
    sign_up = SignUpPage(page, javascript=javascript).goto()
    for attempt in range(3):
        fill_sign_up(sign_up, f"ann{attempt}", confirmation="a-typo")
        expect(sign_up.main).to_contain_text("The two password fields didn’t match.")
    assert_accessible(page)

    fill_sign_up(sign_up, "ann")
    # Worded alike whether or not the address already had an account (issue 20, item 7).
    expect(sign_up.messages).to_contain_text("We’ve sent an email to the address you entered: please check your inbox.")
    sign_up.header.expect_signed_in_as("ann")

    # The one account the limit allows this hour is made: the next is refused, truthfully.
    sign_up.header.sign_out_button.click()
    SignUpPage(page, javascript=javascript).goto()
    fill_sign_up(sign_up, "bob")
    expect(sign_up.main.get_by_role("alert")).to_have_text(
        "Too many accounts were created from your network in the last hour. Please try again later."
    )
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["ann"]
