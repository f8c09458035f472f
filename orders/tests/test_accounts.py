import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth import SESSION_KEY, get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from cart.models import Cart
from cart.services import CART_SESSION_KEY
from cart.tests.factories import make_cart, make_line, make_user
from storefront.tests.factories import make_product

pytestmark = pytest.mark.django_db

User = get_user_model()

SIGNUP_URL = reverse("signup")
LOGIN_URL = reverse("login")
HOME_URL = reverse("storefront:product_list")  # settings.LOGIN_REDIRECT_URL and LOGOUT_REDIRECT_URL
NEW_PASSWORD = "plum-tree-orbit-47"


def signup_data(**changes: str) -> dict[str, str]:
    data = {"username": "ann", "email": "ann@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    data.update(changes)
    return data


def signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def main_content(html: str) -> str:
    """The page without its header and footer (whose "Sign in" link and language switch carry the current URL)."""
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def hidden_next(html: str) -> str:
    return re.search(r'<input type="hidden" name="next" value="([^"]*)"', html).group(1)


# --- Sign up -----------------------------------------------------------------------------------


def test_signup_page_is_a_form_with_a_label_for_every_field(client):
    response = client.get(SIGNUP_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="{SIGNUP_URL}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for name in ("username", "email", "password1", "password2"):
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html
    assert 'autocomplete="email"' in html
    assert 'id="id_password1_helptext"' in html  # the password rules


def test_signup_creates_the_account_signs_in_and_redirects_303(client):
    response = client.post(SIGNUP_URL, signup_data())
    assert response.status_code == 303
    assert response["Location"] == HOME_URL
    user = User.objects.get(username="ann")
    assert user.email == "ann@example.com"
    assert user.check_password(NEW_PASSWORD)
    assert signed_in_user_id(client) == str(user.pk)
    assert "Welcome, ann! Your account is ready" in client.get(HOME_URL).content.decode()


def test_signup_moves_the_guest_cart_into_the_new_account(client):
    guest_cart = make_cart()
    product = make_product(name="Kettle")
    make_line(cart=guest_cart, product=product, quantity=2)
    session = client.session
    session[CART_SESSION_KEY] = guest_cart.pk
    session.save()

    client.post(SIGNUP_URL, signup_data())

    user = User.objects.get(username="ann")
    cart = Cart.objects.get(user=user)
    assert dict(cart.lines.values_list("product_id", "quantity")) == {product.pk: 2}
    assert client.session[CART_SESSION_KEY] == cart.pk
    assert not Cart.objects.filter(user__isnull=True).exists()


@pytest.mark.parametrize("email", ["Ann@Example.com", "ANN@EXAMPLE.COM"])
def test_signup_refuses_an_email_that_already_has_an_account_in_any_case(client, email):
    make_user(username="first", email="ann@example.com")
    response = client.post(SIGNUP_URL, signup_data(email=email))
    html = response.content.decode()
    assert response.status_code == 422
    assert '<p class="field-error" id="id_email_error">An account with this email already exists.</p>' in html
    assert re.search(r'<input type="email" name="email"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input type="email" name="email"[^>]*aria-describedby="[^"]*id_email_error', html)
    assert not User.objects.filter(username="ann").exists()
    assert signed_in_user_id(client) is None


def test_signup_refuses_mismatched_passwords(client):
    response = client.post(SIGNUP_URL, signup_data(password2="something-else-entirely"))
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_password2_error">The two password fields didn’t match.' in html
    assert 'value="ann@example.com"' in html  # what was typed is kept
    assert not User.objects.filter(username="ann").exists()


def test_signup_refuses_a_username_taken_in_another_case(client):
    make_user(username="Ann")
    response = client.post(SIGNUP_URL, signup_data(username="ann"))
    assert response.status_code == 422
    assert 'id="id_username_error">A user with that username already exists.' in response.content.decode()


def test_signup_stores_the_email_with_its_domain_in_lower_case(client):
    client.post(SIGNUP_URL, signup_data(email="Ann.Lee@Example.COM"))
    assert User.objects.get(username="ann").email == "Ann.Lee@example.com"


def test_signup_goes_on_to_a_safe_next(client):
    response = client.post(SIGNUP_URL, signup_data(next="/cart/?from=signup"))
    assert response.status_code == 303
    assert response["Location"] == "/cart/?from=signup"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_signup_never_redirects_off_site(client, next_url):
    response = client.post(SIGNUP_URL, signup_data(next=next_url))
    assert response.status_code == 303
    assert response["Location"] == HOME_URL


def test_signup_page_carries_only_a_safe_next(client):
    html = client.get(SIGNUP_URL, {"next": "/cart/"}).content.decode()
    assert hidden_next(html) == "/cart/"
    assert f'href="{LOGIN_URL}?next=/cart/"' in html
    html = client.get(SIGNUP_URL, {"next": "https://evil.example/"}).content.decode()
    assert hidden_next(html) == ""
    assert "evil.example" not in main_content(html)


def test_signed_in_visitor_is_sent_on_from_signup(client):
    client.force_login(make_user())
    response = client.get(SIGNUP_URL)
    assert response.status_code == 303
    assert response["Location"] == HOME_URL
    assert client.get(SIGNUP_URL, {"next": "/cart/"})["Location"] == "/cart/"
    assert User.objects.count() == 1


# --- Sign in and sign out ---------------------------------------------------------------------


def test_login_page_links_to_signup_and_password_reset(client):
    html = client.get(LOGIN_URL, {"next": "/cart/"}).content.decode()
    assert f'href="{SIGNUP_URL}?next=/cart/">Create an account</a>' in html
    assert f'href="{reverse("password_reset")}">Forgot your password?</a>' in html


def test_login_errors_are_tied_to_their_fields(client):
    html = client.post(LOGIN_URL, {"username": "", "password": ""}).content.decode()
    assert '<p class="field-error" id="id_username_error">This field is required.</p>' in html
    assert re.search(r'<input type="text" name="username"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input type="text" name="username"[^>]*aria-describedby="id_username_error"', html)


def test_login_with_a_wrong_password_shows_the_form_error(client):
    make_user(username="ann")
    html = client.post(LOGIN_URL, {"username": "ann", "password": "wrong"}).content.decode()
    assert '<div class="message message-error" role="alert">Please enter a correct username and password.' in html
    assert signed_in_user_id(client) is None


def test_logout_is_post_only(client):
    user = make_user()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in_user_id(client) == str(user.pk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == HOME_URL
    assert signed_in_user_id(client) is None


# --- Password change -----------------------------------------------------------------------------


def test_password_change_requires_sign_in(client):
    url = reverse("password_change")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={url}"


def test_password_change_sets_the_new_password_and_keeps_the_visitor_signed_in(client):
    user = make_user(username="ann", password="correct-horse-battery")
    client.force_login(user)
    url = reverse("password_change")
    html = client.get(url).content.decode()
    assert f'<form method="post" action="{url}"' in html
    assert '<label for="id_old_password">' in html

    response = client.post(
        url, {"old_password": "correct-horse-battery", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    done = client.get(response["Location"])
    assert done.status_code == 200  # still signed in: the done page needs a login
    assert "Password changed" in done.content.decode()


def test_password_change_refuses_a_wrong_old_password(client):
    user = make_user(password="correct-horse-battery")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert 'id="id_old_password_error">Your old password was entered incorrectly.' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


def test_admin_password_change_still_posts_to_the_admin(client):
    # Django's admin renders registration/password_change_form.html too.
    client.force_login(make_user(is_staff=True))
    html = client.get(reverse("admin:password_change")).content.decode()
    assert f'<form method="post" action="{reverse("admin:password_change")}"' in html


# --- Password reset ------------------------------------------------------------------------------


def test_password_reset_emails_a_link_that_sets_a_new_password(client, mailoutbox, run_jobs):
    user = make_user(username="ann", email="ann@example.com")
    response = client.post(reverse("password_reset"), {"email": "ANN@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []  # the email is the worker's job, not the request's
    run_jobs()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["ann@example.com"]
    assert email.subject == "Reset your password at testserver"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)

    set_password_url = client.get(link)["Location"]  # Django moves the token into the session
    html = client.get(set_password_url).content.decode()
    assert "Choose a new password" in html
    assert '<label for="id_new_password1">' in html
    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert f'href="{LOGIN_URL}"' in client.get(response["Location"]).content.decode()
    # The link works only once.
    assert "Reset link not valid" in client.get(link).content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []
    assert "If an account uses the address you entered" in client.get(response["Location"]).content.decode()


def test_a_broken_reset_link_offers_a_new_one(client):
    url = reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "not-a-token"})
    html = client.get(url).content.decode()
    assert "Reset link not valid" in html
    assert "<form" not in main_content(html)
    assert f'href="{reverse("password_reset")}">Request a new link</a>' in html


# --- The shared field include -------------------------------------------------------------------


class ExampleForm(forms.Form):
    email = forms.EmailField(help_text="We never share it.")
    agree = forms.BooleanField(label="I agree")
    shipping = forms.ChoiceField(choices=[("standard", "Standard"), ("express", "Express")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput)


def render_field(form: forms.Form, name: str) -> str:
    return render_to_string("includes/form_field.html", {"field": form[name]})


def test_field_include_links_help_and_error_to_the_input():
    html = render_field(ExampleForm(data={}), "email")
    assert html.index('<label for="id_email">') < html.index("<input")
    assert '<div class="helptext" id="id_email_helptext">We never share it.</div>' in html
    assert '<p class="field-error" id="id_email_error">This field is required.</p>' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'class="field field-email has-error"' in html


def test_field_include_puts_a_checkbox_before_its_label():
    html = render_field(ExampleForm(), "agree")
    assert html.index('<input type="checkbox"') < html.index('<label for="id_agree">I agree</label>')
    assert "aria-invalid" not in html


def test_field_include_groups_radio_buttons_in_a_fieldset():
    html = render_field(ExampleForm(data={}), "shipping")
    assert html.strip().startswith(
        '<fieldset class="field field-shipping has-error" aria-describedby="id_shipping_error">'
    )
    assert "<legend>Shipping</legend>" in html
    assert html.count('type="radio"') == 2


def test_field_include_renders_a_hidden_field_bare():
    html = render_field(ExampleForm(), "token").strip()
    assert html.startswith('<input type="hidden" name="token"')
    assert "<label" not in html


# --- Email settings ------------------------------------------------------------------------------


MAILER_REPORT = """
import warnings
from django.utils.deprecation import RemovedInDjango2028Warning
warnings.simplefilter("error", RemovedInDjango2028Warning)  # no deprecated EMAIL_* settings
from django.conf import settings
from django.core.mail import mailers
m = mailers.default
print(type(m).__module__, getattr(m, "host", "-"), getattr(m, "port", "-"), getattr(m, "use_tls", "-"), getattr(m, "timeout", "-"))
print(settings.DEFAULT_FROM_EMAIL)
"""


def mailer_report(**env: str) -> list[str]:
    """The default mailer and sender as a fresh interpreter builds them with exactly these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "DEFAULT_FROM", "STORE_"))}
    return subprocess.run(
        [sys.executable, "-c", MAILER_REPORT],
        cwd=Path(__file__).resolve().parents[2],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


def test_email_goes_to_the_console_by_default():
    assert mailer_report() == ["django.core.mail.backends.console - - - -", "Storefront <shop@localhost>"]


def test_email_goes_through_smtp_when_a_host_is_set():
    env = {"EMAIL_HOST": "smtp.example.com", "EMAIL_HOST_USER": "shop", "DEFAULT_FROM_EMAIL": "Shop <shop@example.com>"}
    assert mailer_report(**env) == [
        "django.core.mail.backends.smtp smtp.example.com 587 True 10",
        "Shop <shop@example.com>",
    ]
    assert mailer_report(EMAIL_HOST="mail.local", EMAIL_PORT="25", EMAIL_USE_TLS="0")[0].endswith(
        "mail.local 25 False 10"
    )
