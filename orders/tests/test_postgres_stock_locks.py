"""Stock writes queued behind a product's row lock on PostgreSQL read the stock once they hold the lock.

Another connection holds the product's row lock (`SELECT … FOR UPDATE`, in its own transaction) while
a sale and then a staff save (or a cancellation, or a second sale) queue up behind it, each in its own
thread with its own connection. Under READ COMMITTED a statement that waits for a lock re-reads only
the row it locks: a variant read in the statement that waited would be its version from before the
sale, so staff would write over the sale and the ledger would no longer add up. SQLite serialises its
write transactions, so only a database server can show this.
"""

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from cart.models import Cart
from cart.services import CartError, cart_add_product
from storefront.models import Product, StockMovement, Variant
from storefront.services import StockError, stock_set

from ..models import Order
from ..services import order_change_status, order_place
from .factories import cart_with, make_staff, order_details
from .test_stock_admin import change_url, form_of
from .test_variant_admin import VARIANTS_URL, row_of
from .test_variant_stock import assert_stock_adds_up, make_shirt

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks waited for by other connections need a database server: run with .ci/with-postgres",
    ),
]

DEADLINE = 30  # seconds for any thread; each takes well under one


def waiting_for_locks() -> int:
    """How many connections to this database are waiting for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def run_queued_behind(product: Product, calls: list[Callable[[], object]]) -> list[object]:
    """Hold `product`'s row lock in another connection; start each call in its own thread (its own
    connection) once the calls before it wait for that lock, so they queue in the order given; then
    release the lock. Returns each call's result or exception."""
    held, release = threading.Event(), threading.Event()
    results: list[object] = [None] * len(calls)

    def hold() -> None:
        try:
            with transaction.atomic():
                list(Product.objects.select_for_update().filter(pk=product.pk).values_list("pk"))
                held.set()
                release.wait(timeout=DEADLINE)
        finally:
            connection.close()

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    threads = []
    try:
        assert held.wait(timeout=DEADLINE)
        for index, call in enumerate(calls):
            thread = threading.Thread(target=run, args=(index, call))
            thread.start()
            threads.append(thread)
            deadline = time.monotonic() + DEADLINE
            while waiting_for_locks() < index + 1:
                assert thread.is_alive(), f"call {index} ended without waiting for the lock: {results[index]!r}"
                assert time.monotonic() < deadline, f"call {index} never waited for the lock"
                time.sleep(0.01)
    finally:
        release.set()
        holder.join(timeout=DEADLINE)
        for thread in threads:
            thread.join(timeout=DEADLINE)
    assert not any(thread.is_alive() for thread in [holder, *threads]), "a thread hung"
    return results


def sale_of(variant: Variant, quantity: int) -> Callable[[], Order]:
    """A shopper's order of `variant`, its cart filled now (before any lock is held)."""
    cart = cart_with((variant, quantity))
    return lambda: order_place(cart=cart, customer=None, details=order_details(), submission_key=uuid.uuid4())


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(make_staff())
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_sale_kept_and_staff_refused(results: list[object], variant: Variant, product: Product) -> None:
    order, response = results
    assert isinstance(order, Order), order
    assert not isinstance(response, Exception), response
    assert response.status_code == 302, response.content.decode()  # type: ignore[attr-defined]  # a response, checked above
    assert any(
        "changed from 10 to 9" in message and "the current stock is 9" in message for message in messages_of(response)
    ), messages_of(response)
    variant.refresh_from_db()
    assert variant.stock_quantity == 9
    assert list(variant.stock_movements.order_by("id").values_list("kind", "change", "stock_after")) == [
        (StockMovement.Kind.ADJUSTMENT, 10, 10),
        (StockMovement.Kind.SALE, -1, 9),
    ]
    assert_stock_adds_up(product)


def test_a_stock_set_queued_behind_a_sale_is_refused_with_the_stock_the_sale_left():
    product, (small,) = make_shirt((10,))

    sold, refused = run_queued_behind(
        product, [sale_of(small, 1), lambda: stock_set(variant_id=small.pk, seen=10, quantity=15, by=None)]
    )

    assert isinstance(sold, Order), sold
    assert isinstance(refused, StockError), refused
    assert "the current stock is 9" in str(refused)
    assert_stock_adds_up(product)
    small.refresh_from_db()
    assert small.stock_quantity == 9


def test_the_variants_list_saved_behind_a_sale_is_refused_and_the_ledger_adds_up(staff_client):
    product, (small,) = make_shirt((10,))
    form = form_of(staff_client.get(VARIANTS_URL))
    row = row_of(form, "form", small.pk)
    data = {**form, f"{row}-stock_quantity": "15", "_save": "Save"}

    results = run_queued_behind(product, [sale_of(small, 1), lambda: staff_client.post(VARIANTS_URL, data)])

    assert_sale_kept_and_staff_refused(results, small, product)


def test_a_variants_page_saved_behind_a_sale_is_refused_and_the_ledger_adds_up(staff_client):
    product, (small,) = make_shirt((10,))
    url = reverse("admin:storefront_variant_change", args=[small.pk])
    data = {**form_of(staff_client.get(url)), "stock_quantity": "15"}

    results = run_queued_behind(product, [sale_of(small, 1), lambda: staff_client.post(url, data)])

    assert_sale_kept_and_staff_refused(results, small, product)


def test_the_product_pages_variant_row_saved_behind_a_sale_is_refused_and_the_ledger_adds_up(staff_client):
    product, (small,) = make_shirt((10,))
    form = form_of(staff_client.get(change_url(product)))
    data = {**form, f"{row_of(form, 'variants', small.pk)}-stock_quantity": "15"}

    results = run_queued_behind(product, [sale_of(small, 1), lambda: staff_client.post(change_url(product), data)])

    assert_sale_kept_and_staff_refused(results, small, product)


def test_a_cancellation_queued_behind_a_sale_records_the_stock_it_really_left():
    product, (small,) = make_shirt((10,))
    earlier = sale_of(small, 2)()  # 10 -> 8

    sold, cancelled = run_queued_behind(
        product, [sale_of(small, 1), lambda: order_change_status(order=earlier, status=Order.Status.CANCELLED)]
    )

    assert isinstance(sold, Order), sold
    assert isinstance(cancelled, Order), cancelled
    small.refresh_from_db()
    assert small.stock_quantity == 9  # 10 - 2 - 1 + 2
    assert list(small.stock_movements.order_by("id").values_list("kind", "change", "stock_after")) == [
        (StockMovement.Kind.ADJUSTMENT, 10, 10),
        (StockMovement.Kind.SALE, -2, 8),
        (StockMovement.Kind.SALE, -1, 7),
        (StockMovement.Kind.CANCEL, 2, 9),
    ]
    assert_stock_adds_up(product)


def test_a_sale_queued_behind_a_sale_records_the_stock_it_really_left():
    product, (small,) = make_shirt((10,))

    first, second = run_queued_behind(product, [sale_of(small, 1), sale_of(small, 2)])

    assert isinstance(first, Order), first
    assert isinstance(second, Order), second
    assert list(small.stock_movements.order_by("id").values_list("kind", "change", "stock_after")) == [
        (StockMovement.Kind.ADJUSTMENT, 10, 10),
        (StockMovement.Kind.SALE, -1, 9),
        (StockMovement.Kind.SALE, -2, 7),
    ]
    assert_stock_adds_up(product)


def test_a_cart_add_queued_behind_the_sale_of_the_last_item_is_told_it_is_sold_out():
    product, (small,) = make_shirt((1,))
    cart = Cart.objects.create()

    sold, refused = run_queued_behind(
        product,
        [
            sale_of(small, 1),
            lambda: cart_add_product(cart=cart, product_id=product.pk, quantity=1, variant_id=small.pk),
        ],
    )

    assert isinstance(sold, Order), sold
    assert isinstance(refused, CartError), refused
    assert "out of stock" in str(refused)
    assert not cart.lines.exists()
