"""The variant picker on the product page (issue 15, item 3) and the catalog's cards (item 6)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from config.tests.helpers import HTMX

from .factories import make_option_value, make_product, make_variant, set_stock

pytestmark = pytest.mark.django_db

LIST_URL = reverse("storefront:product_list")


@pytest.fixture
def shirt():
    """A T-shirt in S and M, Red and Blue: S Red sold out, no M Red, M Blue dearer."""
    make_option_value("Size", "S")
    make_option_value("Colour", "Red", swatch="#cc0000")
    make_option_value("Colour", "Blue", swatch="#0000cc")
    product = make_product(name="T-shirt", slug="t-shirt", price=Decimal("20.00"))
    variants = {
        "s-red": make_variant(product, ("Size", "S"), ("Colour", "Red"), stock_quantity=0, sku="TS-S-RED"),
        "s-blue": make_variant(product, ("Size", "S"), ("Colour", "Blue"), sku="TS-S-BLUE"),
        "m-blue": make_variant(product, ("Size", "M"), ("Colour", "Blue"), price=Decimal("25.00"), sku="TS-M-BLUE"),
    }
    return product, variants


def label(html: str, text: str) -> bool:
    """Whether a radio's label reads `text` (its accessible name)."""
    names = [
        re.sub(r"<[^>]+>", "", found).strip()
        for found in re.findall(r'<label class="option-label[^>]*>(.*?)</label>', html)
    ]
    return text in names


def test_page_opens_on_the_first_variant_in_stock(client, shirt):
    product, variants = shirt
    response = client.get(product.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<legend>Size</legend>" in html
    assert "<legend>Colour</legend>" in html
    assert "TS-S-BLUE" in html
    assert f'name="variant" value="{variants["s-blue"].pk}"' in html
    assert re.search(r'name="colour" value="blue" checked', html)
    assert label(html, "Red — sold out")
    assert "Select</button>" in html
    assert "HX-Request" in response["Vary"]


def test_a_product_without_options_has_no_picker(client):
    product = make_product(name="Kettle")
    html = client.get(product.get_absolute_url()).content.decode()
    assert 'id="variant"' not in html
    assert 'name="variant"' not in html
    assert "Add to cart" in html


def test_query_string_chooses_the_variant(client, shirt):
    product, variants = shirt
    html = client.get(product.get_absolute_url(), {"size": "M", "colour": "blue"}).content.decode()
    assert "TS-M-BLUE" in html
    assert "€25.00" in html
    assert f'name="variant" value="{variants["m-blue"].pk}"' in html
    assert label(html, "Red — not available")


def test_htmx_change_gets_only_the_fragment(client, shirt):
    product, _ = shirt
    response = client.get(product.get_absolute_url(), {"size": "m", "colour": "blue"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="variant"')
    assert "TS-M-BLUE" in html
    assert f'id="add-to-cart-detail-{product.pk}"' in html
    assert "HX-Request" in response["Vary"]


def test_a_sold_out_combination_disables_the_button_and_says_why(client, shirt):
    product, _ = shirt
    html = client.get(product.get_absolute_url(), {"size": "s", "colour": "red"}).content.decode()
    assert re.search(r"<button[^>]*disabled aria-describedby=\"add-to-cart-detail-\d+-status\"", html)
    assert "Sold out." in html
    assert 'name="variant"' not in html


def test_a_combination_not_offered_disables_the_button_and_says_why(client, shirt):
    product, _ = shirt
    html = client.get(product.get_absolute_url(), {"size": "m", "colour": "red"}).content.decode()
    assert "Not available in this combination." in html
    assert "disabled" in html


@pytest.mark.parametrize(
    "params",
    [
        {"size": "xxl", "colour": "blue"},
        {"size": "١", "colour": "%00"},
        {"size": ["s"] * 50, "colour": ["blue", "red"] * 25},
        {"size": "x" * 5000},
        {"colour": "green"},
    ],
    ids=["unknown", "non-ascii", "repeated", "long", "another-products-value"],
)
def test_bad_combinations_show_the_product_with_a_message(client, shirt, params):
    product, _ = shirt
    make_variant(make_product(name="Scarf"), ("Colour", "Green"))
    response = client.get(product.get_absolute_url(), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "T-shirt" in html
    if params.get("size") != ["s"] * 50:
        assert "not offered for this product" in html


def test_every_variant_sold_out_opens_on_the_first(client, shirt):
    product, variants = shirt
    for variant in variants.values():
        set_stock(variant, 0)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "TS-S-RED" in html
    assert "Sold out." in html


def test_picker_page_query_count_does_not_grow_with_variants(client, shirt, django_assert_max_num_queries):
    product, _ = shirt
    with django_assert_max_num_queries(6):  # session, product, variants, their option values, cart
        client.get(product.get_absolute_url())
    for size in ["L", "XL", "XXL"]:
        make_variant(product, ("Size", size), ("Colour", "Red"))
    with django_assert_max_num_queries(6):
        client.get(product.get_absolute_url())


def test_adding_the_chosen_variant(client, shirt):
    product, variants = shirt
    response = client.post(
        reverse("cart:cart_add", args=[product.pk]), {"quantity": "1", "variant": str(variants["m-blue"].pk)}
    )
    assert response.status_code == 303
    cart = client.get(reverse("cart:cart_detail")).content.decode()
    assert "Size M, Colour Blue" in cart


def test_the_form_that_comes_back_after_an_htmx_add_is_held_to_the_variant_s_stock(client, shirt):
    product, variants = shirt
    set_stock(variants["m-blue"], 3)  # the product's stock, the sum, is 13
    target = f"add-to-cart-detail-{product.pk}"
    response = client.post(
        reverse("cart:cart_add", args=[product.pk]),
        {"quantity": "1", "variant": str(variants["m-blue"].pk)},
        headers={"HX-Request": "true", "HX-Target": target},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input type="number" name="quantity"[^>]* max="3"', html)
    assert f'name="variant" value="{variants["m-blue"].pk}"' in html  # the next add is of the same variant


# --- Cards -------------------------------------------------------------------------------------


def test_card_shows_the_lowest_price_colours_and_choose_options(client, shirt):
    product, _ = shirt
    html = client.get(LIST_URL).content.decode()
    assert "from €20.00" in html
    assert "2 colours" in html
    assert "Choose options" in html
    assert f"add-to-cart-card-{product.pk}" not in html


def test_card_of_a_product_without_options_is_as_before(client):
    make_product(name="Kettle", price=Decimal("9.50"))
    html = client.get(LIST_URL).content.decode()
    assert "from €" not in html
    assert "colour" not in html
    assert "Choose options" not in html
    assert "Add to cart" in html


def test_card_with_one_price_shows_no_from(client):
    product = make_product(name="Socks", price=Decimal("5.00"))
    make_variant(product, ("Size", "S"))
    make_variant(product, ("Size", "M"))
    html = client.get(LIST_URL).content.decode()
    assert "from €" not in html
    assert "Choose options" in html


def test_a_refused_add_without_javascript_shows_the_picker_again(client, shirt):
    product, variants = shirt
    next_url = f"{product.get_absolute_url()}?size=m&colour=blue"
    response = client.post(
        reverse("cart:cart_add", args=[product.pk]),
        {"quantity": "abc", "variant": str(variants["m-blue"].pk), "next": next_url},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Enter a whole number." in html
    assert "TS-M-BLUE" in html
    assert f'name="variant" value="{variants["m-blue"].pk}"' in html
