"""Filling and emptying the cart, signing in with a cart, and the header's mini-cart."""

import re

from playwright.sync_api import Page, expect

from cart.models import Cart
from cart.tests.factories import make_cart, make_line, make_user

from .pages import CatalogPage, ProductPage


def test_add_change_and_remove_items(page: Page, shop, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript).goto()
    catalog.header.expect_cart_count(0)
    assert_accessible(page)
    if javascript:
        catalog.mark()

    # From a product card: the header count follows, the card says so.
    catalog.add_to_cart("Kettle 30")
    catalog.header.expect_cart_count(1)
    if javascript:
        expect(catalog.product_card("Kettle 30")).to_contain_text("Added — 1 in cart")
        expect(catalog.announcement).to_have_text("Added Kettle 30 to your cart: 1 in cart.")
        expect(page).to_have_url(re.compile(r"/products/$"))
        catalog.expect_same_document()
    else:
        expect(catalog.messages).to_contain_text("Added Kettle 30 to your cart: 1 in cart.")
        expect(catalog.product_card("Kettle 30")).to_contain_text("1 in cart")
    assert_accessible(page)

    # From a product page, two at once.
    product = catalog.open_product("Kettle 20")
    assert_accessible(page)
    product.add_to_cart(quantity=2)
    product.header.expect_cart_count(3)
    expect(product.main).to_contain_text("2 in cart")
    expect(page).to_have_url(re.compile(r"/products/kettle-20/$"))
    assert_accessible(page)

    cart = product.header.open_cart()
    expect(cart.line("Kettle 30")).to_contain_text("€30.00")
    expect(cart.line("Kettle 20")).to_contain_text("€40.00")
    expect(cart.subtotal).to_have_text("Subtotal (3 items): €70.00")
    expect(cart.checkout_link).to_have_attribute("href", re.compile(r"/checkout/$"))
    assert_accessible(page)
    if javascript:
        cart.mark()

    # Change a quantity: with JavaScript leaving the box is enough; without, Update.
    cart.set_quantity("Kettle 30", 3)
    expect(cart.line("Kettle 30")).to_contain_text("€90.00")
    expect(cart.subtotal).to_have_text("Subtotal (5 items): €130.00")
    cart.header.expect_cart_count(5)
    if javascript:
        cart.expect_same_document()
    else:
        expect(cart.messages).to_contain_text("Kettle 30: quantity set to 3.")
    assert_accessible(page)

    # Enter in a quantity box changes that line and no other.
    cart.quantity("Kettle 20").fill("4")
    cart.quantity("Kettle 20").press("Enter")
    expect(cart.line("Kettle 20")).to_contain_text("€80.00")
    expect(cart.subtotal).to_have_text("Subtotal (7 items): €170.00")
    expect(cart.quantity("Kettle 20")).to_have_value("4")
    expect(cart.quantity("Kettle 30")).to_have_value("3")
    expect(cart.line("Kettle 30")).to_contain_text("€90.00")
    cart.header.expect_cart_count(7)
    if javascript:
        cart.expect_same_document()
        expect(cart.quantity("Kettle 20")).to_be_focused()  # the keyboard user keeps their place
    assert_accessible(page)

    cart.remove("Kettle 30")
    expect(cart.line("Kettle 30")).to_have_count(0)
    expect(cart.subtotal).to_have_text("Subtotal (4 items): €80.00")
    cart.header.expect_cart_count(4)
    if javascript:
        cart.expect_same_document()
        expect(cart.announcement).to_have_text("Removed Kettle 30 from your cart.")
        # The button that was pressed is gone; focus goes to the line that took its place, never to
        # the top of the page or to a hidden heading (issue 13).
        expect(cart.quantity("Kettle 20")).to_be_focused()
    else:
        expect(cart.messages).to_contain_text("Removed Kettle 30 from your cart.")
    assert_accessible(page)

    # The last line out: an empty cart that leads back to the catalog.
    cart.remove("Kettle 20")
    expect(cart.empty_state).to_be_visible()
    expect(cart.table).to_have_count(0)
    expect(cart.checkout_link).to_have_count(0)
    cart.header.expect_cart_count(0)
    assert_accessible(page)
    cart.continue_shopping_link.click()
    expect(page).to_have_url(re.compile(r"/products/$"))
    expect(catalog.heading).to_have_text("Products")


def test_the_last_items_in_stock_cannot_be_overbought(page: Page, shop, javascript, assert_accessible):
    product = ProductPage(page, javascript=javascript).goto_product(shop.products["Kettle 27"].get_absolute_url())
    expect(product.main).to_contain_text("Only 3 left")
    product.add_to_cart(quantity=3)
    product.header.expect_cart_count(3)
    expect(product.main).to_contain_text("3 in cart")

    # One more is refused, next to the form, and nothing is added.
    product.add_to_cart(quantity=1)
    expect(product.main).to_contain_text("You already have 3 of Kettle 27 in your cart, the most we can sell you.")
    expect(product.request_problem).to_have_count(0)
    product.header.expect_cart_count(3)
    assert_accessible(page)


def test_signing_in_merges_the_guest_cart_into_the_customers(page: Page, shop, javascript, assert_accessible):
    customer = make_user()  # "shopper" / "correct-horse-battery"
    make_line(cart=make_cart(user=customer), product=shop.products["Teapot"], quantity=1)

    # As a guest: one Kettle 05 and two more of the Teapot the customer already has.
    product = ProductPage(page, javascript=javascript).goto_product(shop.products["Kettle 05"].get_absolute_url())
    product.add_to_cart()
    product.header.expect_cart_count(1)
    product.goto_product(shop.products["Teapot"].get_absolute_url())
    product.add_to_cart(quantity=2)
    product.header.expect_cart_count(3)

    sign_in = product.header.go_to_sign_in()
    assert_accessible(page)
    sign_in.sign_in("shopper", "correct-horse-battery")

    # Back where they were, signed in, with both carts in one.
    expect(page).to_have_url(re.compile(r"/products/teapot/$"))
    product.header.expect_signed_in_as("shopper")
    product.header.expect_cart_count(4)
    cart = product.header.open_cart()
    expect(cart.quantity("Teapot")).to_have_value("3")
    expect(cart.quantity("Kettle 05")).to_have_value("1")
    expect(cart.subtotal).to_have_text("Subtotal (4 items): €50.00")
    assert_accessible(page)
    assert Cart.objects.count() == 1, "the guest cart should have been merged away"


def test_the_header_cart_link_opens_a_mini_cart(page: Page, shop, javascript, assert_accessible):
    product_url = shop.products["Kettle 05"].get_absolute_url()
    product = ProductPage(page, javascript=javascript).goto_product(product_url)
    product.add_to_cart(quantity=2)
    header = product.header
    header.expect_cart_count(2)

    if not javascript:
        # Without JavaScript the Cart link is simply the cart page.
        cart = header.open_cart()
        expect(cart.quantity("Kettle 05")).to_have_value("2")
        return

    expect(header.mini_cart).to_be_hidden()
    expect(header.cart_link).to_have_attribute("aria-expanded", "false")

    header.cart_link.click()
    expect(header.mini_cart).to_be_visible()
    expect(header.mini_cart).to_contain_text("2 × Kettle 05")
    expect(header.mini_cart).to_contain_text("Subtotal: €10.00")
    expect(header.mini_cart.get_by_role("link", name="View cart")).to_be_visible()
    expect(header.cart_link).to_have_attribute("aria-expanded", "true")
    expect(header.mini_cart).to_be_focused()
    expect(page).to_have_url(re.compile(rf"{re.escape(product_url)}$"))
    assert_accessible(page)

    page.keyboard.press("Escape")
    expect(header.mini_cart).to_be_hidden()
    expect(header.cart_link).to_have_attribute("aria-expanded", "false")
    expect(header.cart_link).to_be_focused()

    # A second click on the link closes it again, like any disclosure.
    header.cart_link.click()
    expect(header.mini_cart).to_be_visible()
    header.cart_link.click()
    expect(header.mini_cart).to_be_hidden()
    expect(header.cart_link).to_have_attribute("aria-expanded", "false")
    assert_accessible(page)


def test_going_back_never_shows_an_older_cart(page: Page, shop, javascript):
    catalog = CatalogPage(page, javascript=javascript).goto()
    catalog.search("kettle")
    expect(catalog.result_count).to_have_text("35 products, showing 1–24")
    catalog.add_to_cart("Kettle 30")
    catalog.header.expect_cart_count(1)

    page.go_back()
    expect(catalog.heading).to_have_text("Products")
    catalog.header.expect_cart_count(1)
    expect(catalog.product_card("Kettle 30")).to_contain_text("1 in cart")
