"""Read-only journeys that also check a deployment: `E2E_BASE_URL=https://… make e2e`.

They change nothing (no cart, no account, no order) and assume no product names: whatever
catalog the shop holds (the demo catalog from `seed_catalog`, here and on staging), they
read it off the page first.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .pages import CartPage, CatalogPage, query_url

pytestmark = pytest.mark.smoke


def test_search_and_filter_the_catalog(page: Page, demo_catalog, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript).goto()
    everything = catalog.shown_count()
    assert everything > 0, "the catalog is empty"
    first = catalog.product_names.first.inner_text()
    assert_accessible(page)

    # A word of the first product's name finds it; results keep the catalog's order.
    word = max(re.findall(r"[^\W\d_]{3,}", first), key=len)
    catalog.search(word)
    expect(page).to_have_url(query_url("/products/", q=word))
    expect(catalog.remove_filter_link(f"Search: {word}")).to_be_visible()
    expect(catalog.product_names.first).to_have_text(first)
    assert 0 < catalog.shown_count() <= everything
    assert_accessible(page)

    # Without the search, one category: fewer products, and the heading says which.
    catalog.remove_filter_link(f"Search: {word}").click()
    expect(catalog.search_box).to_have_value("")
    category = catalog.category_choices()[0]
    catalog.choose_category(category)
    expect(catalog.result_count).to_have_text(re.compile(rf"\s+in {re.escape(category)}\s*$"))
    expect(catalog.remove_filter_link(f"Category: {category}")).to_be_visible()
    assert 0 < catalog.shown_count() <= everything
    assert_accessible(page)


def test_page_through_the_catalog_open_a_product_and_come_back(page: Page, demo_catalog, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript).goto()
    page_size = catalog.product_names.count()
    if catalog.shown_count() > page_size:
        catalog.next_page()
        expect(catalog.result_count).to_have_text(re.compile(rf", showing {page_size + 1}–"))
        expect(page).to_have_url(query_url("/products/", page="2"))
        assert_accessible(page)
    here = page.url
    names = catalog.product_names.all_inner_texts()

    product = catalog.open_product(names[0])
    expect(product.main).to_contain_text("€")
    expect(product.breadcrumbs.get_by_role("link", name="Products")).to_be_visible()
    if product.image.count():
        product.expect_image_loaded()
    assert_accessible(page)

    # Back: the whole catalog page as it was.
    page.go_back()
    expect(page).to_have_url(here)
    expect(catalog.header.banner).to_be_visible()
    expect(catalog.product_names).to_have_text(names)
    assert_accessible(page)


def test_an_empty_cart_leads_back_to_the_catalog(page: Page, demo_catalog, javascript, assert_accessible):
    cart = CartPage(page, javascript=javascript).goto()
    expect(cart.empty_state).to_be_visible()
    expect(cart.checkout_link).to_have_count(0)
    cart.header.expect_cart_count(0)
    assert_accessible(page)

    cart.continue_shopping_link.click()
    expect(page).to_have_url(re.compile(r"/products/$"))
    expect(CatalogPage(page, javascript=javascript).product_names.first).to_be_visible()
