"""The product gallery: choose a thumbnail and the main picture changes (in place with JavaScript, a
page without); choose a colour and its pictures come first."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from storefront.models import OptionValue, ProductPicture
from storefront.tests.factories import make_category, make_option_value, make_product, make_variant

from .conftest import _drawing
from .pages import ProductPage


@pytest.fixture
def jacket(shop_url: str):
    """A jacket in Red and Blue, with a front and a side view of each colour (Red first)."""
    make_option_value("Colour", "Red", swatch="#cc0000")
    make_option_value("Colour", "Blue", swatch="#1f4fbf")
    product = make_product(name="Jacket", slug="jacket", price=Decimal("80.00"), category=make_category(name="Coats"))
    make_variant(product, ("Colour", "Red"), sku="JK-RED")
    make_variant(product, ("Colour", "Blue"), sku="JK-BLUE")
    for colour, swatch in (("Red", "cc0000"), ("Blue", "1f4fbf")):
        value = OptionValue.objects.get(option_type__name="Colour", value=colour)
        for view in ("front", "side"):
            file = _drawing(f"#{swatch}", view)
            ProductPicture.objects.create(
                product=product,
                position=ProductPicture.objects.filter(product=product).count(),
                image=file.name,
                alt_text=f"{colour} Jacket, {view} view",
                colour=value,
                width=file.width,
                height=file.height,
                renditions=file.renditions,
            )
    return product


def test_choose_a_thumbnail_and_a_colour(page: Page, jacket, javascript, assert_accessible):
    product = ProductPage(page, javascript=javascript).goto_product(jacket.get_absolute_url())
    expect(product.image).to_have_accessible_name("Red Jacket, front view")
    expect(product.thumbnail(1, 4)).to_have_attribute("aria-current", "true")
    product.expect_image_loaded()
    assert_accessible(page)
    if javascript:
        product.mark()

    product.thumbnail(2, 4).click()
    expect(product.image).to_have_accessible_name("Red Jacket, side view")
    expect(product.thumbnail(2, 4)).to_have_attribute("aria-current", "true")
    expect(product.thumbnail(1, 4)).not_to_have_attribute("aria-current", "true")
    expect(page).to_have_url(re.compile(r"picture=\d+"))
    product.expect_image_loaded()
    if javascript:
        product.expect_same_document()
        expect(product.thumbnail(2, 4)).to_be_focused()
    assert_accessible(page)

    product.choose_options(Colour="Blue")
    expect(product.image).to_have_accessible_name("Blue Jacket, front view")
    expect(product.thumbnail(1, 4)).to_have_attribute("aria-current", "true")
    expect(product.main).to_contain_text("JK-BLUE")
    if javascript:
        product.expect_same_document()
    assert_accessible(page)

    product.thumbnail(4, 4).click()  # the other colour's pictures follow
    expect(product.image).to_have_accessible_name("Red Jacket, side view")
    expect(product.option("Colour", "Blue")).to_be_checked()  # the link kept the chosen variant
    assert_accessible(page)
