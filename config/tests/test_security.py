import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import RateLimitHit
from cart.tests.factories import make_user
from config.security import client_ip

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "p" * 20 + "-production-secret-key-for-the-deploy-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "shop.example",
    "EMAIL_HOST": "smtp.example",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_emails_would_only_be_printed():
    settings = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_HOST"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **settings)
    assert result.returncode != 0
    assert "config.W001" in result.stdout + result.stderr


def test_deploy_check_complains_when_https_is_switched_off():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, DJANGO_HTTPS="0")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy(client):
    response = client.get(reverse("storefront:product_list"))
    policy = dict(
        part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["script-src"].startswith("'self' 'nonce-")
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    nonce = policy["script-src"].split("'nonce-")[1].rstrip("'")
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html, "htmx is loaded with the request's nonce"
    assert "<script>" not in html, "no inline scripts"
    assert " style=" not in html, "no inline styles"


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get(reverse("storefront:product_list"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_httponly_and_samesite(client):
    client.get(reverse("login"))
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"
    make_user(username="ann", password="correct-horse-battery")
    client.post(reverse("login"), {"username": "ann", "password": "correct-horse-battery"})
    session = client.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


@pytest.mark.django_db
def test_sign_in_is_locked_after_repeated_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user(username="ann", password="correct-horse-battery")
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "ann", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    # Even the right password is refused until the cool-off has passed.
    response = client.post(reverse("login"), {"username": "ann", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failures_from_other_addresses_never_lock_the_owner_out(client, settings):
    """Five wrong passwords from five addresses used to lock the real owner out everywhere."""
    settings.AXES_FAILURE_LIMIT = 3
    make_user(username="ann", password="correct-horse-battery")
    for n in range(5):
        for _ in range(3):
            client.post(reverse("login"), {"username": "ann", "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{n}")
    # Each of those addresses is locked out of the account ...
    response = client.post(
        reverse("login"), {"username": "ann", "password": "correct-horse-battery"}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    assert "Sign-in is paused for this account and network after 3 failed attempts" in response.content.decode()
    # ... but not the owner on another network: on a browser new to the account they wait for the
    # next pause to pass (the guesser took this one), then get in.
    RateLimitHit.objects.update(at=timezone.now() - timedelta(seconds=11))
    response = Client().post(
        reverse("login"), {"username": "ann", "password": "correct-horse-battery"}, REMOTE_ADDR="10.0.0.99"
    )
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_username_too_long_for_any_account_is_a_form_error(client, url):
    response = client.post(url, {"username": "a" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters (it has 300)." in response.content.decode()
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_a_locked_out_address_may_still_sign_in_to_another_account(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user(username="ann", password="correct-horse-battery")
    make_user(username="bob", password="battery-staple-horse")
    for _ in range(3):
        client.post(reverse("login"), {"username": "ann", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "bob", "password": "battery-staple-horse"}).status_code == 302


def fail_from_many_addresses(username: str, times: int) -> None:
    for n in range(times):
        Client().post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=f"10.1.0.{n}")


def sign_in(browser: Client, username: str, password: str, *, url: str = "/accounts/login/", address: str = "10.2.0.1"):
    return browser.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_an_account_under_attack_gives_new_browsers_one_attempt_per_pause(settings):
    settings.SIGN_IN_SLOWDOWN_AFTER, settings.SIGN_IN_SLOWDOWN_SECONDS = 4, 10
    make_user(username="ann", password="correct-horse-battery", is_staff=True)
    fail_from_many_addresses("ann", 4)
    # One attempt gets through (and fails) ...
    assert sign_in(Client(), "ann", "wrong", address="10.2.0.9").status_code == 200
    attempts_before = AccessAttempt.objects.count()

    # ... and every other within the pause is refused before any password is checked, however the
    # name is spelled and whichever sign-in form is used.
    for username, url in [
        ("ann", "/accounts/login/"),
        ("ann ", "/accounts/login/"),
        ("ａnn", "/accounts/login/"),  # full-width a: the form normalises it to "ann"
        ("ann", reverse("admin:login")),
    ]:
        response = sign_in(Client(), username, "correct-horse-battery", url=url)
        assert response.status_code == 429, (username, url)
        assert "please wait 10 seconds and try again" in response.content.decode().lower()
        assert "_auth_user_id" not in response.wsgi_request.session
    assert AccessAttempt.objects.aggregate(total=Sum("failures_since_start"))["total"] == 5
    assert AccessAttempt.objects.count() == attempts_before

    # Once the pause has passed, the next attempt is heard.
    RateLimitHit.objects.update(at=timezone.now() - timedelta(seconds=11))
    assert sign_in(Client(), "ann", "correct-horse-battery").status_code == 302


@pytest.mark.django_db
def test_the_owner_on_a_browser_they_signed_in_on_is_never_slowed_down(settings):
    settings.SIGN_IN_SLOWDOWN_AFTER = 4
    ann = make_user(username="ann", password="correct-horse-battery")
    owner = Client()
    assert sign_in(owner, "ann", "correct-horse-battery").status_code == 302
    assert owner.cookies["known_device"]["httponly"]
    owner.post(reverse("logout"))
    fail_from_many_addresses("ann", 6)  # the fifth took this pause's attempt
    assert sign_in(Client(), "ann", "correct-horse-battery").status_code == 429  # a browser new to ann waits

    assert sign_in(owner, "ann", "correct-horse-battery").status_code == 302
    owner.post(reverse("logout"))

    # The cookie speaks for that account only, for its current password, and cannot be altered.
    make_user(username="bob", password="battery-staple-horse")
    fail_from_many_addresses("bob", 6)
    assert sign_in(owner, "bob", "battery-staple-horse").status_code == 429
    forged = Client()
    forged.cookies["known_device"] = owner.cookies["known_device"].value.replace(str(ann.pk), "999")
    assert sign_in(forged, "ann", "correct-horse-battery").status_code == 429
    ann.set_password("a-brand-new-passphrase")
    ann.save()
    assert sign_in(owner, "ann", "a-brand-new-passphrase").status_code == 429


@pytest.mark.django_db
def test_a_new_password_lifts_every_lockout_of_the_account(client, settings, mailoutbox, run_jobs):
    settings.AXES_FAILURE_LIMIT, settings.SIGN_IN_SLOWDOWN_AFTER = 3, 4
    make_user(username="ann", email="ann@example.com", password="correct-horse-battery")
    for _ in range(3):
        client.post(reverse("login"), {"username": "ann", "password": "wrong"})
    fail_from_many_addresses("ann", 3)
    assert client.post(reverse("login"), {"username": "ann", "password": "correct-horse-battery"}).status_code == 429

    client.post(reverse("password_reset"), {"email": "ann@example.com"})
    run_jobs()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    set_password = client.get(link)["Location"]
    new = {"new_password1": "plum-tree-orbit-47", "new_password2": "plum-tree-orbit-47"}
    assert client.post(set_password, new)["Location"] == reverse("password_reset_complete")

    assert not AccessAttempt.objects.filter(username="ann").exists()
    assert client.post(reverse("login"), {"username": "ann", "password": "plum-tree-orbit-47"}).status_code == 302


@pytest.mark.django_db
def test_sign_up_is_rate_limited_per_address(client, settings):
    settings.SIGNUP_RATE_LIMIT = 2
    for n in range(2):
        data = {
            "username": f"new{n}",
            "email": f"new{n}@example.com",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        }
        assert client.post(reverse("signup"), data).status_code == 303
        client.post(reverse("logout"))
    data = {**data, "username": "third", "email": "third@example.com"}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 429
    assert "Too many accounts" in response.content.decode()
    assert not get_user_model().objects.filter(username="third").exists()


def signup_form(name: str, **changes: str) -> dict[str, str]:
    password = "a-long-enough-passphrase"
    return {"username": name, "email": f"{name}@example.com", "password1": password, "password2": password, **changes}


@pytest.mark.django_db
def test_mistyped_sign_ups_do_not_count_as_accounts(client, settings):
    settings.SIGNUP_RATE_LIMIT = 2
    for n in range(10):
        response = client.post(reverse("signup"), signup_form(f"typo{n}", password2="does-not-match"))
        assert response.status_code == 422
    assert client.post(reverse("signup"), signup_form("ann")).status_code == 303
    assert get_user_model().objects.filter(username="ann").exists()


@pytest.mark.django_db
def test_sign_up_attempts_are_limited_too_more_loosely_and_said_so(client, settings):
    settings.SIGNUP_ATTEMPT_LIMIT = 3
    for n in range(3):
        client.post(reverse("signup"), signup_form(f"typo{n}", password2="does-not-match"))
    response = client.post(reverse("signup"), signup_form("ann"))
    assert response.status_code == 429
    assert "Too many attempts to create an account came from your network" in response.content.decode()
    assert "accounts were created" not in response.content.decode()
    assert not get_user_model().objects.filter(username="ann").exists()


@pytest.mark.django_db
def test_sign_ups_are_counted_in_the_database_not_in_a_process(client, settings):
    """What a restart or another worker process sees: an empty cache, the same database."""
    settings.SIGNUP_RATE_LIMIT = 1
    data = {"username": "one", "email": "one@example.com", "password1": "a-long-enough-passphrase"}
    data["password2"] = data["password1"]
    assert client.post(reverse("signup"), data).status_code == 303
    client.post(reverse("logout"))
    cache.clear()
    response = Client().post(reverse("signup"), {**data, "username": "two", "email": "two@example.com"})
    assert response.status_code == 429


@pytest.mark.django_db
def test_password_reset_is_limited_per_address(client, settings, run_jobs):
    settings.PASSWORD_RESET_RATE_LIMIT = 2
    for n in range(2):
        assert client.post(reverse("password_reset"), {"email": f"user{n}@example.com"}).status_code == 302
    response = client.post(reverse("password_reset"), {"email": "user9@example.com"})
    assert response.status_code == 429
    assert "Too many password reset links" in response.content.decode()
    assert len(run_jobs()) == 2


@pytest.mark.django_db
def test_password_reset_is_limited_per_account_whichever_address_asks(settings, run_jobs):
    settings.PASSWORD_RESET_ACCOUNT_RATE_LIMIT = 2
    make_user(username="ann", email="ann@example.com")
    answers = [
        Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=f"10.3.0.{n}").status_code
        for n, email in enumerate(["ann@example.com", "ANN@example.com", "ann@EXAMPLE.com"])
    ]
    assert answers == [302, 302, 429]
    assert len(run_jobs()) == 2


def test_client_ip_trusts_only_the_configured_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"
