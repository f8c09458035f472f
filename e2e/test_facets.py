"""Facets in the catalog: tick a size and a brand, see the results and the counts follow, go back."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from storefront.tests.factories import make_category, make_product, make_variant

from .pages import CatalogPage, query_url


@pytest.fixture
def wardrobe(shop_url: str) -> None:
    """Apparel of two brands: Acme Tee (M Blue, L Red), Acme Hoodie (M Red), Borealis Polo (S Blue, M Blue),
    Borealis Knit (L Blue); and a Lumen Lamp in Home, without options."""
    apparel, home = make_category(name="Apparel", slug="apparel"), make_category(name="Home", slug="home")
    for name, brand, combos in (
        ("Tee", "Acme", [("M", "Blue"), ("L", "Red")]),
        ("Hoodie", "Acme", [("M", "Red")]),
        ("Polo", "Borealis", [("S", "Blue"), ("M", "Blue")]),
        ("Knit", "Borealis", [("L", "Blue")]),
    ):
        product = make_product(name=name, slug=name.lower(), brand=brand, category=apparel, price=Decimal("30"))
        for size, colour in combos:
            make_variant(product, ("Size", size), ("Colour", colour))
    make_product(name="Lamp", slug="lamp", brand="Lumen", category=home)


def facet(page: Page, group: str, value: str):
    """The checkbox "<value> (<count>)" in the group (fieldset) named `group`."""
    return page.get_by_role("group", name=group).get_by_role(
        "checkbox", name=re.compile(rf"^{re.escape(value)} \(\d+\)$")
    )


def test_filter_by_size_and_brand_and_go_back(page: Page, wardrobe, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript).goto()
    expect(catalog.result_count).to_have_text("5 products")
    catalog.open_filters()
    expect(facet(page, "Size", "M")).to_have_accessible_name("M (3)")
    expect(facet(page, "Brand", "Acme")).to_have_accessible_name("Acme (2)")
    assert_accessible(page)
    if javascript:
        catalog.mark()

    facet(page, "Size", "M").check()
    catalog.apply_filters()
    expect(catalog.result_count).to_have_text("3 products")
    expect(page).to_have_url(query_url("/products/", size="m"))
    catalog.open_filters()
    expect(facet(page, "Brand", "Acme")).to_have_accessible_name("Acme (2)")
    expect(facet(page, "Brand", "Lumen")).to_be_disabled()  # no M of Lumen
    expect(facet(page, "Size", "M")).to_be_checked()
    if javascript:
        catalog.expect_same_document()
        expect(facet(page, "Size", "M")).to_be_focused()  # the same checkbox, swapped with its counts
    assert_accessible(page)

    facet(page, "Brand", "Borealis").check()
    catalog.apply_filters()
    expect(catalog.result_count).to_have_text("1 product")
    expect(catalog.product_names).to_have_text(["Polo"])
    expect(page).to_have_url(query_url("/products/", size="m", brand="borealis"))
    catalog.open_filters()
    expect(facet(page, "Size", "L")).to_have_accessible_name("L (1)")  # Borealis in L: the Knit
    expect(facet(page, "Colour", "Red")).to_be_disabled()  # no red M of Borealis
    expect(catalog.remove_filter_link("Brand: Borealis")).to_be_visible()
    if javascript:
        catalog.expect_same_document()
    assert_accessible(page)

    page.go_back()
    expect(page).to_have_url(query_url("/products/", size="m"))
    expect(catalog.result_count).to_have_text("3 products")
    catalog.open_filters()
    expect(facet(page, "Brand", "Borealis")).not_to_be_checked()
    expect(facet(page, "Size", "M")).to_be_checked()
    assert_accessible(page)

    page.reload()
    expect(catalog.result_count).to_have_text("3 products")
    catalog.open_filters()
    expect(facet(page, "Size", "M")).to_be_checked()
    expect(facet(page, "Brand", "Acme")).to_have_accessible_name("Acme (2)")
    assert_accessible(page)


# Only with JavaScript (on both screens): without it the search is submitted, a new page, nothing to keep.
@pytest.mark.parametrize("javascript", [True], ids=["js"])
def test_search_box_keeps_its_text_and_focus_while_the_facets_change(
    page: Page, wardrobe, javascript, assert_accessible
):
    catalog = CatalogPage(page, javascript=True).goto("size=m")
    catalog.search_box.click()
    catalog.search_box.press_sequentially("tee")
    expect(catalog.result_count).to_have_text("1 product")
    expect(page).to_have_url(query_url("/products/", q="tee", size="m"))
    expect(catalog.search_box).to_be_focused()
    expect(catalog.search_box).to_have_value("tee")
    catalog.open_filters()  # on a phone, a tap on "Filters" (which takes the focus)
    # The search narrows the brands listed to those it finds: only Acme's Tee.
    expect(page.get_by_role("group", name="Brand").get_by_role("checkbox")).to_have_count(1)
    expect(facet(page, "Brand", "Acme")).to_have_accessible_name("Acme (1)")
    assert_accessible(page)
