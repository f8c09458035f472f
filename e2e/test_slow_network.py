"""The shop on a slow network, where the shopper acts again before the last answer came back.

The rules (issue 13): the last action wins; an answer to an earlier one never lands or moves the
address bar after a later request was sent; the form matches the URL; what the shopper typed last
is what counts. These journeys need JavaScript: without it every action is a page load of its own.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from cart.models import CartLine

from .pages import CartPage, CatalogPage, query_url


@pytest.fixture
def javascript() -> bool:
    """Only with JavaScript (on both screens): without it every action is a page load of its own."""
    return True


def test_a_slow_next_page_never_lands_over_a_category_chosen_after_it(page: Page, shop, slow_answers):
    catalog = CatalogPage(page, javascript=True).goto()
    catalog.open_filters()
    slow = slow_answers(page, "**/products/?*", holds=lambda request: "page=2" in request.url)

    catalog.next_page()
    slow.wait_for(1)
    slow.hold = False
    catalog.category.select_option(label="Outdoors")

    expect(catalog.result_count).to_have_text("5 products in Outdoors")
    slow.release()  # the second page of "all products" arrives now
    page.wait_for_timeout(300)
    expect(catalog.result_count).to_have_text("5 products in Outdoors")
    expect(page).to_have_url(query_url("/products/", category="outdoors"))
    expect(page).not_to_have_url(re.compile(r"page="))
    expect(catalog.category).to_have_value("outdoors")


def test_a_slow_filter_never_lands_over_a_chip_removed_after_it(page: Page, shop, slow_answers):
    catalog = CatalogPage(page, javascript=True).goto("q=kettle")
    expect(catalog.result_count).to_have_text("35 products, showing 1–24")
    catalog.open_filters()
    in_stock = page.get_by_label("In stock only")
    slow = slow_answers(page, "**/products/?*", holds=lambda request: "in_stock=on" in request.url)

    in_stock.check()
    slow.wait_for(1)
    slow.hold = False
    catalog.remove_filter_link("Search: kettle").click()  # the chip of the page as it was: all products

    expect(page).to_have_url(re.compile(r"/products/$"))
    expect(catalog.result_count).to_have_text("39 products, showing 1–24")
    slow.release()  # "kettle, in stock only" arrives now
    page.wait_for_timeout(300)
    # The last action won, whole: its URL, its results, and a form that says the same.
    expect(page).to_have_url(re.compile(r"/products/$"))
    expect(catalog.result_count).to_have_text("39 products, showing 1–24")
    expect(catalog.search_box).to_have_value("")
    expect(in_stock).not_to_be_checked()


def test_arrowing_through_the_categories_is_one_step_in_the_history(page: Page, shop):
    catalog = CatalogPage(page, javascript=True).goto()
    expect(catalog.result_count).to_have_text("39 products, showing 1–24")

    catalog.open_filters()
    catalog.category.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # All categories → Hall → Kitchen → Outdoors

    expect(catalog.result_count).to_have_text("5 products in Outdoors")
    expect(page).to_have_url(query_url("/products/", category="outdoors"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/products/$"))
    expect(catalog.result_count).to_have_text("39 products, showing 1–24")


def test_a_quantity_typed_while_the_last_one_is_on_its_way_is_the_one_that_counts(page: Page, shop, slow_answers):
    catalog = CatalogPage(page, javascript=True).goto()
    catalog.add_to_cart("Kettle 30")
    catalog.header.expect_cart_count(1)
    cart = CartPage(page, javascript=True).goto()
    slow = slow_answers(page, "**/cart/lines/**")

    cart.set_quantity("Kettle 30", 2)
    slow.wait_for(1)  # the server has set 2; its answer is on its way
    slow.hold = False
    cart.set_quantity("Kettle 30", 3)

    expect(cart.subtotal).to_have_text("Subtotal (3 items): €90.00")
    slow.release()
    page.wait_for_timeout(300)
    expect(cart.quantity("Kettle 30")).to_have_value("3")
    expect(cart.subtotal).to_have_text("Subtotal (3 items): €90.00")
    cart.header.expect_cart_count(3)
    assert CartLine.objects.get().quantity == 3
