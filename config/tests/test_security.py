import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

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
def test_one_account_is_protected_from_many_addresses(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user(username="ann", password="correct-horse-battery")
    for n in range(3):
        client.post(reverse("login"), {"username": "ann", "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{n}")
    response = client.post(
        reverse("login"), {"username": "ann", "password": "correct-horse-battery"}, REMOTE_ADDR="10.0.0.99"
    )
    assert response.status_code == 429


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


def test_client_ip_trusts_only_the_configured_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"
