"""The scale-out path, for real: gunicorn with REDIS_URL keeps no state of its own, and a Redis outage
costs no session and no error page.

A real redis-server and a real gunicorn, driven over HTTP by a client with a cookie jar: a shopper
signs in and fills the cart; the web server is replaced by another process, and the same cookie still
opens the same signed-in session with the same cart; Redis stops, then comes back empty, and the
shopper goes on shopping throughout.
"""

import pytest

from .servers import PASSWORD, USERNAME, Browser, Shop, cart_count, signed_in_as

pytestmark = pytest.mark.servers


@pytest.fixture
def shop(tmp_path, redis_server, static_root):
    shop = Shop.create(tmp_path, static_root, REDIS_URL=redis_server.url)
    yield shop
    shop.stop_all()


def test_a_session_outlives_the_web_process_and_a_redis_outage(shop, redis_server):
    first = shop.start_web("first")
    browser = Browser()
    browser.get(f"{first}/accounts/login/")
    page = browser.post(f"{first}/accounts/login/", {"username": USERNAME, "password": PASSWORD, "next": ""})
    assert signed_in_as(page) == USERNAME
    add = f"/cart/add/{shop.product_id}/"
    page = browser.post(first + add, {"quantity": "1"})
    assert cart_count(page) == 1
    shop.stop_all()

    # Another process, the same session (kept in the database, which every host shares).
    second = shop.start_web("second")
    page = browser.get(f"{second}/cart/")
    assert signed_in_as(page) == USERNAME
    assert cart_count(page) == 1
    assert redis_server.answers()

    # Redis stops: every page still answers, and nothing the shopper had is gone.
    redis_server.stop()
    assert not redis_server.answers()
    page = browser.get(f"{second}/cart/")
    assert signed_in_as(page) == USERNAME
    assert cart_count(page) == 1
    page = browser.post(second + add, {"quantity": "2"})
    assert cart_count(page) == 3
    htmx = browser.request(second + add, {"quantity": "1"}, {"HX-Request": "true", "HX-Target": "add-to-cart-detail"})
    assert htmx.status == 200
    assert browser.get(f"{second}/products/kettle/")  # and guests' pages too
    assert Browser().get(f"{second}/products/")

    # Redis is back, empty (a restart): nothing was lost meanwhile.
    redis_server.start()
    page = browser.get(f"{second}/cart/")
    assert signed_in_as(page) == USERNAME
    assert cart_count(page) == 4
