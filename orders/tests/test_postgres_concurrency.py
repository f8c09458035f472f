"""Checkouts racing each other in separate processes on PostgreSQL, as gunicorn workers would.

Each process has its own connection, so these tests exercise the server's row locks and the
conditional stock update the way production does. SQLite's leg has its own thread-based tests
(test_concurrency.py); here only a database server is meaningful.
"""

import multiprocessing
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import connection, connections

from cart.availability import MESSAGES as LINE_MESSAGES
from cart.availability import Problem
from cart.models import Cart, CartLine
from storefront.tests.factories import make_product, make_variant

from ..models import Order, OrderLine
from ..services import MESSAGES, OrderError, order_place
from .factories import cart_with, order_details

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="multi-process checkouts need a database server: run with DATABASE_URL=postgres://… (.ci/with-postgres)",
    ),
]

SHOPPERS = 12
DEADLINE = 60  # seconds for all checkouts together; they take well under one


@dataclass(frozen=True)
class Outcome:
    order_id: int | None = None
    message: str = ""
    problems: tuple[str, ...] = ()
    error: str = ""  # anything other than an Order or an OrderError (a deadlock, say)


def _checkout(barrier, results, index: int, cart_id: int, submission_key: uuid.UUID) -> None:
    """One shopper's process: a fresh connection, then order_place when everyone is ready."""
    connections.close_all()  # the parent closed its own before forking; this never shares one
    try:
        cart = Cart.objects.get(pk=cart_id)  # connected before the start, so all start together
        barrier.wait(timeout=DEADLINE)
        order = order_place(
            cart=cart,
            customer=None,
            details=order_details(),
            submission_key=submission_key,
        )
        outcome = Outcome(order_id=order.pk)
    except OrderError as refused:
        outcome = Outcome(message=refused.message, problems=tuple(refused.problems))
    except Exception as error:
        outcome = Outcome(error=repr(error))
    finally:
        connections.close_all()
    results.put((index, outcome))


def run_in_processes(carts: list[Cart], submission_keys: list[uuid.UUID] | None = None) -> list[Outcome]:
    """Place an order for each cart, each in its own process, all released together."""
    keys = submission_keys or [uuid.uuid4() for _ in carts]
    # A forked child must never inherit an open connection: closing it there would end the parent's.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(carts))
    results = context.Queue()
    processes = [
        context.Process(target=_checkout, args=(barrier, results, index, cart.pk, key))
        for index, (cart, key) in enumerate(zip(carts, keys, strict=True))
    ]
    for process in processes:
        process.start()
    try:
        outcomes = dict(results.get(timeout=DEADLINE) for _ in processes)
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
    assert all(process.exitcode == 0 for process in processes), [process.exitcode for process in processes]
    return [outcomes[index] for index in range(len(processes))]


def test_twelve_processes_racing_for_five_items_get_five_orders_and_stock_ends_at_zero():
    product = make_product(stock_quantity=5)
    carts = [cart_with((product, 1)) for _ in range(SHOPPERS)]

    outcomes = run_in_processes(carts)

    assert [outcome.error for outcome in outcomes if outcome.error] == []
    placed = [outcome for outcome in outcomes if outcome.order_id]
    refused = [outcome for outcome in outcomes if not outcome.order_id]
    assert len(placed) == 5, outcomes
    assert len(refused) == SHOPPERS - 5, outcomes
    assert {outcome.message for outcome in refused} == {str(MESSAGES["lines_changed"])}
    assert {outcome.problems for outcome in refused} == {
        (LINE_MESSAGES[Problem.OUT_OF_STOCK].format(product=product.name),)
    }
    assert sorted(Order.objects.values_list("pk", flat=True)) == sorted(outcome.order_id for outcome in placed)  # type: ignore[type-var]  # a placed outcome has its order id
    product.refresh_from_db()
    assert product.stock_quantity == 0
    # The winners' carts are emptied, the losers' carts are kept for them to review.
    assert CartLine.objects.count() == SHOPPERS - 5


def test_processes_that_want_more_than_is_left_are_told_how_many_remain():
    product = make_product(stock_quantity=5)
    carts = [cart_with((product, 2)) for _ in range(SHOPPERS)]

    outcomes = run_in_processes(carts)

    assert [outcome.error for outcome in outcomes if outcome.error] == []
    assert sum(1 for outcome in outcomes if outcome.order_id) == 2, outcomes
    short = LINE_MESSAGES[Problem.SHORT].format(stock=1, product=product.name, quantity=2)
    assert {outcome.problems for outcome in outcomes if not outcome.order_id} == {(short,)}
    product.refresh_from_db()
    assert product.stock_quantity == 1


def test_carts_filled_in_opposite_orders_never_deadlock():
    """Half the carts got the kettle first, half the mug first: locking in cart order would deadlock.

    PostgreSQL breaks a deadlock by failing one transaction with an error, which would show up
    here as an outcome that is neither an order nor a refusal.
    """
    kettle, mug = make_product(stock_quantity=5), make_product(stock_quantity=5)
    carts = [
        cart_with((kettle, 1), (mug, 1)) if index % 2 else cart_with((mug, 1), (kettle, 1)) for index in range(SHOPPERS)
    ]

    outcomes = run_in_processes(carts)

    assert [outcome.error for outcome in outcomes if outcome.error] == []
    assert sum(1 for outcome in outcomes if outcome.order_id) == 5, outcomes
    kettle.refresh_from_db()
    mug.refresh_from_db()
    assert (kettle.stock_quantity, mug.stock_quantity) == (0, 0)
    sold: Counter[int] = Counter()
    for product_id, quantity in OrderLine.objects.values_list("product_id", "quantity"):
        sold[product_id] += quantity
    assert sold == {kettle.pk: 5, mug.pk: 5}


def test_one_order_form_submitted_by_many_processes_places_one_order():
    product = make_product(stock_quantity=5)
    cart = cart_with((product, 2))
    key = uuid.uuid4()

    outcomes = run_in_processes([cart] * 4, submission_keys=[key] * 4)

    order = Order.objects.get()
    assert outcomes == [Outcome(order_id=order.pk)] * 4
    product.refresh_from_db()
    assert product.stock_quantity == 3


def test_processes_racing_for_two_variants_of_one_product_never_oversell_either():
    product = make_product(name="T-shirt", stock_quantity=0)
    small = make_variant(product, ("Size", "S"), stock_quantity=2)
    medium = make_variant(product, ("Size", "M"), stock_quantity=3)
    # Each shopper wants one of each: the variants run out at different times.
    carts = [cart_with((small, 1), (medium, 1)) for _ in range(3)] + [
        cart_with((medium, 1)) for _ in range(SHOPPERS - 3)
    ]

    outcomes = run_in_processes(carts)

    assert [outcome.error for outcome in outcomes if outcome.error] == []
    sold = Counter(OrderLine.objects.values_list("variant_id", flat=True))
    assert sold[small.pk] <= 2
    assert sold[medium.pk] <= 3
    assert sold[medium.pk] == 3  # three items of M and enough shoppers: all sold
    for row in (small, medium, product):
        row.refresh_from_db()
    assert small.stock_quantity == 2 - sold[small.pk]
    assert medium.stock_quantity == 0
    assert product.stock_quantity == small.stock_quantity + medium.stock_quantity
