"""A product with options: pick a variant, share its URL, add it, see it in the cart, order it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from storefront.tests.factories import make_category, make_option_value, make_product, make_variant

from .pages import Address, CatalogPage, ProductPage


@pytest.fixture
def shirt(shop_url: str):
    """A T-shirt in S and M, Red and Blue: S Red sold out, no M Red, M Blue €25 (else €20)."""
    make_option_value("Size", "S")
    make_option_value("Colour", "Red", swatch="#cc0000")
    make_option_value("Colour", "Blue", swatch="#1f4fbf")
    product = make_product(
        name="T-shirt", slug="t-shirt", price=Decimal("20.00"), category=make_category(name="Apparel")
    )
    make_variant(product, ("Size", "S"), ("Colour", "Red"), stock_quantity=0, sku="TS-S-RED")
    make_variant(product, ("Size", "S"), ("Colour", "Blue"), sku="TS-S-BLUE")
    make_variant(product, ("Size", "M"), ("Colour", "Blue"), price=Decimal("25.00"), sku="TS-M-BLUE")
    return product


def test_pick_share_add_and_order_a_variant(page: Page, shirt, javascript, assert_accessible, open_new_browser):
    catalog = CatalogPage(page, javascript=javascript).goto()
    card = catalog.product_card("T-shirt")
    expect(card).to_contain_text("from €20.00")
    expect(card).to_contain_text("2 colours")
    card.get_by_role("link", name=re.compile(r"^Choose options")).click()

    product = ProductPage(page, javascript=javascript)
    expect(product.heading).to_have_text("T-shirt")
    # The first variant in stock; the sold-out one says so in its name.
    expect(product.option("Size", "S")).to_be_checked()
    expect(product.option("Colour", "Blue")).to_be_checked()
    expect(product.option("Colour", "Red — sold out")).to_be_visible()
    expect(product.main).to_contain_text("TS-S-BLUE")
    assert_accessible(page)
    if javascript:
        product.mark()

    product.choose_options(Size="M")
    expect(product.main).to_contain_text("TS-M-BLUE")
    expect(product.main).to_contain_text("€25.00")
    expect(product.option("Colour", "Red — not available")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/products/t-shirt/\?(.*&)?size=m"))
    expect(page).to_have_url(re.compile(r"colour=blue"))
    if javascript:
        product.expect_same_document()
        expect(product.option("Size", "M")).to_be_focused()  # the radio came back with its id
    assert_accessible(page)

    # Sold out: selectable, the button disabled and saying why.
    product.choose_options(Size="S")
    product.choose_options(Colour="Red — sold out")
    expect(product.add_to_cart_button).to_be_disabled()
    expect(product.add_to_cart_button).to_have_accessible_description("Sold out.")
    assert_accessible(page)

    product.choose_options(Colour="Blue")  # each name as the page shows it when chosen (S Blue, then M)
    product.choose_options(Size="M")
    expect(product.main).to_contain_text("TS-M-BLUE")
    shared = page.url

    # Shared: another browser opens the same variant.
    other = ProductPage(open_new_browser(), javascript=javascript).goto_product(shared)
    expect(other.option("Size", "M")).to_be_checked()
    expect(other.option("Colour", "Blue")).to_be_checked()
    expect(other.main).to_contain_text("TS-M-BLUE")

    product.add_to_cart(quantity=2)
    product.header.expect_cart_count(2)
    expect(product.main).to_contain_text("2 in cart")

    cart = product.header.open_cart()
    expect(cart.main).to_contain_text("Size M, Colour Blue")
    expect(cart.subtotal).to_have_text("Subtotal (2 items): €50.00")
    assert_accessible(page)

    checkout = cart.checkout()
    checkout.fill_in(Address(email="ann@example.com"))
    order = checkout.place_order()
    order.expect_thank_you()
    expect(order.main).to_contain_text("Size M, Colour Blue")
    expect(order.main).to_contain_text("€50.00")


def test_a_link_to_an_unknown_combination_shows_the_product(page: Page, shirt, javascript):
    product = ProductPage(page, javascript=javascript).goto_product(f"{shirt.get_absolute_url()}?size=xxl&colour=1")
    expect(product.main).to_contain_text("These options are not offered for this product")
    expect(product.add_to_cart_button).to_be_disabled()
