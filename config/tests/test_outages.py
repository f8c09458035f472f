"""Outages of the database, for real: gunicorn on PostgreSQL while the server restarts and while it
is down, and on SQLite while another process holds the write lock. The shop answers 503 with
Retry-After (never a 500 or a 400) while the database is unavailable, loses nothing, and answers
normally again as soon as it is back. (A Redis outage: test_scale_out.py. A full disk and the
other failures, one by one: test_error_pages.py.)"""

import sqlite3
import threading

import pytest

from .helpers import HTMX
from .servers import PASSWORD, USERNAME, Browser, Shop, cart_count, signed_in_as

pytestmark = pytest.mark.servers


def sign_in(browser: Browser, base: str) -> None:
    browser.get(f"{base}/accounts/login/")
    page = browser.post(f"{base}/accounts/login/", {"username": USERNAME, "password": PASSWORD, "next": ""})
    assert signed_in_as(page) == USERNAME


def assert_unavailable(answer) -> None:
    assert answer.status == 503, (answer.status, answer.text[:300])
    assert answer.headers["Retry-After"] == "10"
    assert "Nothing was lost" in answer.text


@pytest.fixture
def postgres_shop(tmp_path, postgres_server, static_root):
    # Connections are kept between requests, as in production, so a restart leaves every web worker
    # holding a dead one: the health check before reuse must notice.
    shop = Shop.create(tmp_path, static_root, DATABASE_URL=postgres_server.url, DATABASE_CONN_MAX_AGE="600")
    yield shop
    shop.stop_all()


def test_postgresql_restarting_or_down_never_answers_500_and_costs_no_request_after_it(postgres_shop, postgres_server):
    base = postgres_shop.start_web(workers=1)  # one worker: the next request surely meets its connection
    browser = Browser()
    sign_in(browser, base)
    add = f"{base}/cart/add/{postgres_shop.product_id}/"
    browser.post(add, {"quantity": "1"})
    assert postgres_server.client_connections() == 1  # kept open between requests

    postgres_server.restart()

    # Every request after the restart is answered normally: no worker reuses its dead connection.
    answers = [Browser().request(f"{base}/products/").status for _ in range(10)]
    assert answers == [200] * 10
    page = browser.post(add, {"quantity": "1"})
    assert cart_count(page) == 2

    postgres_server.stop()

    assert_unavailable(Browser().request(f"{base}/products/"))
    assert_unavailable(browser.request(f"{base}/cart/"))
    assert_unavailable(browser.request(add, {"quantity": "1"}))
    fragment = browser.request(
        add, {"quantity": "1"}, {**HTMX, "HX-Target": f"add-to-cart-detail-{postgres_shop.product_id}"}
    )
    assert fragment.status == 503
    assert fragment.headers["HX-Retarget"] == "#service-status"
    assert "<html" not in fragment.text

    postgres_server.start()

    page = browser.get(f"{base}/cart/")
    assert signed_in_as(page) == USERNAME
    assert cart_count(page) == 2  # what was refused while it was down was not half-done


def test_a_sqlite_write_lock_held_past_the_timeout_answers_503_and_reads_go_on(sqlite_shop):
    base = sqlite_shop.start_web()
    browser = Browser()
    add = f"{base}/cart/add/{sqlite_shop.product_id}/"
    browser.get(f"{base}/products/kettle/")
    browser.post(add, {"quantity": "1"})

    # Another process (a backup, a stuck script) takes the write lock and keeps it.
    holder = sqlite3.connect(sqlite_shop.folder / "shop.sqlite3", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    released = threading.Event()
    try:
        # Reading goes on (WAL): the catalog and the product page answer.
        assert Browser().get(f"{base}/products/")
        # A write waits for the lock up to the busy timeout, then is refused as unavailable, with the
        # session (saved after the view) refused the same way: never a 400 "malformed request".
        assert_unavailable(browser.request(add, {"quantity": "1"}))
    finally:
        holder.rollback()
        holder.close()
        released.set()

    page = browser.post(add, {"quantity": "1"})
    assert cart_count(page) == 2
