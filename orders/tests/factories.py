"""Small factory functions for order tests: make_staff(), checkout_data(), order_details(), make_order()."""

import uuid
from decimal import Decimal

from django.contrib.auth.models import User

from cart.models import Cart
from cart.tests.factories import make_line
from storefront.models import Product, Variant
from storefront.tests.factories import make_product, make_user

from ..models import Order
from ..services import OrderDetails, order_place

ADDRESS = {
    "email": "ann@example.com",
    "shipping_name": "Ann Example",
    "shipping_address": "Hauptstraße 1",
    "shipping_city": "Berlin",
    "shipping_postcode": "10115",
    "shipping_country": "DE",
    "shipping_method": "standard",
    "payment_method": "bank_transfer",
}


def make_staff() -> User:
    """A member of staff with every permission, as the admin's tests need: the shop's stock keeper."""
    return make_user(username="stockkeeper", is_staff=True, is_superuser=True)


def checkout_data(**overrides: str) -> dict[str, str]:
    """A valid POST for the order form, with a fresh submission key."""
    data = {**ADDRESS, "submission_key": str(uuid.uuid4())}
    data.update(overrides)
    return data


def order_details(**overrides: str) -> OrderDetails:
    return OrderDetails(**{**ADDRESS, **overrides})


def cart_with(*lines: tuple[Product | Variant, int], user=None) -> Cart:
    """A cart holding `quantity` of each product (its only variant) or variant (a customer has one cart, reused)."""
    cart = Cart.objects.get_or_create(user=user)[0] if user else Cart.objects.create()
    for product, quantity in lines:
        make_line(cart=cart, product=product, quantity=quantity)
    return cart


def make_order(
    *,
    customer=None,
    lines: list[tuple[Product, int]] | None = None,
    status: str | None = None,
    **details: str,
) -> Order:
    """An order placed through the service (stock taken, lines snapshotted); `status` is then forced."""
    cart = cart_with(*(lines or [(make_product(price=Decimal("10.00")), 1)]), user=customer)
    order = order_place(cart=cart, customer=customer, details=order_details(**details), submission_key=uuid.uuid4())
    if status is not None:
        Order.objects.filter(pk=order.pk).update(status=status)
        order.refresh_from_db()
    return order
