"""Limits that hold the production way: two gunicorn workers on the embedded default (SQLite, no
Redis) count the same sign-ups and password resets, and a restart forgets none of them."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from .servers import Browser, Shop

pytestmark = pytest.mark.servers

LIMIT = 4


@pytest.fixture
def shop(tmp_path, static_root):
    shop = Shop.create(
        tmp_path,
        static_root,
        SIGNUP_RATE_LIMIT=str(LIMIT),
        PASSWORD_RESET_RATE_LIMIT="100",
        PASSWORD_RESET_ACCOUNT_RATE_LIMIT=str(LIMIT),
    )
    yield shop
    shop.stop_all()


def sign_up(base: str, n: int) -> int:
    browser = Browser()
    browser.get(f"{base}/accounts/signup/")
    fields = {"username": f"new{n}", "email": f"new{n}@example.com", "next": ""}
    fields["password1"] = fields["password2"] = "a-long-enough-passphrase"
    return browser.request(f"{base}/accounts/signup/", fields).status


def ask_for_reset(base: str) -> int:
    browser = Browser()
    browser.get(f"{base}/accounts/password_reset/")
    return browser.request(f"{base}/accounts/password_reset/", {"email": "ann@example.com"}).status


def count(shop: Shop, sql: str) -> int:
    with sqlite3.connect(shop.folder / "shop.sqlite3") as database:
        found = database.execute(sql).fetchone()[0]
    database.close()
    return found


def test_two_workers_and_a_restart_count_the_same_sign_ups_and_resets(shop):
    base = shop.start_web("first", workers=2)
    with ThreadPoolExecutor(max_workers=6) as pool:
        signups = list(pool.map(lambda n: sign_up(base, n), range(3 * LIMIT)))
        resets = list(pool.map(lambda _: ask_for_reset(base), range(3 * LIMIT)))
    # A sign-up that got through answers with its redirect to the shop (followed: 200).
    assert sorted(signups) == [200] * LIMIT + [429] * (2 * LIMIT)
    assert count(shop, "SELECT count(*) FROM auth_user WHERE username LIKE 'new%'") == LIMIT
    assert sorted(resets) == [200] * LIMIT + [429] * (2 * LIMIT)
    # Each sign-up writes its own job too (the welcome email); the resets' jobs are counted here.
    resets_queued = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%password_reset_send'"
    )
    assert count(shop, resets_queued) == LIMIT

    shop.stop_all()
    base = shop.start_web("second", workers=2)
    assert sign_up(base, 99) == 429
    assert ask_for_reset(base) == 429
