"""One rule for whether a cart line can be ordered, and one sentence for each answer, wherever the
shopper meets it: the cart page, the mini-cart, the order form and order placement."""

import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from cart.availability import Problem, line_problem
from cart.tests.factories import make_cart, make_line, put_in_session
from storefront.models import Product
from storefront.tests.factories import make_product, set_stock

from ..models import Order
from ..services import OrderError, order_place
from .factories import checkout_data, order_details

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "quantity", "seen", "code", "message"),
    [
        (
            {"is_active": False},
            1,
            None,
            Problem.WITHDRAWN,
            "Kettle is no longer sold. Please remove it from your cart.",
        ),
        (
            {"stock_quantity": 0},
            1,
            None,
            Problem.OUT_OF_STOCK,
            "Kettle is out of stock. Please remove it from your cart.",
        ),
        (
            {"stock_quantity": 2},
            3,
            None,
            Problem.SHORT,
            "Only 2 of Kettle left, and your cart has 3. Please lower the quantity.",
        ),
        ({}, 3, Decimal("9.50"), Problem.PRICE_CHANGED, "The price of Kettle changed from €9.50 to €10.00."),
        ({}, 3, Decimal("10.00"), None, ""),
        ({}, 5, None, None, ""),
    ],
)
def test_each_reason_a_line_cannot_be_ordered_has_a_code_and_one_sentence(fields, quantity, seen, code, message):
    product = make_product(**{"name": "Kettle", "price": Decimal("10.00"), "stock_quantity": 5, **fields})
    found = line_problem(product.variants.get(), quantity, seen_price=seen)
    assert (found.code if found else None) == code
    assert (found.message if found else "") == message


def test_the_cart_page_the_mini_cart_the_order_form_and_placing_the_order_say_the_same(client):
    kettle = make_product(name="Kettle", stock_quantity=5)
    cart = make_cart()
    make_line(cart=cart, product=kettle, quantity=3)
    put_in_session(client, cart)
    form = client.get(reverse("orders:place_order")).content.decode()  # the order form, while it can be ordered
    key = re.search(r'name="submission_key" value="([^"]+)"', form)[1]
    set_stock(kettle, 2)
    sentence = line_problem(kettle.variants.get(), 3).message

    assert sentence in client.get(reverse("cart:cart_detail")).content.decode()
    assert sentence in client.get(reverse("cart:mini_cart"), headers={"HX-Request": "true"}).content.decode()
    refused = client.post(reverse("orders:place_order"), checkout_data(submission_key=key))
    assert refused.status_code == 422
    assert f"<li>{sentence}</li>" in refused.content.decode()
    with pytest.raises(OrderError) as placing:
        order_place(cart=cart, customer=None, details=order_details(), submission_key=uuid.UUID(key))
    assert placing.value.code == "lines_changed"
    assert placing.value.problems == [sentence]


def test_a_price_changed_since_the_order_form_is_named_line_by_line(client):
    kettle = make_product(name="Kettle", price=Decimal("10.00"), stock_quantity=5)
    mug = make_product(name="Mug", price=Decimal("4.00"), stock_quantity=5)
    cart = make_cart()
    make_line(cart=cart, product=kettle, quantity=2)
    make_line(cart=cart, product=mug, quantity=1)
    put_in_session(client, cart)
    form = client.get(reverse("orders:place_order")).content.decode()
    hidden = {
        name: re.search(rf'name="{name}" value="([^"]*)"', form)[1]
        for name in ("submission_key", "reviewed_lines", "reviewed_subtotal")
    }
    Product.objects.filter(pk=kettle.pk).update(price=Decimal("12.00"))

    response = client.post(reverse("orders:place_order"), checkout_data(**hidden))

    assert response.status_code == 422
    html = response.content.decode()
    assert "Prices changed while you were checking out: your items now cost €28.00." in html
    assert "<li>The price of Kettle changed from €10.00 to €12.00.</li>" in html
    assert "Mug" not in re.search(r'<div id="checkout-errors".*?</div>', html, re.S)[0]  # its price did not move
    assert not Order.objects.exists()
