import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from cart.models import MAX_CART_LINES, MAX_LINE_QUANTITY, CartLine
from cart.tests.factories import make_cart, make_line, make_user
from storefront.tests.factories import make_category, make_product

from ..models import Order, OrderLine, OrderStatusChange
from ..services import (
    OrderError,
    order_cancel_by_customer,
    order_change_status,
    order_place,
    order_totals,
)
from .factories import cart_with, make_order, order_details

pytestmark = pytest.mark.django_db

Status = Order.Status
SITE = "https://shop.example/"


@pytest.fixture(autouse=True)
def _shop_prices(settings):
    settings.SHIPPING_STANDARD_PRICE = Decimal("4.95")
    settings.SHIPPING_EXPRESS_PRICE = Decimal("12.50")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("50.00")
    settings.STORE_CURRENCY = "EUR"


def place(cart, *, customer=None, key=None, reviewed_subtotal=None, **details: str) -> Order:
    return order_place(
        cart=cart,
        customer=customer,
        details=order_details(**details),
        submission_key=key or uuid.uuid4(),
        reviewed_subtotal=reviewed_subtotal,
        site_url=SITE,
    )


def stock_of(product) -> int:
    product.refresh_from_db()
    return product.stock_quantity


def cart_lines(cart) -> dict[int, int]:
    return dict(CartLine.objects.filter(cart=cart).values_list("product_id", "quantity"))


# --- Totals --------------------------------------------------------------------------------------


def test_standard_shipping_is_charged_below_the_threshold():
    cart = cart_with((make_product(price=Decimal("12.50")), 2))
    order = place(cart)
    assert (order.subtotal, order.shipping_cost, order.total_amount) == (
        Decimal("25.00"),
        Decimal("4.95"),
        Decimal("29.95"),
    )


def test_standard_shipping_is_free_from_the_threshold_on():
    cart = cart_with((make_product(price=Decimal("25.00")), 2))
    order = place(cart)
    assert order.subtotal == Decimal("50.00")
    assert order.shipping_cost == Decimal("0.00")
    assert order.total_amount == Decimal("50.00")


def test_express_shipping_is_never_free():
    cart = cart_with((make_product(price=Decimal("100.00")), 2))
    order = place(cart, shipping_method="express")
    assert order.shipping_cost == Decimal("12.50")
    assert order.total_amount == Decimal("212.50")


def test_totals_follow_the_configured_prices(settings):
    settings.SHIPPING_STANDARD_PRICE = Decimal("3.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("20.00")
    assert order_totals(subtotal=Decimal("19.99"), shipping_method="standard").total == Decimal("22.99")
    assert order_totals(subtotal=Decimal("20.00"), shipping_method="standard").shipping == Decimal("0.00")


def test_totals_refuse_an_unknown_shipping_method():
    with pytest.raises(OrderError, match="Choose one of the offered shipping methods"):
        order_totals(subtotal=Decimal("10.00"), shipping_method="pigeon")


# --- Placing -------------------------------------------------------------------------------------


def test_placing_takes_the_stock_and_empties_the_cart():
    kettle, mug = make_product(stock_quantity=5), make_product(stock_quantity=2)
    cart = cart_with((kettle, 3), (mug, 2))
    place(cart)
    assert (stock_of(kettle), stock_of(mug)) == (2, 0)
    assert cart_lines(cart) == {}


def test_order_keeps_the_address_and_methods_it_was_placed_with():
    customer = make_user()
    order = place(
        cart_with((make_product(), 1), user=customer),
        customer=customer,
        email="bob@example.com",
        shipping_country="AT",
        payment_method="cash_on_delivery",
    )
    order.refresh_from_db()
    assert order.customer == customer
    assert order.email == "bob@example.com"
    assert order.shipping_country == "AT"
    assert order.payment_method == "cash_on_delivery"
    assert order.status == Status.PENDING
    assert len(order.reference) == 8
    assert order.access_key
    assert order.access_key != order.reference


def test_order_lines_keep_the_name_and_price_the_customer_paid():
    kettle = make_product(name="Kettle", price=Decimal("24.50"))
    order = place(cart_with((kettle, 2)))
    kettle.name, kettle.price = "Kettle Deluxe", Decimal("99.00")
    kettle.save()

    line = OrderLine.objects.get(order=order)
    assert (line.product_name, line.unit_price, line.quantity, line.line_total) == (
        "Kettle",
        Decimal("24.50"),
        2,
        Decimal("49.00"),
    )
    order.refresh_from_db()
    assert order.subtotal == Decimal("49.00")
    assert order.item_count == 2


def test_placing_records_the_first_status_and_who_placed_it():
    customer = make_user()
    order = place(cart_with((make_product(), 1), user=customer), customer=customer)
    change = OrderStatusChange.objects.get(order=order)
    assert (change.from_status, change.to_status, change.changed_by) == ("", Status.PENDING, customer)


@pytest.mark.parametrize(
    ("product_fields", "quantity", "problem"),
    [
        ({"is_active": False}, 1, "Kettle is no longer sold. Please remove it from your cart."),
        ({"stock_quantity": 0}, 1, "Kettle is out of stock. Please remove it from your cart."),
        ({"stock_quantity": 2}, 3, "Only 2 of Kettle left, and your cart has 3. Please lower the quantity."),
    ],
    ids=["inactive", "out-of-stock", "fewer-left-than-in-cart"],
)
def test_an_unavailable_line_refuses_the_order_and_changes_nothing(product_fields, quantity, problem):
    fine = make_product(stock_quantity=5)
    kettle = make_product(name="Kettle", **{"stock_quantity": 5, **product_fields})
    cart = cart_with((fine, 1), (kettle, quantity))
    kettle_stock = stock_of(kettle)

    with pytest.raises(OrderError, match="Nothing was ordered") as refused:
        place(cart)

    assert refused.value.problems == [problem]
    assert not Order.objects.exists()
    assert (stock_of(fine), stock_of(kettle)) == (5, kettle_stock)
    assert cart_lines(cart) == {fine.pk: 1, kettle.pk: quantity}


def test_every_unavailable_line_is_listed():
    gone = make_product(name="Gone", is_active=False)
    sold_out = make_product(name="Sold out", stock_quantity=0)
    cart = cart_with((gone, 1), (sold_out, 1), (make_product(), 1))
    with pytest.raises(OrderError) as refused:
        place(cart)
    assert sorted(refused.value.problems) == [
        "Gone is no longer sold. Please remove it from your cart.",
        "Sold out is out of stock. Please remove it from your cart.",
    ]


def test_the_same_submission_twice_places_one_order_and_takes_the_stock_once():
    product = make_product(stock_quantity=5)
    cart = cart_with((product, 2))
    key = uuid.uuid4()
    first = place(cart, key=key)
    second = place(cart, key=key)
    assert second == first
    assert Order.objects.count() == 1
    assert stock_of(product) == 3


def test_a_resubmission_returns_the_first_order_and_leaves_items_added_since_in_the_cart():
    cart = cart_with((make_product(stock_quantity=5), 2))
    key = uuid.uuid4()
    first = place(cart, key=key)
    added_later = make_product(stock_quantity=5)
    make_line(cart=cart, product=added_later, quantity=1)

    assert place(cart, key=key) == first

    assert Order.objects.count() == 1
    assert stock_of(added_later) == 5
    assert cart_lines(cart) == {added_later.pk: 1}


def test_a_subtotal_the_shopper_reviewed_at_the_current_prices_is_accepted():
    cart = cart_with((make_product(price=Decimal("10.00")), 3))
    assert place(cart, reviewed_subtotal=Decimal("30")).subtotal == Decimal("30.00")


@pytest.mark.parametrize("reviewed", [Decimal("25.00"), Decimal("35.00")])
def test_an_order_is_refused_when_prices_changed_since_the_shopper_reviewed_them(reviewed):
    product = make_product(price=Decimal("10.00"), stock_quantity=5)
    cart = cart_with((product, 3))
    with pytest.raises(OrderError, match=r"^Prices changed while you were checking out: your items now cost €30\.00\."):
        place(cart, reviewed_subtotal=reviewed)
    assert not Order.objects.exists()
    assert stock_of(product) == 5
    assert cart_lines(cart) == {product.pk: 3}


def test_an_empty_cart_is_refused():
    with pytest.raises(OrderError, match="Your cart is empty"):
        place(make_cart())
    with pytest.raises(OrderError, match="Your cart is empty"):
        order_place(cart=None, customer=None, details=order_details(), submission_key=uuid.uuid4())
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"payment_method": "bitcoin"}, "Choose one of the offered payment methods."),
        ({"shipping_method": "pigeon"}, "Choose one of the offered shipping methods."),
    ],
)
def test_an_unknown_method_is_refused_and_changes_nothing(details, message):
    product = make_product(stock_quantity=5)
    cart = cart_with((product, 2))
    with pytest.raises(OrderError, match=message):
        place(cart, **details)
    assert not Order.objects.exists()
    assert stock_of(product) == 5
    assert cart_lines(cart) == {product.pk: 2}


# --- Status changes ------------------------------------------------------------------------------


def test_an_order_moves_along_its_lifecycle_and_every_step_is_recorded():
    staff = make_user("staff", is_staff=True)
    order = make_order()
    for status in (Status.PAID, Status.SHIPPED, Status.DELIVERED):
        order = order_change_status(order=order, status=status, by=staff)
    order.refresh_from_db()
    assert order.status == Status.DELIVERED
    history = list(order.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert history == [
        ("", Status.PENDING, None),
        (Status.PENDING, Status.PAID, staff.pk),
        (Status.PAID, Status.SHIPPED, staff.pk),
        (Status.SHIPPED, Status.DELIVERED, staff.pk),
    ]


@pytest.mark.parametrize("status", [Status.PENDING, Status.PAID])
def test_cancelling_puts_the_stock_back_and_is_recorded(status):
    kettle, mug = make_product(stock_quantity=5), make_product(stock_quantity=5)
    order = make_order(lines=[(kettle, 2), (mug, 5)], status=status)
    assert (stock_of(kettle), stock_of(mug)) == (3, 0)

    order_change_status(order=order, status=Status.CANCELLED)

    assert (stock_of(kettle), stock_of(mug)) == (5, 5)
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert order.status_changes.last().from_status == status
    assert order.status_changes.last().to_status == Status.CANCELLED


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (Status.DELIVERED, Status.PAID),
        (Status.DELIVERED, Status.CANCELLED),
        (Status.SHIPPED, Status.CANCELLED),
        (Status.PENDING, Status.SHIPPED),
        (Status.PENDING, Status.DELIVERED),
        (Status.PAID, Status.PENDING),
        (Status.PAID, Status.PAID),
        *[(Status.CANCELLED, status) for status in Status.values],
    ],
)
def test_a_move_the_lifecycle_does_not_allow_is_refused_and_changes_nothing(current, wanted):
    product = make_product(stock_quantity=5)
    order = make_order(lines=[(product, 2)], status=current)
    changes = order.status_changes.count()
    with pytest.raises(OrderError, match=f"cannot go from {Status(current).label} to {Status(wanted).label}"):
        order_change_status(order=order, status=wanted)
    order.refresh_from_db()
    assert order.status == current
    assert order.status_changes.count() == changes
    assert stock_of(product) == 3


def test_an_unknown_status_is_refused():
    order = make_order()
    with pytest.raises(OrderError, match="cannot go from Pending to lost"):
        order_change_status(order=order, status="lost")


def test_cancelling_twice_puts_the_stock_back_only_once():
    product = make_product(stock_quantity=5)
    order = make_order(lines=[(product, 2)])
    order_change_status(order=order, status=Status.CANCELLED)
    with pytest.raises(OrderError):
        order_change_status(order=order, status=Status.CANCELLED)
    assert stock_of(product) == 5


def test_a_customer_can_cancel_a_pending_order():
    customer = make_user()
    product = make_product(stock_quantity=5)
    order = make_order(customer=customer, lines=[(product, 2)])
    cancelled = order_cancel_by_customer(order=order, by=customer)
    assert cancelled.status == Status.CANCELLED
    assert stock_of(product) == 5
    assert order.status_changes.last().changed_by == customer


@pytest.mark.parametrize("status", [Status.PAID, Status.SHIPPED, Status.DELIVERED, Status.CANCELLED])
def test_a_customer_cannot_cancel_an_order_past_pending(status):
    product = make_product(stock_quantity=5)
    order = make_order(lines=[(product, 2)], status=status)
    label = Status(status).label.lower()
    with pytest.raises(OrderError, match=f"can no longer be cancelled: it is {label}"):
        order_cancel_by_customer(order=order, by=None)
    order.refresh_from_db()
    assert order.status == status
    assert stock_of(product) == 3


def test_a_customer_cannot_cancel_an_order_that_was_paid_after_they_loaded_it():
    """The customer's page loaded the order while pending; staff marked it paid before the cancel arrived."""
    product = make_product(stock_quantity=5)
    order = make_order(lines=[(product, 2)])
    as_loaded_by_the_customer = Order.objects.get(pk=order.pk)
    order_change_status(order=order, status=Status.PAID)

    with pytest.raises(OrderError, match="can no longer be cancelled: it is paid"):
        order_cancel_by_customer(order=as_loaded_by_the_customer, by=None)

    order.refresh_from_db()
    assert order.status == Status.PAID
    assert stock_of(product) == 3


def test_a_customer_cancelling_an_order_shipped_meanwhile_is_told_it_is_shipped():
    order = make_order()
    as_loaded_by_the_customer = Order.objects.get(pk=order.pk)
    order_change_status(order=order, status=Status.PAID)
    order_change_status(order=order, status=Status.SHIPPED)
    with pytest.raises(OrderError, match="can no longer be cancelled: it is shipped"):
        order_cancel_by_customer(order=as_loaded_by_the_customer, by=None)
    order.refresh_from_db()
    assert order.status == Status.SHIPPED


def test_the_largest_cart_the_shop_allows_is_ordered_with_exact_totals():
    most_expensive = Decimal("99999999.99")  # Product.price: 10 digits, 2 of them decimals
    products = [
        make_product(price=most_expensive, stock_quantity=MAX_LINE_QUANTITY, category=make_category())
        for _ in range(MAX_CART_LINES)
    ]
    cart = cart_with(*((product, MAX_LINE_QUANTITY) for product in products))

    order = place(cart, shipping_method="express")

    expected = most_expensive * MAX_LINE_QUANTITY * MAX_CART_LINES
    order.refresh_from_db()
    assert order.subtotal == expected
    assert order.total_amount == expected + Decimal("12.50")
    assert all(line.line_total == most_expensive * MAX_LINE_QUANTITY for line in order.lines.all())


# --- Confirmation email --------------------------------------------------------------------------


def test_the_confirmation_is_a_job_written_with_the_order_and_sent_by_the_worker(run_jobs):
    kettle = make_product(name="Kettle", price=Decimal("24.50"))
    order = place(cart_with((kettle, 2)), email="ann@example.com")
    assert mail.outbox == []  # nothing is sent in the shopper's request
    job = DBTaskResult.objects.get()
    assert job.task_path == "orders.tasks.order_confirmation_send"
    assert job.args_kwargs["kwargs"] == {"order_id": order.pk, "site_url": SITE}  # no secret in the queue

    run_jobs()

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["ann@example.com"]
    assert order.reference in email.subject
    assert f"https://shop.example/orders/{order.reference}/?key={order.access_key}" in email.body
    assert "2 x Kettle: €49.00" in email.body
    assert f"with the reference {order.reference}" in email.body  # the bank transfer instructions


def test_a_refused_order_leaves_no_job():
    with pytest.raises(OrderError):
        place(cart_with((make_product(stock_quantity=0), 1)))
    assert not DBTaskResult.objects.exists()


def test_a_second_submission_of_the_form_queues_no_second_email():
    cart, key = cart_with((make_product(), 1)), uuid.uuid4()
    place(cart, key=key)
    place(cart, key=key)
    assert DBTaskResult.objects.count() == 1
