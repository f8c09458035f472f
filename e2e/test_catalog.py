"""Browsing the catalog: search, filter, sort, paginate, open a product and come back."""

import re

from playwright.sync_api import Page, expect

from cart.tests.factories import make_user

from .pages import (
    expect_same_page,
    mark_page,
    product_names,
    query_url,
    remove_filter,
    result_count,
    results,
    search_box,
)


def apply_filters(page: Page, javascript: bool) -> None:
    """With JavaScript the form already sent itself on change; without, the shopper submits it."""
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()


def test_search_filter_sort_paginate_open_a_product_and_go_back(page: Page, shop, javascript, assert_accessible):
    page.goto("/products/")
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()
    expect(result_count(page)).to_have_text("39 products, showing 1–24")
    expect(product_names(page)).to_have_count(24)
    assert_accessible(page)
    if javascript:
        mark_page(page)

    # Search: with JavaScript the results follow the typing; without, Enter submits.
    search_box(page).fill("kettle")
    if not javascript:
        search_box(page).press("Enter")
    expect(result_count(page)).to_have_text("35 products, showing 1–24")
    expect(page).to_have_url(query_url("/products/", q="kettle"))
    expect(results(page).get_by_role("link", name=remove_filter("Search: kettle"))).to_be_visible()
    if javascript:
        expect_same_page(page)
        expect(page.locator("[aria-live=polite]")).to_have_text("35 products found")
    assert_accessible(page)

    page.get_by_label("Category").select_option(label="Kitchen")
    apply_filters(page, javascript)
    expect(result_count(page)).to_have_text("30 products, showing 1–24 in Kitchen")
    expect(page).to_have_url(query_url("/products/", q="kettle", category="kitchen"))
    if javascript:
        expect_same_page(page)
    assert_accessible(page)

    page.get_by_label("Sort by").select_option(label="Price: low to high")
    apply_filters(page, javascript)
    expect(product_names(page).first).to_have_text("Kettle 01")
    expect(page).to_have_url(query_url("/products/", q="kettle", category="kitchen", sort="price"))
    expect(product_names(page)).to_have_count(24)
    if javascript:
        expect_same_page(page)
    assert_accessible(page)

    results(page).get_by_role("navigation", name="Pagination").get_by_role("link", name="Next page").click()
    expect(result_count(page)).to_have_text("30 products, showing 25–30 in Kitchen")
    expect(product_names(page)).to_have_text([f"Kettle {n}" for n in range(25, 31)])
    page2 = query_url("/products/", q="kettle", category="kitchen", sort="price", page="2")
    expect(page).to_have_url(page2)
    if javascript:
        expect_same_page(page)
        # The link that was used is gone; focus lands on the new results, not on <body>.
        expect(result_count(page)).to_be_focused()
    assert_accessible(page)

    results(page).get_by_role("link", name="Kettle 27", exact=True).click()
    expect(page).to_have_url(re.compile(r"/products/kettle-27/$"))
    expect(page.get_by_role("heading", name="Kettle 27", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("€27.00")
    expect(page.get_by_role("main")).to_contain_text("Only 3 left")
    image = page.get_by_role("article").locator("img")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0, "the product image did not load"
    assert_accessible(page)

    # Back: the whole catalog page as it was, not a bare fragment of it.
    page.go_back()
    expect(page).to_have_url(page2)
    expect(page.get_by_role("banner")).to_be_visible()
    expect(search_box(page)).to_have_value("kettle")
    expect(page.get_by_label("Category")).to_have_value("kitchen")
    expect(page.get_by_label("Sort by")).to_have_value("price")
    expect(result_count(page)).to_have_text("30 products, showing 25–30 in Kitchen")
    expect(product_names(page)).to_have_text([f"Kettle {n}" for n in range(25, 31)])
    expect(page.get_by_role("contentinfo")).to_contain_text("Prices include VAT")
    assert_accessible(page)


def test_back_and_forward_retrace_each_filter_step(page: Page, shop, javascript, assert_accessible):
    page.goto("/products/")
    search_box(page).fill("kettle")
    if not javascript:
        search_box(page).press("Enter")
    expect(result_count(page)).to_have_text("35 products, showing 1–24")
    page.get_by_label("Category").select_option(label="Kitchen")
    apply_filters(page, javascript)
    expect(result_count(page)).to_have_text("30 products, showing 1–24 in Kitchen")

    # Each step back shows that step whole: its URL, its results and the filters that made them.
    page.go_back()
    expect(page).to_have_url(query_url("/products/", q="kettle"))
    expect(page).not_to_have_url(re.compile(r"category=kitchen"))
    expect(result_count(page)).to_have_text("35 products, showing 1–24")
    expect(search_box(page)).to_have_value("kettle")
    if javascript:
        # (Without JavaScript the browser's back/forward cache shows the page exactly as it
        # was left, Kitchen chosen but not yet applied: the browser's doing, not the shop's.)
        expect(page.get_by_label("Category")).to_have_value("")
    assert_accessible(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/products/$"))
    expect(result_count(page)).to_have_text("39 products, showing 1–24")
    expect(search_box(page)).to_have_value("")

    page.go_forward()
    page.go_forward()
    expect(page).to_have_url(query_url("/products/", q="kettle", category="kitchen"))
    expect(result_count(page)).to_have_text("30 products, showing 1–24 in Kitchen")
    expect(search_box(page)).to_have_value("kettle")
    expect(page.get_by_label("Category")).to_have_value("kitchen")
    assert_accessible(page)


def test_removing_a_filter_keeps_the_others(page: Page, shop, javascript, assert_accessible):
    page.goto("/products/?q=kettle&category=kitchen&sort=price")
    expect(result_count(page)).to_have_text("30 products, showing 1–24 in Kitchen")
    if javascript:
        mark_page(page)

    results(page).get_by_role("link", name=remove_filter("Search: kettle")).click()
    expect(page).to_have_url(re.compile(r"/products/\?category=kitchen&sort=price$"))
    expect(result_count(page)).to_have_text("32 products, showing 1–24 in Kitchen")
    expect(search_box(page)).to_have_value("")
    expect(page.get_by_label("Category")).to_have_value("kitchen")
    expect(page.get_by_label("Sort by")).to_have_value("price")
    expect(results(page).get_by_role("link", name=re.compile(r"^Search:"))).to_have_count(0)
    if javascript:
        expect_same_page(page)
    assert_accessible(page)


def test_an_impossible_price_range_is_explained(page: Page, shop, javascript, assert_accessible):
    page.goto("/products/")
    if javascript:
        mark_page(page)

    page.get_by_label("Min price").fill("50")
    page.get_by_label("Max price").fill("10")
    if javascript:
        page.get_by_label("Max price").press("Tab")  # the change event sends the form
    apply_filters(page, javascript)

    problem = results(page).get_by_role("alert")
    expect(problem).to_contain_text("Some filters could not be used")
    expect(problem).to_contain_text("Max price: Max price must not be below min price.")
    expect(result_count(page)).to_have_text("No products found")
    expect(page.get_by_text(re.compile(r"that didn’t work"))).to_have_count(0)
    if javascript:
        expect_same_page(page)
    assert_accessible(page)


def test_a_hostile_query_string_gets_a_clear_answer(page: Page, shop, assert_accessible):
    response = page.goto("/products/?min_price=abc&page=-1&sort=drop%20table")

    assert response is not None
    assert 400 <= response.status < 500, f"expected a clear 4xx, got {response.status}"
    problem = results(page).get_by_role("alert")
    expect(problem).to_contain_text("Some filters could not be used")
    expect(problem).to_contain_text("Min price: Enter a number.")
    expect(problem).to_contain_text("Sort by: Choose one of the listed sort orders.")
    # What can be used still is: the catalog is shown, not an error page.
    expect(result_count(page)).to_have_text(re.compile(r"\b39 products, showing \d"))
    expect(page.get_by_label("Sort by")).to_have_value("featured")
    assert_accessible(page)


def test_signing_in_from_the_catalog_comes_back_to_the_same_results(page: Page, shop, javascript):
    make_user()  # "shopper" / "correct-horse-battery"
    page.goto("/products/")
    search_box(page).fill("kettle")
    if not javascript:
        search_box(page).press("Enter")
    expect(result_count(page)).to_have_text("35 products, showing 1–24")

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("shopper")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(query_url("/products/", q="kettle"))
    expect(result_count(page)).to_have_text("35 products, showing 1–24")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("shopper")
