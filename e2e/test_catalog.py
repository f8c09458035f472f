"""Browsing the catalog: search, filter, sort, paginate, open a product and come back."""

import re

from playwright.sync_api import Page, expect

from cart.tests.factories import make_user

from .pages import CatalogPage, query_url


def test_search_filter_sort_paginate_open_a_product_and_go_back(page: Page, shop, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript).goto()
    expect(catalog.result_count).to_have_text("39 products, showing 1–24")
    expect(catalog.product_names).to_have_count(24)
    assert_accessible(page)
    if javascript:
        catalog.mark()

    catalog.search("kettle")
    expect(catalog.result_count).to_have_text("35 products, showing 1–24")
    expect(page).to_have_url(query_url("/products/", q="kettle"))
    expect(catalog.remove_filter_link("Search: kettle")).to_be_visible()
    if javascript:
        catalog.expect_same_document()
        expect(catalog.announcement).to_have_text("35 products found")
    assert_accessible(page)

    catalog.choose_category("Kitchen")
    expect(catalog.result_count).to_have_text("30 products, showing 1–24 in Kitchen")
    expect(page).to_have_url(query_url("/products/", q="kettle", category="kitchen"))
    if javascript:
        catalog.expect_same_document()
    assert_accessible(page)

    catalog.choose_sort_order("Price: low to high")
    expect(catalog.product_names.first).to_have_text("Kettle 01")
    expect(page).to_have_url(query_url("/products/", q="kettle", category="kitchen", sort="price"))
    expect(catalog.product_names).to_have_count(24)
    if javascript:
        catalog.expect_same_document()
    assert_accessible(page)

    catalog.next_page()
    expect(catalog.result_count).to_have_text("30 products, showing 25–30 in Kitchen")
    expect(catalog.product_names).to_have_text([f"Kettle {n}" for n in range(25, 31)])
    page2 = query_url("/products/", q="kettle", category="kitchen", sort="price", page="2")
    expect(page).to_have_url(page2)
    if javascript:
        catalog.expect_same_document()
        # The link that was used is gone; focus lands on the new results, not on <body>.
        expect(catalog.result_count).to_be_focused()
    assert_accessible(page)

    product = catalog.open_product("Kettle 27")
    expect(page).to_have_url(re.compile(r"/products/kettle-27/$"))
    expect(product.main).to_contain_text("€27.00")
    expect(product.main).to_contain_text("Only 3 left")
    product.expect_image_loaded()
    assert_accessible(page)

    # Back: the whole catalog page as it was, not a bare fragment of it.
    page.go_back()
    expect(page).to_have_url(page2)
    expect(catalog.header.banner).to_be_visible()
    expect(catalog.search_box).to_have_value("kettle")
    expect(catalog.category).to_have_value("kitchen")
    expect(catalog.sort_by).to_have_value("price")
    expect(catalog.result_count).to_have_text("30 products, showing 25–30 in Kitchen")
    expect(catalog.product_names).to_have_text([f"Kettle {n}" for n in range(25, 31)])
    expect(catalog.footer).to_contain_text("Prices include VAT")
    assert_accessible(page)


def test_back_and_forward_retrace_each_filter_step(page: Page, shop, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript).goto()
    catalog.search("kettle")
    expect(catalog.result_count).to_have_text("35 products, showing 1–24")
    catalog.choose_category("Kitchen")
    expect(catalog.result_count).to_have_text("30 products, showing 1–24 in Kitchen")

    # Each step back shows that step whole: its URL, its results and the filters that made them.
    page.go_back()
    expect(page).to_have_url(query_url("/products/", q="kettle"))
    expect(page).not_to_have_url(re.compile(r"category=kitchen"))
    expect(catalog.result_count).to_have_text("35 products, showing 1–24")
    expect(catalog.search_box).to_have_value("kettle")
    if javascript:
        # (Without JavaScript the browser's back/forward cache shows the page exactly as it
        # was left, Kitchen chosen but not yet applied: the browser's doing, not the shop's.)
        expect(catalog.category).to_have_value("")
    assert_accessible(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/products/$"))
    expect(catalog.result_count).to_have_text("39 products, showing 1–24")
    expect(catalog.search_box).to_have_value("")

    # One step at a time: with JavaScript each step is a pushState entry that htmx, keeping no
    # history cache, reloads; moving on before that reload has landed would abort it.
    page.go_forward()
    expect(catalog.result_count).to_have_text("35 products, showing 1–24")
    page.go_forward()
    expect(page).to_have_url(query_url("/products/", q="kettle", category="kitchen"))
    expect(catalog.result_count).to_have_text("30 products, showing 1–24 in Kitchen")
    expect(catalog.search_box).to_have_value("kettle")
    expect(catalog.category).to_have_value("kitchen")
    assert_accessible(page)


def test_removing_a_filter_keeps_the_others(page: Page, shop, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript).goto("q=kettle&category=kitchen&sort=price")
    expect(catalog.result_count).to_have_text("30 products, showing 1–24 in Kitchen")
    if javascript:
        catalog.mark()

    catalog.remove_filter_link("Search: kettle").click()
    expect(page).to_have_url(re.compile(r"/products/\?category=kitchen&sort=price$"))
    expect(catalog.result_count).to_have_text("32 products, showing 1–24 in Kitchen")
    expect(catalog.search_box).to_have_value("")
    expect(catalog.category).to_have_value("kitchen")
    expect(catalog.sort_by).to_have_value("price")
    expect(catalog.remove_filter_link(re.compile(r"^Search:"))).to_have_count(0)
    if javascript:
        catalog.expect_same_document()
    assert_accessible(page)


def test_an_impossible_price_range_is_explained(page: Page, shop, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript).goto()
    if javascript:
        catalog.mark()

    catalog.set_price_range("50", "10")

    expect(catalog.filter_problem).to_contain_text("Some filters could not be used")
    expect(catalog.filter_problem).to_contain_text("Max price: Max price must not be below min price.")
    if not javascript:  # the page came back whole: the box itself says what is wrong with it
        expect(catalog.max_price).to_have_accessible_description("Max price must not be below min price.")
    expect(catalog.result_count).to_have_text("No products found")
    expect(catalog.request_problem).to_have_count(0)
    if javascript:
        catalog.expect_same_document()
    assert_accessible(page)


def test_a_hostile_query_string_gets_a_clear_answer(page: Page, shop, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript)
    response = page.goto("/products/?min_price=abc&page=-1&sort=drop%20table")

    assert response is not None
    assert 400 <= response.status < 500, f"expected a clear 4xx, got {response.status}"
    expect(catalog.filter_problem).to_contain_text("Some filters could not be used")
    expect(catalog.filter_problem).to_contain_text("Min price: Enter a number.")
    expect(catalog.filter_problem).to_contain_text("Sort by: Choose one of the listed sort orders.")
    # The number box is described by its error and does not hold "abc", which no number box can.
    expect(catalog.min_price).to_have_accessible_description("Enter a number.")
    expect(catalog.min_price).not_to_have_attribute("value", "abc")
    # What can be used still is: the catalog is shown, not an error page.
    expect(catalog.result_count).to_have_text(re.compile(r"\b39 products, showing \d"))
    expect(catalog.sort_by).to_have_value("featured")
    assert_accessible(page)


def test_signing_in_from_the_catalog_comes_back_to_the_same_results(page: Page, shop, javascript):
    make_user()  # "shopper" / "correct-horse-battery"
    catalog = CatalogPage(page, javascript=javascript).goto()
    catalog.search("kettle")
    expect(catalog.result_count).to_have_text("35 products, showing 1–24")

    catalog.header.go_to_sign_in().sign_in("shopper", "correct-horse-battery")

    expect(page).to_have_url(query_url("/products/", q="kettle"))
    expect(catalog.result_count).to_have_text("35 products, showing 1–24")
    catalog.header.expect_signed_in_as("shopper")
