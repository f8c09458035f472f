"""Checkouts racing each other, in real threads on a real SQLite file.

The test database is SQLite's shared-cache in-memory database, whose table locks are not waited
for ("database table is locked" at once) — unlike a file, where writers queue up behind
busy_timeout the way they do in production. So these tests copy the test database into a file
for their own duration only; the rest of the suite stays in memory.
"""

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections

from cart.models import CartLine
from storefront.tests.factories import make_product, make_variant

from .. import services
from ..models import Order
from ..services import OrderError, order_place
from .factories import cart_with, order_details

pytestmark = pytest.mark.django_db(transaction=True)

SHOPPERS = 8


@pytest.fixture
def sqlite_file_db(tmp_path) -> Iterator[None]:
    """Point the default database at a file copy of the test database until the test ends."""
    in_memory = connections["default"]
    if in_memory.vendor != "sqlite" or not in_memory.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite's wrapper (vendor checked first)
        yield  # already a server or a file: nothing to do
        return
    in_memory_settings = connections.settings["default"]
    file_settings = {**in_memory_settings, "NAME": str(tmp_path / "concurrency.sqlite3")}
    in_memory.ensure_connection()
    with sqlite3.connect(file_settings["NAME"]) as copy:
        in_memory.connection.backup(copy)
    copy.close()
    # Connections opened from now on (this thread's and every worker's) use the file; the in-memory
    # connection stays open, untouched, since closing it would destroy the suite's database.
    connections.settings["default"] = file_settings
    connections["default"] = in_memory.__class__(file_settings, "default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = in_memory
        connections.settings["default"] = in_memory_settings


def run_together(calls: list[Callable[[], object]]) -> list[object]:
    """Run each call in its own thread, all released at once; returns each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a checkout hung"
    return results


def place(cart) -> Callable[[], Order]:
    return lambda: order_place(cart=cart, customer=None, details=order_details(), submission_key=uuid.uuid4())


def test_the_database_is_a_file_or_a_server_for_these_tests(sqlite_file_db):
    assert connection.vendor != "sqlite" or not connection.is_in_memory_db()  # type: ignore[attr-defined]  # SQLite's wrapper (vendor checked first)


def test_eight_shoppers_racing_for_three_items_get_three_orders_and_stock_ends_at_zero(sqlite_file_db):
    product = make_product(stock_quantity=3)
    carts = [cart_with((product, 1)) for _ in range(SHOPPERS)]

    results = run_together([place(cart) for cart in carts])

    orders = [result for result in results if isinstance(result, Order)]
    refusals = [result for result in results if isinstance(result, OrderError)]
    assert len(orders) == 3, results
    assert len(refusals) == SHOPPERS - 3, results
    assert all(refusal.problems for refusal in refusals)
    assert Order.objects.count() == 3
    assert len({order.pk for order in orders}) == 3
    product.refresh_from_db()
    assert product.stock_quantity == 0
    # The winners' carts are emptied, the losers' carts are kept for them to review.
    assert CartLine.objects.count() == SHOPPERS - 3


def test_racing_shoppers_never_oversell_a_multi_item_cart(sqlite_file_db):
    kettle, mug = make_product(stock_quantity=5), make_product(stock_quantity=5)
    carts = [cart_with((kettle, 2), (mug, 1)) for _ in range(SHOPPERS)]

    results = run_together([place(cart) for cart in carts])

    assert sum(isinstance(result, Order) for result in results) == 2, results
    kettle.refresh_from_db()
    mug.refresh_from_db()
    assert (kettle.stock_quantity, mug.stock_quantity) == (1, 3)


def test_the_same_order_form_submitted_twice_at_once_places_one_order(sqlite_file_db):
    product = make_product(stock_quantity=5)
    cart = cart_with((product, 2))
    key = uuid.uuid4()

    def submit() -> Order:
        return order_place(cart=cart, customer=None, details=order_details(), submission_key=key)

    results = run_together([submit, submit])

    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock_quantity == 3
    order = Order.objects.get()
    assert results == [order, order], [getattr(result, "message", result) for result in results]


def test_a_double_submission_that_passed_the_duplicate_check_gets_the_first_order_back(sqlite_file_db, monkeypatch):
    """Both submissions look for an existing order before either has placed one (a double click).

    The idempotency promise is that the second gets the first's order back, not an error.
    """
    product = make_product(stock_quantity=5)
    cart = cart_with((product, 2))
    key = uuid.uuid4()
    both_checked = threading.Barrier(2)
    real_order_place = services._order_place

    def place_after_both_checked(*args: Any) -> Order:
        both_checked.wait(timeout=10)
        return real_order_place(*args)

    monkeypatch.setattr(services, "_order_place", place_after_both_checked)

    def submit() -> Order:
        return order_place(cart=cart, customer=None, details=order_details(), submission_key=key)

    results = run_together([submit, submit])

    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock_quantity == 3
    order = Order.objects.get()
    assert results == [order, order], [getattr(result, "message", result) for result in results]


def test_two_variants_of_one_product_are_raced_independently_and_never_oversold(sqlite_file_db):
    product = make_product(name="T-shirt", stock_quantity=0)
    small = make_variant(product, ("Size", "S"), stock_quantity=2)
    medium = make_variant(product, ("Size", "M"), stock_quantity=3)
    carts = [cart_with((small if n % 2 else medium, 1)) for n in range(SHOPPERS)]

    results = run_together([place(cart) for cart in carts])

    orders = [result for result in results if isinstance(result, Order)]
    assert all(isinstance(result, Order | OrderError) for result in results), results
    assert len(orders) == 5, results  # 2 small and 3 medium, out of 4 shoppers for each
    assert sorted(order.lines.get().variant_id or 0 for order in orders) == sorted([small.pk] * 2 + [medium.pk] * 3)
    for row in (small, medium, product):
        row.refresh_from_db()
    assert (small.stock_quantity, medium.stock_quantity, product.stock_quantity) == (0, 0, 0)
