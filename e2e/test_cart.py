"""Filling and emptying the cart, signing in with a cart, and the header's mini-cart."""

import re

from playwright.sync_api import Page, expect

from cart.models import Cart
from cart.tests.factories import make_cart, make_line, make_user

from .pages import (
    add_to_cart_button,
    cart_line,
    cart_link,
    cart_subtotal,
    expect_cart_count,
    expect_same_page,
    mark_page,
    product_card,
    result_count,
    search_box,
)


def open_cart_page(page: Page, javascript: bool) -> None:
    """From the header: with JavaScript the Cart link opens the mini-cart, which links to the cart."""
    cart_link(page).click()
    if javascript:
        page.get_by_role("region", name="Cart summary").get_by_role("link", name="View cart").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.get_by_role("heading", name="Your cart", level=1)).to_be_visible()


def test_add_change_and_remove_items(page: Page, shop, javascript, assert_accessible):
    page.goto("/products/")
    expect_cart_count(page, 0)
    assert_accessible(page)
    if javascript:
        mark_page(page)

    # From a product card: the header count follows, the card says so.
    product_card(page, "Kettle 30").get_by_role("button", name=add_to_cart_button("Kettle 30")).click()
    expect_cart_count(page, 1)
    if javascript:
        expect(product_card(page, "Kettle 30")).to_contain_text("Added — 1 in cart")
        expect(page.locator("[aria-live=polite]")).to_have_text("Added Kettle 30 to your cart: 1 in cart.")
        expect(page).to_have_url(re.compile(r"/products/$"))
        expect_same_page(page)
    else:
        expect(page.get_by_role("status")).to_contain_text("Added Kettle 30 to your cart: 1 in cart.")
        expect(product_card(page, "Kettle 30")).to_contain_text("1 in cart")
    assert_accessible(page)

    # From a product page, two at once.
    product_card(page, "Kettle 20").get_by_role("link", name="Kettle 20", exact=True).click()
    expect(page.get_by_role("heading", name="Kettle 20", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name=add_to_cart_button("Kettle 20")).click()
    expect_cart_count(page, 3)
    expect(page.get_by_role("main")).to_contain_text("2 in cart")
    expect(page).to_have_url(re.compile(r"/products/kettle-20/$"))
    assert_accessible(page)

    open_cart_page(page, javascript)
    expect(cart_line(page, "Kettle 30")).to_contain_text("€30.00")
    expect(cart_line(page, "Kettle 20")).to_contain_text("€40.00")
    expect(cart_subtotal(page)).to_have_text("Subtotal (3 items): €70.00")
    expect(page.get_by_role("link", name="Checkout")).to_have_attribute("href", re.compile(r"/checkout/$"))
    assert_accessible(page)
    if javascript:
        mark_page(page)

    # Change a quantity: with JavaScript leaving the box is enough; without, Update.
    page.get_by_label("Quantity for Kettle 30").fill("3")
    if javascript:
        page.get_by_label("Quantity for Kettle 30").press("Tab")
    else:
        page.get_by_role("button", name=re.compile(r"^Update\s*Kettle 30$")).click()
    expect(cart_line(page, "Kettle 30")).to_contain_text("€90.00")
    expect(cart_subtotal(page)).to_have_text("Subtotal (5 items): €130.00")
    expect_cart_count(page, 5)
    if javascript:
        expect_same_page(page)
    else:
        expect(page.get_by_role("status")).to_contain_text("Kettle 30: quantity set to 3.")
    assert_accessible(page)

    # Enter in a quantity box changes that line and no other.
    page.get_by_label("Quantity for Kettle 20").fill("4")
    page.get_by_label("Quantity for Kettle 20").press("Enter")
    expect(cart_line(page, "Kettle 20")).to_contain_text("€80.00")
    expect(cart_subtotal(page)).to_have_text("Subtotal (7 items): €170.00")
    expect(page.get_by_label("Quantity for Kettle 20")).to_have_value("4")
    expect(page.get_by_label("Quantity for Kettle 30")).to_have_value("3")
    expect(cart_line(page, "Kettle 30")).to_contain_text("€90.00")
    expect_cart_count(page, 7)
    if javascript:
        expect_same_page(page)
        expect(page.get_by_label("Quantity for Kettle 20")).to_be_focused()  # the keyboard user keeps their place
    assert_accessible(page)

    page.get_by_role("button", name=re.compile(r"^Remove\s*Kettle 30$")).click()
    expect(cart_line(page, "Kettle 30")).to_have_count(0)
    expect(cart_subtotal(page)).to_have_text("Subtotal (4 items): €80.00")
    expect_cart_count(page, 4)
    if javascript:
        expect_same_page(page)
        expect(page.locator("[aria-live=polite]")).to_have_text("Removed Kettle 30 from your cart.")
        # The button that was pressed is gone; focus goes to the cart, not back to the top of the page.
        expect(page.get_by_role("heading", name="Cart contents")).to_be_focused()
    else:
        expect(page.get_by_role("status")).to_contain_text("Removed Kettle 30 from your cart.")
    assert_accessible(page)

    # The last line out: an empty cart that leads back to the catalog.
    page.get_by_role("button", name=re.compile(r"^Remove\s*Kettle 20$")).click()
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    expect(page.get_by_role("link", name="Checkout")).to_have_count(0)
    expect_cart_count(page, 0)
    assert_accessible(page)
    page.get_by_role("link", name="Continue shopping").click()
    expect(page).to_have_url(re.compile(r"/products/$"))
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()


def test_the_last_items_in_stock_cannot_be_overbought(page: Page, shop, javascript, assert_accessible):
    page.goto(shop.products["Kettle 27"].get_absolute_url())
    expect(page.get_by_role("main")).to_contain_text("Only 3 left")
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name=add_to_cart_button("Kettle 27")).click()
    expect_cart_count(page, 3)
    expect(page.get_by_role("main")).to_contain_text("3 in cart")

    # One more is refused, next to the form, and nothing is added.
    page.get_by_label("Quantity").fill("1")
    page.get_by_role("button", name=add_to_cart_button("Kettle 27")).click()
    expect(page.get_by_role("main")).to_contain_text(
        "You already have 3 of Kettle 27 in your cart, the most we can sell you."
    )
    expect(page.get_by_text(re.compile(r"that didn’t work"))).to_have_count(0)
    expect_cart_count(page, 3)
    assert_accessible(page)


def test_signing_in_merges_the_guest_cart_into_the_customers(page: Page, shop, javascript, assert_accessible):
    customer = make_user()  # "shopper" / "correct-horse-battery"
    make_line(cart=make_cart(user=customer), product=shop.products["Teapot"], quantity=1)

    # As a guest: one Kettle 05 and two more of the Teapot the customer already has.
    page.goto(shop.products["Kettle 05"].get_absolute_url())
    page.get_by_role("button", name=add_to_cart_button("Kettle 05")).click()
    expect_cart_count(page, 1)
    page.goto(shop.products["Teapot"].get_absolute_url())
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name=add_to_cart_button("Teapot")).click()
    expect_cart_count(page, 3)

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill("shopper")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()

    # Back where they were, signed in, with both carts in one.
    expect(page).to_have_url(re.compile(r"/products/teapot/$"))
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("shopper")
    expect_cart_count(page, 4)
    open_cart_page(page, javascript)
    expect(page.get_by_label("Quantity for Teapot")).to_have_value("3")
    expect(page.get_by_label("Quantity for Kettle 05")).to_have_value("1")
    expect(cart_subtotal(page)).to_have_text("Subtotal (4 items): €50.00")
    assert_accessible(page)
    assert Cart.objects.count() == 1, "the guest cart should have been merged away"


def test_the_header_cart_link_opens_a_mini_cart(page: Page, shop, javascript, assert_accessible):
    product_url = shop.products["Kettle 05"].get_absolute_url()
    page.goto(product_url)
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name=add_to_cart_button("Kettle 05")).click()
    expect_cart_count(page, 2)

    if not javascript:
        # Without JavaScript the Cart link is simply the cart page.
        cart_link(page).click()
        expect(page).to_have_url(re.compile(r"/cart/$"))
        expect(page.get_by_label("Quantity for Kettle 05")).to_have_value("2")
        return

    summary = page.get_by_role("region", name="Cart summary")
    expect(summary).to_be_hidden()
    expect(cart_link(page)).to_have_attribute("aria-expanded", "false")

    cart_link(page).click()
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("2 × Kettle 05")
    expect(summary).to_contain_text("Subtotal: €10.00")
    expect(summary.get_by_role("link", name="View cart")).to_be_visible()
    expect(cart_link(page)).to_have_attribute("aria-expanded", "true")
    expect(summary).to_be_focused()
    expect(page).to_have_url(re.compile(rf"{re.escape(product_url)}$"))
    assert_accessible(page)

    page.keyboard.press("Escape")
    expect(summary).to_be_hidden()
    expect(cart_link(page)).to_have_attribute("aria-expanded", "false")
    expect(cart_link(page)).to_be_focused()

    # A second click on the link closes it again, like any disclosure.
    cart_link(page).click()
    expect(summary).to_be_visible()
    cart_link(page).click()
    expect(summary).to_be_hidden()
    expect(cart_link(page)).to_have_attribute("aria-expanded", "false")
    assert_accessible(page)


def test_going_back_never_shows_an_older_cart(page: Page, shop, javascript):
    page.goto("/products/")
    search_box(page).fill("kettle")
    if not javascript:
        search_box(page).press("Enter")
    expect(result_count(page)).to_have_text("35 products, showing 1–24")
    product_card(page, "Kettle 30").get_by_role("button", name=add_to_cart_button("Kettle 30")).click()
    expect_cart_count(page, 1)

    page.go_back()
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()
    expect_cart_count(page, 1)
    expect(product_card(page, "Kettle 30")).to_contain_text("1 in cart")
