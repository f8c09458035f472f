"""Adding a product's variant to the cart: the `variant` field of POST /cart/add/<product id>/."""

import pytest
from django.urls import reverse

from cart.models import CartLine
from cart.services import CART_SESSION_KEY
from config.tests.helpers import HTMX
from storefront.tests.factories import make_product, make_variant

pytestmark = pytest.mark.django_db

CART_URL = reverse("cart:cart_detail")


def add(client, product, variant="", quantity="1", **headers):
    data = {"quantity": quantity} | ({"variant": str(variant)} if variant != "" else {})
    return client.post(reverse("cart:cart_add", args=[product.pk]), data, headers=headers)


def cart_of(client) -> dict[int, int]:
    cart_id = client.session.get(CART_SESSION_KEY)
    return dict(CartLine.objects.filter(cart_id=cart_id).values_list("variant_id", "quantity"))


@pytest.fixture
def shirt():
    product = make_product(name="T-shirt")
    small = make_variant(product, ("Size", "S"), ("Colour", "Blue"), stock_quantity=5)
    medium = make_variant(product, ("Size", "M"), ("Colour", "Blue"), stock_quantity=2)
    return product, small, medium


def test_a_product_without_options_adds_its_default_variant(client):
    kettle = make_product(name="Kettle")
    assert add(client, kettle, quantity="2").status_code == 303
    assert cart_of(client) == {kettle.variants.get().pk: 2}


def test_the_default_variant_may_also_be_named(client):
    kettle = make_product(name="Kettle")
    assert add(client, kettle, kettle.variants.get().pk).status_code == 303
    assert cart_of(client) == {kettle.variants.get().pk: 1}


def test_each_variant_of_a_product_is_its_own_line_capped_by_its_own_stock(client, shirt):
    product, small, medium = shirt
    add(client, product, small.pk, quantity="3")
    response = add(client, product, medium.pk, quantity="5")
    assert response.status_code == 303
    assert cart_of(client) == {small.pk: 3, medium.pk: 2}
    page = client.get(CART_URL).content.decode()
    assert "Size S, Colour Blue" in page
    assert "Size M, Colour Blue" in page
    assert "Only 2 of T-shirt (Size M, Colour Blue) can be ordered: your cart now has 2." in page


def test_the_cart_page_shows_no_options_for_a_product_without_them(client):
    kettle = make_product(name="Kettle")
    add(client, kettle)
    assert "cart-line-options" not in client.get(CART_URL).content.decode()


def test_a_product_with_several_variants_and_no_choice_is_refused(client, shirt):
    product, _, _ = shirt
    response = add(client, product, **HTMX)
    assert response.status_code == 422
    assert "Choose options first." in response.content.decode()
    assert cart_of(client) == {}


@pytest.mark.parametrize("case", ["other-product", "inactive", "sold-out", "non-numeric", "unknown", "negative"])
def test_a_variant_that_cannot_be_added_is_refused_and_leaves_the_cart_unchanged(client, shirt, case):
    product, small, medium = shirt
    add(client, product, small.pk)  # something already in the cart
    before = cart_of(client)
    other = make_product(name="Mug").variants.get()
    if case == "inactive":
        type(medium).objects.filter(pk=medium.pk).update(is_active=False)
    if case == "sold-out":
        type(medium).objects.filter(pk=medium.pk).update(stock_quantity=0)
    variant = {
        "other-product": other.pk,
        "inactive": medium.pk,
        "sold-out": medium.pk,
        "non-numeric": "abc",
        "unknown": 999_999,
        "negative": "-1",
    }[case]
    for headers in ({}, HTMX):
        response = add(client, product, variant, **headers)
        assert response.status_code == 422, case
        message = {
            "other-product": "Sorry, that choice of T-shirt is not sold.",
            "unknown": "Sorry, that choice of T-shirt is not sold.",
            "inactive": "Sorry, T-shirt (Size M, Colour Blue) is no longer sold.",
            "sold-out": "Sorry, T-shirt (Size M, Colour Blue) is out of stock.",
            "non-numeric": "Choose one of the offered options.",
            "negative": "Choose one of the offered options.",
        }[case]
        assert message in response.content.decode()
    assert cart_of(client) == before
