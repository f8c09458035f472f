"""One shopper, two tabs of the same browser: what one tab changes, the other never shows half of."""

from playwright.sync_api import Page, expect

from .pages import Address, CartPage, CatalogPage, CheckoutPage


def test_the_mini_cart_and_the_header_count_agree_after_another_tab_added(page: Page, shop, javascript):
    catalog = CatalogPage(page, javascript=javascript).goto()
    catalog.add_to_cart("Kettle 30")
    catalog.header.expect_cart_count(1)

    other = CatalogPage(page.context.new_page(), javascript=javascript).goto()
    other.add_to_cart("Kettle 29")
    other.header.expect_cart_count(2)

    catalog.header.cart_link.click()
    if javascript:
        # The mini-cart lists both lines, and the count beside it says so too.
        expect(catalog.header.mini_cart).to_contain_text("Kettle 30")
        expect(catalog.header.mini_cart).to_contain_text("Kettle 29")
        catalog.header.expect_cart_count(2)
    else:
        cart = CartPage(page, javascript=javascript)
        expect(cart.line("Kettle 29")).to_be_visible()
        cart.header.expect_cart_count(2)


def test_checkout_says_what_another_tab_changed_in_the_cart(page: Page, tea_shop, javascript, assert_accessible):
    catalog = CatalogPage(page, javascript=javascript).goto()
    catalog.add_to_cart("Teapot")
    catalog.header.expect_cart_count(1)
    checkout = CheckoutPage(page, javascript=javascript).goto()
    checkout.fill_in(Address())

    other = CartPage(page.context.new_page(), javascript=javascript).goto()
    other.set_quantity("Teapot", 2)
    expect(other.subtotal).to_have_text("Subtotal (2 items): €30.00")

    checkout.place_order_button.click()

    expect(checkout.error_summary).to_contain_text("Your cart changed since this order form was loaded")
    expect(checkout.error_summary).to_contain_text("Teapot: 2 instead of 1")
    expect(checkout.error_summary).not_to_contain_text("Prices changed")
    # The form now shows the cart as it is, and placing it again orders that.
    checkout.expect_summary_lines("2 × Teapot €30.00")
    assert_accessible(page)
    order = checkout.place_order()
    expect(order.heading).to_have_text("Thank you for your order!")
