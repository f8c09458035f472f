"""Creating an account: mistakes in the form never count against the network's sign-up limit (issue 13,
finding 13); the limit counts accounts created, and says so when it is reached."""

import re
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from storefront.tests.factories import make_user

from .pages import SignInPage, SignUpPage


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


def test_the_owner_of_an_account_under_attack_signs_in_from_a_new_browser_with_an_emailed_link(
    page: Page, shop, javascript, assert_accessible, settings
):
    """Issue 20, item 5: someone guessing at ann's password has paused sign-in on browsers she never
    used; on a new one she asks for a link by email and signs in with it, once."""
    settings.AXES_FAILURE_LIMIT = 3
    make_user("ann", password="plum-tree-orbit-47", email="ann@example.com")
    sign_in = SignInPage(page, javascript=javascript).goto()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in.sign_in("ann", "a-wrong-guess")
    expect(sign_in.main).to_contain_text("sign-in link")
    assert_accessible(page)

    sign_in.main.get_by_label("Email").fill("ann@example.com")
    sign_in.main.get_by_role("button", name="Email me a sign-in link").click()
    expect(sign_in.main.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    call_command("db_worker", batch=True, reload=False, startup_delay=False, queue_name="*", verbosity=0)
    [email] = [message for message in mail.outbox if message.to == ["ann@example.com"]]
    link = re.search(r"https?://\S+/accounts/login/link/\S+/", email.body)
    assert link, email.body
    page.goto(urlsplit(link[0]).path)
    expect(sign_in.main).to_contain_text("This link signs you in as ann on this device.")
    assert_accessible(page)
    sign_in.main.get_by_role("button", name="Sign in").click()
    sign_in.header.expect_signed_in_as("ann")

    # Once only: the same link again is refused, with a way to a new one.
    sign_in.header.sign_out_button.click()
    page.goto(urlsplit(link[0]).path)
    expect(sign_in.main.get_by_role("heading", level=1)).to_have_text("Sign-in link not valid")
    assert_accessible(page)
