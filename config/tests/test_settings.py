import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 60


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with exactly these DJANGO_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = load_settings(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="shop.example")
    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = load_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_key_and_hosts():
    result = load_settings(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="shop.example,www.shop.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['shop.example', 'www.shop.example']"


def test_development_is_the_default():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True")


def test_production_uses_hashed_compressed_static_files():
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env = {**clean, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "x"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_sqlite_is_tuned_for_a_web_server(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(connection.settings_dict['OPTIONS']['transaction_mode'], "
        "*(c.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode', 'busy_timeout', 'foreign_keys')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": f"sqlite:///{tmp_path}/t.db"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["IMMEDIATE", "wal", "5000", "1"]


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
        cwd=ROOT,
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


def test_every_type_ignore_names_its_error_and_says_why():
    """`# type: ignore[code]  # reason`: mypy checks the code (ignore-without-code), this the reason."""
    root = Path(__file__).resolve().parents[2]
    needle = "type: " + "ignore"  # spelled apart, so that this test does not find itself
    bare = []
    for app in ("storefront", "cart", "accounts", "orders", "config"):
        for path in (root / app).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if needle in line and not re.search(needle + r"\[[-a-z, ]+\]  # \S", line):
                    bare.append(f"{path.relative_to(root)}:{number}")
    assert bare == []
