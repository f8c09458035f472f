"""Checking out as a guest and as a customer, mistakes in the order form, and the orders afterwards."""

import re

from playwright.sync_api import Page, Route, expect

from cart.tests.factories import make_user
from orders.models import Order
from orders.tests.factories import make_order
from storefront.tests.factories import set_stock

from .pages import Address, CatalogPage, CheckoutPage, OrderHistoryPage, OrderPage, ShopPage, checkout_with


def hold_the_order_until_checked(page: Page, checkout: CheckoutPage) -> list[bool]:
    """While the order is on its way to the shop, look at the Place order button; then let it go.

    Returns the list the observation lands in (`[True]`: it was disabled). The live field
    checks (`_validate`) pass untouched.
    """
    observed: list[bool] = []

    def look_then_continue(route: Route) -> None:
        request = route.request
        if request.method == "POST" and "_validate" not in (request.post_data or ""):
            # htmx disables the button (hx-disabled-elt) before it sends the request, and the
            # request is held right here: this is the shopper's view while the order is placed.
            observed.append(checkout.place_order_button.is_disabled())
        route.fallback()

    page.route(re.compile(r"/checkout/$"), look_then_continue)
    return observed


def test_a_guest_orders_from_the_catalog_and_keeps_a_private_link(
    page: Page, tea_shop, javascript, assert_accessible, open_new_browser
):
    catalog = CatalogPage(page, javascript=javascript).goto()
    catalog.add_to_cart("Teapot")
    catalog.header.expect_cart_count(1)
    cart = catalog.header.open_cart()
    expect(cart.subtotal).to_have_text("Subtotal (1 item): €15.00")

    checkout = cart.checkout()
    checkout.expect_summary_lines("1 × Teapot €15.00")
    checkout.expect_totals(subtotal="€15.00", shipping=("Standard delivery", "€4.95"), total="€19.95")
    expect(checkout.email).to_have_value("")
    expect(checkout.shipping_option("Standard delivery")).to_be_checked()
    expect(checkout.payment_option("Bank transfer")).to_be_checked()
    assert_accessible(page)

    checkout.fill_in(Address(email="ann@example.com"))
    assert_accessible(page)  # with JavaScript, after each field has checked itself
    observed = hold_the_order_until_checked(page, checkout) if javascript else []
    order = checkout.place_order()

    order.expect_thank_you()
    if javascript:
        assert observed == [True], f"Place order should be disabled while the order is placed (seen: {observed})"
    expect(order.main).to_contain_text(f"Your order {order.reference} is placed.")
    expect(order.main).to_contain_text("We sent a confirmation to ann@example.com.")
    order.expect_status("Pending")
    expect(order.status).to_contain_text(f"with the reference {order.reference}")  # how to pay
    expect(order.line("Teapot")).to_contain_text("€15.00")
    order.expect_total("€19.95")
    expect(order.delivery).to_contain_text("Ann Example")
    order.header.expect_cart_count(0)
    expect(order.private_link).to_have_text(re.compile(rf"^https?://[^/]+/orders/{order.reference}/\?key=\S+$"))
    assert_accessible(page)

    # The link is the guest's way back, from any browser: here one that has never seen the shop.
    private_link = order.private_link.inner_text()
    elsewhere = OrderPage(open_new_browser(), javascript=javascript)
    elsewhere.page.goto(private_link)
    expect(elsewhere.heading).to_have_text(f"Order {order.reference}")
    elsewhere.expect_status("Pending")
    expect(elsewhere.line("Teapot")).to_contain_text("€15.00")
    elsewhere.expect_total("€19.95")
    expect(elsewhere.private_link).to_have_text(private_link)
    assert_accessible(elsewhere.page)


def test_a_customer_finds_their_email_filled_in_and_the_order_in_their_history(
    page: Page, tea_shop, javascript, assert_accessible
):
    customer = make_user(email="shopper@example.com")  # "shopper" / "correct-horse-battery"
    earlier = make_order(customer=customer, lines=[(tea_shop["Tea Towel"], 2)], email="shopper@example.com")

    catalog = CatalogPage(page, javascript=javascript).goto()
    catalog.header.go_to_sign_in().sign_in("shopper", "correct-horse-battery")
    catalog.header.expect_signed_in_as("shopper")
    product = catalog.open_product("Kettle")
    product.add_to_cart(quantity=3)
    product.header.expect_cart_count(3)

    checkout = product.header.open_cart().checkout()
    expect(checkout.email).to_have_value("shopper@example.com")
    checkout.expect_totals(subtotal="€60.00", shipping=("Standard delivery", "Free"), total="€60.00")
    assert_accessible(page)
    checkout.fill_in_address(Address(name="Sam Shopper"))
    checkout.choose_payment("Cash on delivery")
    order = checkout.place_order()

    order.expect_thank_you()
    reference = order.reference
    expect(order.private_link).to_have_count(0)  # a customer's orders are in their account
    expect(order.delivery).to_contain_text("Sam Shopper")
    expect(order.delivery).to_contain_text("Cash on delivery")
    expect(order.status).to_contain_text("Please have €60.00 ready in cash for the courier.")
    assert_accessible(page)

    history = order.header.open_orders()
    expect(history.references).to_have_text([reference, earlier.reference])  # newest first
    expect(history.row(reference)).to_contain_text("Pending")
    expect(history.row(reference)).to_contain_text("€60.00")
    assert_accessible(page)

    again = history.open(reference)
    expect(again.line("Kettle")).to_contain_text("€60.00")
    assert_accessible(page)


def test_mistakes_in_the_order_form_are_shown_where_they_are(page: Page, tea_shop, javascript, assert_accessible):
    checkout = checkout_with(page, tea_shop["Teapot"].get_absolute_url(), javascript=javascript)

    if javascript:
        # Leaving a field checks it, in place: the page stays, the shopper keeps their place.
        checkout.mark()
        checkout.email.fill("a@b")
        checkout.email.press("Tab")
        checkout.expect_field_error(checkout.email, "Enter a valid email address.")
        expect(checkout.full_name).to_be_focused()
        expect(checkout.error_summary).to_have_count(0)
        checkout.expect_same_document()
        assert_accessible(page)

        # The shipping method re-prices the summary in place and says so.
        checkout.choose_shipping("Express delivery")
        checkout.expect_totals(subtotal="€15.00", shipping=("Express delivery", "€12.50"), total="€27.50")
        expect(checkout.announcement).to_have_text("Order total: €27.50")
        checkout.expect_same_document()
        assert_accessible(page)

        # Corrected, the error goes as it came.
        checkout.email.fill("ann@example.com")
        checkout.email.press("Tab")
        checkout.expect_field_fine(checkout.email)
        checkout.expect_same_document()

    # Sending an incomplete form: every mistake marked, nothing typed lost, nothing ordered.
    checkout.email.fill("a@b")
    checkout.full_name.fill("Ann Example")
    checkout.postcode.fill("10115")
    checkout.choose_shipping("Express delivery")
    checkout.place_order_button.click()

    expect(checkout.error_summary).to_contain_text("Please correct the marked fields below.")
    checkout.expect_field_error(checkout.email, "Enter a valid email address.")
    checkout.expect_field_error(checkout.address, "This field is required.")
    checkout.expect_field_error(checkout.city, "This field is required.")
    checkout.expect_field_fine(checkout.full_name)
    expect(checkout.email).to_have_value("a@b")
    expect(checkout.full_name).to_have_value("Ann Example")
    expect(checkout.postcode).to_have_value("10115")
    expect(checkout.shipping_option("Express delivery")).to_be_checked()
    checkout.expect_totals(subtotal="€15.00", shipping=("Express delivery", "€12.50"), total="€27.50")
    expect(page).to_have_url(re.compile(r"/checkout/$"))
    if javascript:
        checkout.expect_same_document()
        expect(checkout.error_summary).to_be_focused()  # the button that was pressed is gone
    assert_accessible(page)
    assert not Order.objects.exists()


def test_a_customer_cancels_a_pending_order(page: Page, tea_shop, javascript, assert_accessible, sign_in):
    customer = make_user(email="shopper@example.com")
    placed = make_order(customer=customer, lines=[(tea_shop["Teapot"], 2)])
    sign_in(page, customer)

    order = OrderHistoryPage(page, javascript=javascript).goto().open(placed.reference)
    order.expect_status("Pending")
    expect(order.cancel_button).to_be_visible()
    assert_accessible(page)

    order.cancel()
    expect(order.messages).to_contain_text(f"Order {placed.reference} is cancelled.")
    order.expect_status("Cancelled")
    expect(order.cancel_button).to_have_count(0)
    assert_accessible(page)

    history = order.header.open_orders()
    expect(history.row(placed.reference)).to_contain_text("Cancelled")


def test_another_customers_order_is_not_found(page: Page, tea_shop, javascript, assert_accessible, sign_in):
    ann = make_user("ann", email="ann@example.com")
    placed = make_order(customer=ann, lines=[(tea_shop["Teapot"], 1)])
    sign_in(page, make_user("bob", email="bob@example.com"))

    response = page.goto(placed.get_absolute_url())

    assert response is not None
    assert response.status == 404, f"expected 404, got {response.status}"
    not_found = ShopPage(page, javascript=javascript)
    not_found.expect_not_found()
    expect(not_found.main).not_to_contain_text(placed.reference)
    assert_accessible(page)


# --- A refused order form shows why, where the shopper is looking (issue 13, finding 6) -------------


def test_a_refused_order_form_brings_its_reasons_into_view_with_links_to_the_fields(
    page: Page, tea_shop, javascript, assert_accessible
):
    checkout = checkout_with(page, tea_shop["Teapot"].get_absolute_url(), javascript=javascript)
    checkout.email.fill("a@b")
    checkout.full_name.fill("Ann Example")
    checkout.place_order_button.scroll_into_view_if_needed()
    checkout.place_order_button.click()

    expect(checkout.error_summary).to_contain_text("Please correct the marked fields below.")
    expect(checkout.error_summary).to_be_in_viewport()
    if javascript:
        expect(checkout.error_summary).to_be_focused()
    links = checkout.error_summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "Email: Enter a valid email address.",
            "Address: This field is required.",
            "Postcode: This field is required.",
            "City: This field is required.",
        ]
    )
    assert_accessible(page)
    links.filter(has_text="City").click()
    expect(checkout.city).to_be_focused()


def test_an_order_refused_because_someone_bought_the_last_one_shows_why_in_view(page: Page, tea_shop, javascript):
    teapot = tea_shop["Teapot"]
    checkout = checkout_with(page, teapot.get_absolute_url(), javascript=javascript, quantity=5)
    checkout.fill_in(Address())
    set_stock(teapot, 2)  # someone else was quicker

    checkout.place_order_button.scroll_into_view_if_needed()
    checkout.place_order_button.click()

    expect(checkout.error_summary).to_contain_text(
        "Only 2 of Teapot left, and your cart has 5. Please lower the quantity."
    )
    expect(checkout.error_summary).to_be_in_viewport()
    if javascript:
        expect(checkout.error_summary).to_be_focused()
