import pytest
from django.contrib import messages
from django.urls import reverse

from cart.tests.factories import make_user
from storefront.tests.factories import make_product

from ..models import Order
from .factories import make_order

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:orders_order_changelist")
Status = Order.Status


def change_url(order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def run_action(admin_client, action: str, *orders: Order):
    response = admin_client.post(
        CHANGELIST_URL, {"action": action, "_selected_action": [order.pk for order in orders]}, follow=True
    )
    assert response.status_code == 200
    return [(message.level, message.message) for message in response.context["messages"]]


def status_of(order) -> str:
    order.refresh_from_db()
    return order.status


def stock_of(product) -> int:
    product.refresh_from_db()
    return product.stock_quantity


def test_changelist_lists_orders_for_a_superuser(admin_client):
    order = make_order(shipping_name="Ann Example")
    response = admin_client.get(CHANGELIST_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert order.reference in html
    assert "Ann Example" in html
    for action in ("mark_paid", "mark_shipped", "mark_delivered", "mark_cancelled"):
        assert f'value="{action}"' in html
    assert 'value="delete_selected"' not in html


@pytest.mark.parametrize("query", ["reference", "email", "shipping_name"])
def test_changelist_search_finds_an_order_by_reference_email_or_name(admin_client, query):
    wanted = make_order(email="ann@example.com", shipping_name="Ann Example")
    other = make_order(email="bob@example.com", shipping_name="Bob Sample")
    term = {"reference": wanted.reference, "email": "ann@example", "shipping_name": "Ann Exa"}[query]
    html = admin_client.get(CHANGELIST_URL, {"q": term}).content.decode()
    assert wanted.reference in html
    assert other.reference not in html


def test_changelist_filters_by_status(admin_client):
    pending = make_order()
    paid = make_order(status=Status.PAID)
    response = admin_client.get(CHANGELIST_URL, {"status__exact": Status.PAID})
    html = response.content.decode()
    assert response.status_code == 200
    assert paid.reference in html
    assert pending.reference not in html


def test_change_page_shows_the_lines_and_the_history(admin_client):
    order = make_order(lines=[(make_product(name="Kettle"), 2)])
    response = admin_client.get(change_url(order))
    html = response.content.decode()
    assert response.status_code == 200
    assert order.reference in html
    assert "Kettle" in html
    assert "Pending" in html


def test_staff_cannot_change_the_status_or_amounts_through_the_form(admin_client):
    order = make_order()
    admin_client.post(
        change_url(order),
        {
            "email": "new@example.com",
            "shipping_name": order.shipping_name,
            "shipping_address": order.shipping_address,
            "shipping_postcode": order.shipping_postcode,
            "shipping_city": order.shipping_city,
            "shipping_country": order.shipping_country,
            "status": Status.DELIVERED,
            "total_amount": "0.01",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    before = order.total_amount
    order.refresh_from_db()
    assert order.email == "new@example.com"  # the address is editable ...
    assert order.status == Status.PENDING  # ... the status and the money are not
    assert order.total_amount == before


def test_adding_and_deleting_orders_is_not_permitted(admin_client):
    order = make_order()
    assert admin_client.get(reverse("admin:orders_order_add")).status_code == 403
    assert admin_client.post(reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"}).status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()


def test_mark_paid_moves_pending_orders_and_records_who_did_it(admin_client, admin_user):
    first, second = make_order(), make_order()
    result = run_action(admin_client, "mark_paid", first, second)
    assert result == [(messages.SUCCESS, "2 orders marked paid.")]
    assert (status_of(first), status_of(second)) == (Status.PAID, Status.PAID)
    change = first.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_by) == (Status.PENDING, Status.PAID, admin_user)


def test_an_action_changes_the_orders_it_may_and_warns_about_the_rest(admin_client):
    pending, delivered = make_order(), make_order(status=Status.DELIVERED)
    result = run_action(admin_client, "mark_paid", pending, delivered)
    assert (messages.SUCCESS, "1 order marked paid.") in result
    assert (messages.WARNING, f"Order {delivered.reference} cannot go from Delivered to Paid.") in result
    assert status_of(pending) == Status.PAID
    assert status_of(delivered) == Status.DELIVERED
    assert delivered.status_changes.count() == 1  # only its creation


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("mark_paid", Status.PENDING, Status.PAID),
        ("mark_shipped", Status.PAID, Status.SHIPPED),
        ("mark_delivered", Status.SHIPPED, Status.DELIVERED),
        ("mark_cancelled", Status.PENDING, Status.CANCELLED),
        ("mark_cancelled", Status.PAID, Status.CANCELLED),
    ],
)
def test_each_action_makes_its_allowed_move(admin_client, action, start, end):
    order = make_order(status=start)
    result = run_action(admin_client, action, order)
    assert result == [(messages.SUCCESS, f"1 order marked {Status(end).label.lower()}.")]
    assert status_of(order) == end


@pytest.mark.parametrize(
    ("action", "start"),
    [
        ("mark_paid", Status.CANCELLED),
        ("mark_paid", Status.DELIVERED),
        ("mark_shipped", Status.PENDING),
        ("mark_shipped", Status.CANCELLED),
        ("mark_delivered", Status.PAID),
        ("mark_cancelled", Status.SHIPPED),
        ("mark_cancelled", Status.DELIVERED),
        ("mark_cancelled", Status.CANCELLED),
    ],
)
def test_each_action_refuses_a_move_the_lifecycle_does_not_allow(admin_client, action, start):
    product = make_product(stock_quantity=5)
    order = make_order(lines=[(product, 2)], status=start)
    result = run_action(admin_client, action, order)
    assert len(result) == 1
    level, message = result[0]
    assert level == messages.WARNING
    assert message.startswith(f"Order {order.reference} cannot go from {Status(start).label} to ")
    assert status_of(order) == start
    assert stock_of(product) == 3


def test_the_cancel_action_puts_the_stock_back(admin_client):
    kettle, mug = make_product(stock_quantity=5), make_product(stock_quantity=5)
    order = make_order(lines=[(kettle, 2), (mug, 1)], status=Status.PAID)
    shipped = make_order(lines=[(kettle, 1)], status=Status.SHIPPED)
    assert (stock_of(kettle), stock_of(mug)) == (2, 4)

    run_action(admin_client, "mark_cancelled", order, shipped)

    assert status_of(order) == Status.CANCELLED
    assert status_of(shipped) == Status.SHIPPED
    assert (stock_of(kettle), stock_of(mug)) == (4, 5)


def test_staff_without_the_order_permissions_cannot_open_the_admin(client):
    client.force_login(make_user("clerk", is_staff=True))
    assert client.get(CHANGELIST_URL).status_code == 403
