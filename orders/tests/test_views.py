import re
import secrets
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cart.models import CartLine
from cart.tests.factories import make_line, make_user, put_in_session
from config.tests.helpers import HTMX, statements
from storefront.tests.factories import make_product, set_stock

from ..models import Order
from ..services import order_change_status
from .factories import cart_with, checkout_data, make_order

pytestmark = pytest.mark.django_db

CHECKOUT_URL = reverse("orders:place_order")
CART_URL = reverse("cart:cart_detail")
ORDER_LIST_URL = reverse("orders:order_list")
Status = Order.Status


@pytest.fixture(autouse=True)
def _shop_prices(settings):
    settings.SHIPPING_STANDARD_PRICE = Decimal("4.95")
    settings.SHIPPING_EXPRESS_PRICE = Decimal("12.50")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("50.00")
    settings.STORE_CURRENCY = "EUR"


def give_cart(client, *lines, user=None):
    """A cart in the client's session (sign the client in first for a customer's cart)."""
    cart = cart_with(*lines, user=user)
    return put_in_session(client, cart)


def signed_in(client, user) -> Client:
    client.force_login(user)
    return client


def stock_of(product) -> int:
    product.refresh_from_db()
    return product.stock_quantity


def main_content(response) -> str:
    return response.content.decode().split('<main id="main"', 1)[1]


def detail_url(order) -> str:
    return reverse("orders:order_detail", args=[order.reference])


def cancel_url(order) -> str:
    return reverse("orders:order_cancel", args=[order.reference])


# --- The order form ------------------------------------------------------------------------------


def test_checkout_with_an_empty_cart_sends_the_shopper_back_to_the_cart(client):
    response = client.get(CHECKOUT_URL)
    assert response.status_code == 302
    assert response["Location"] == CART_URL
    assert "Your cart is empty" in client.get(CART_URL).content.decode()


def test_checkout_with_a_line_that_cannot_be_ordered_sends_the_shopper_back_to_the_cart(client):
    give_cart(client, (make_product(stock_quantity=1), 2))
    response = client.get(CHECKOUT_URL)
    assert response.status_code == 302
    assert response["Location"] == CART_URL
    assert "Some items can no longer be ordered" in client.get(CART_URL).content.decode()


def test_checkout_page_is_the_order_form_with_a_label_for_every_field(client):
    give_cart(client, (make_product(name="Kettle", price=Decimal("10.00")), 1))
    response = client.get(CHECKOUT_URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" in html
    assert '<form id="checkout"' in html
    assert 'method="post" action="/checkout/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for name, label in [
        ("email", "Email"),
        ("shipping_name", "Full name"),
        ("shipping_address", "Address"),
        ("shipping_city", "City"),
        ("shipping_postcode", "Postcode"),
        ("shipping_country", "Country"),
    ]:
        assert f'<label for="id_{name}">{label}</label>' in html
        assert f'id="id_{name}"' in html
        assert f'id="checkout-field-{name}"' in html
    for name, legend in [("shipping_method", "Shipping method"), ("payment_method", "Payment method")]:
        group = re.search(
            rf'<fieldset class="field field-{name}">\s*<legend>{legend}</legend>(.*?)</fieldset>', html, re.S
        )
        assert group is not None
        assert len(re.findall(rf'type="radio" name="{name}"', group.group(1))) == 2
    assert re.search(r'value="standard"[^>]*checked', html)
    assert re.search(r'value="bank_transfer"[^>]*checked', html)
    assert '<option value="DE">Germany</option>' in html
    assert '<button type="submit" class="button button-large">Place order</button>' in html
    assert re.search(r'<input type="hidden" name="submission_key" value="[0-9a-f-]{36}"', html)
    assert '<input type="hidden" name="reviewed_subtotal" value="10.00">' in html
    assert "1 × Kettle" in html
    assert "€14.95" in html  # €10.00 plus standard delivery
    assert "HX-Request" in response["Vary"]
    assert "no-store" in response["Cache-Control"]


def test_each_rendering_of_the_order_form_has_its_own_submission_key(client):
    give_cart(client, (make_product(), 1))
    keys = {
        re.search(r'name="submission_key" value="([^"]+)"', client.get(CHECKOUT_URL).content.decode()).group(1)
        for _ in range(2)
    }
    assert len(keys) == 2


def test_htmx_checkout_request_gets_only_the_form(client):
    give_cart(client, (make_product(), 1))
    response = client.get(CHECKOUT_URL, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<form id="checkout"')
    assert "HX-Request" in response["Vary"]


def test_signed_in_customer_finds_their_email_filled_in(client):
    user = make_user(email="ann@example.com")
    signed_in(client, user)
    give_cart(client, (make_product(), 1), user=user)
    html = client.get(CHECKOUT_URL).content.decode()
    assert re.search(r'<input type="email" name="email" value="ann@example.com"', html)


def test_checkout_page_costs_the_same_queries_for_one_line_as_for_many(client):
    cart = give_cart(client, (make_product(), 1))
    with CaptureQueriesContext(connection) as one_line:
        assert client.get(CHECKOUT_URL).status_code == 200
    for _ in range(5):
        make_line(cart=cart, product=make_product(), quantity=1)
    with CaptureQueriesContext(connection) as six_lines:
        assert client.get(CHECKOUT_URL).status_code == 200
    assert len(six_lines) == len(one_line)


# --- Placing an order ----------------------------------------------------------------------------


def test_guest_order_redirects_303_to_the_order_page_without_its_key(client):
    product = make_product(stock_quantity=5, price=Decimal("10.00"))
    cart = give_cart(client, (product, 2))
    response = client.post(CHECKOUT_URL, checkout_data(email="guest@example.com"))

    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/orders/{order.reference}/"  # the session opens it; the key stays out
    assert client.get(response["Location"]).status_code == 200
    assert order.customer is None
    assert order.email == "guest@example.com"
    assert order.total_amount == Decimal("24.95")
    assert stock_of(product) == 3
    assert not CartLine.objects.filter(cart=cart).exists()


def test_customer_order_redirects_303_to_the_plain_order_page(client):
    user = make_user()
    signed_in(client, user)
    give_cart(client, (make_product(), 1), user=user)
    response = client.post(CHECKOUT_URL, checkout_data())

    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/orders/{order.reference}/"
    assert order.customer == user


def test_postcode_is_stored_in_capitals(client):
    give_cart(client, (make_product(), 1))
    client.post(CHECKOUT_URL, checkout_data(shipping_country="IE", shipping_postcode="d02 x285"))
    assert Order.objects.get().shipping_postcode == "D02 X285"


def test_htmx_order_answers_with_hx_redirect_and_a_resubmission_finds_the_same_order(client):
    product = make_product(stock_quantity=5)
    give_cart(client, (product, 2))
    data = checkout_data()

    first = client.post(CHECKOUT_URL, data, headers=HTMX)
    again = client.post(CHECKOUT_URL, data, headers=HTMX)
    plain_again = client.post(CHECKOUT_URL, data)

    order = Order.objects.get()
    assert first.status_code == 200
    assert first["HX-Redirect"] == order.get_absolute_url()
    assert again.status_code == 200
    assert again["HX-Redirect"] == order.get_absolute_url()
    assert plain_again.status_code == 303
    assert plain_again["Location"] == order.get_absolute_url()
    assert stock_of(product) == 3
    # Sent again with an empty cart, the form just shows its order: nothing is waiting.
    assert "already placed order" not in client.get(order.get_absolute_url()).content.decode()


def test_a_cart_changed_in_another_tab_is_refused_saying_what_changed(client):
    kettle = make_product(name="Kettle", stock_quantity=9)
    teapot = make_product(name="Teapot", stock_quantity=9)
    mug = make_product(name="Mug", stock_quantity=9)
    cart = give_cart(client, (kettle, 2), (mug, 1))
    form = client.get(CHECKOUT_URL).content.decode()
    reviewed = re.search(r'name="reviewed_lines" value="([^"]*)"', form)[1]
    assert sorted(reviewed.split(",")) == sorted(
        [f"{kettle.variants.get().pk}:2:10.00", f"{mug.variants.get().pk}:1:10.00"]
    )
    subtotal = re.search(r'name="reviewed_subtotal" value="([^"]*)"', form)[1]
    # The other tab: a quantity and a line changed, the prices did not.
    CartLine.objects.filter(cart=cart, product=kettle).update(quantity=3)
    CartLine.objects.filter(cart=cart, product=mug).delete()
    make_line(cart=cart, product=teapot, quantity=1)

    response = client.post(
        CHECKOUT_URL, checkout_data(reviewed_lines=reviewed, reviewed_subtotal=subtotal), headers=HTMX
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "Your cart changed since this order form was loaded (in another window?)" in html
    assert "Kettle: 3 instead of 2" in html
    assert "Teapot added (1)" in html
    assert "Mug removed" in html
    assert "Prices changed" not in html
    assert not Order.objects.exists()
    # The form that comes back reviews the cart as it is now, so sending it again places the order.
    again = re.search(r'name="reviewed_lines" value="([^"]*)"', html)[1]
    assert sorted(again.split(",")) == sorted(
        [f"{kettle.variants.get().pk}:3:10.00", f"{teapot.variants.get().pk}:1:10.00"]
    )


@pytest.mark.parametrize("damaged", ["1:2,x", "1:2;3:4", "1:1000", "-1:2"])
def test_a_damaged_review_of_the_lines_starts_the_form_afresh(client, damaged):
    give_cart(client, (make_product(), 1))
    response = client.post(CHECKOUT_URL, checkout_data(reviewed_lines=damaged))
    assert response.status_code == 422
    assert "This order form was out of date" in response.content.decode()
    assert not Order.objects.exists()


def test_an_old_order_form_sent_after_filling_a_new_cart_shows_its_order_and_says_the_cart_waits(client):
    kettle, teapot = make_product(name="Kettle", stock_quantity=5), make_product(name="Teapot", stock_quantity=5)
    give_cart(client, (kettle, 1))
    old_form = checkout_data()
    client.post(CHECKOUT_URL, old_form)
    first = Order.objects.get()
    assert "Thank you for your order!" in client.get(first.get_absolute_url()).content.decode()
    client.post(reverse("cart:cart_add", args=[teapot.pk]), {"quantity": "2"})  # a new cart

    for headers in ({}, HTMX):  # the old tab's form, sent again, with and without JavaScript
        response = client.post(CHECKOUT_URL, old_form, headers=headers)
        location = response["HX-Redirect"] if headers else response["Location"]
        assert location == first.get_absolute_url()
        html = client.get(location).content.decode()
        assert f"This order form had already placed order {first.reference}, so nothing more was ordered" in html
        assert "still waiting for you in your cart" in html
        assert "Thank you for your order!" not in html

    assert Order.objects.count() == 1
    assert stock_of(teapot) == 5
    assert "Teapot" in client.get(CART_URL).content.decode()


def test_posting_with_an_empty_cart_sends_the_shopper_to_the_cart(client):
    response = client.post(CHECKOUT_URL, checkout_data())
    assert response.status_code == 303
    assert response["Location"] == CART_URL
    assert not Order.objects.exists()
    assert "Your cart is empty" in client.get(CART_URL).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"shipping_name": "   "}, "shipping_name", "This field is required."),
        ({"shipping_address": ""}, "shipping_address", "This field is required."),
        ({"shipping_city": ""}, "shipping_city", "This field is required."),
        ({"shipping_postcode": ""}, "shipping_postcode", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "a" * 250 + "@example.com"}, "email", "at most 254 characters"),
        ({"shipping_name": "A" * 101}, "shipping_name", "at most 100 characters"),
        ({"shipping_address": "A" * 201}, "shipping_address", "at most 200 characters"),
        ({"shipping_city": "A" * 101}, "shipping_city", "at most 100 characters"),
        ({"shipping_postcode": "1" * 13}, "shipping_postcode", "at most 12 characters"),
        ({"shipping_postcode": "10115!"}, "shipping_postcode", "Enter a postcode of letters, digits"),
        ({"shipping_postcode": "1"}, "shipping_postcode", "Enter a postcode of letters, digits"),
        ({"shipping_postcode": "-1234"}, "shipping_postcode", "Enter a postcode of letters, digits"),
        ({"shipping_country": "XX"}, "shipping_country", "Select a valid choice."),
        ({"shipping_country": "US"}, "shipping_country", "Select a valid choice."),  # known, but not shipped to
        ({"shipping_method": "pigeon"}, "shipping_method", "Select a valid choice."),
        ({"shipping_method": ""}, "shipping_method", "This field is required."),
        ({"payment_method": "bitcoin"}, "payment_method", "Select a valid choice."),
    ],
)
def test_an_invalid_order_form_is_answered_422_with_the_error_and_orders_nothing(client, changes, field, error):
    product = make_product(stock_quantity=5)
    cart = give_cart(client, (product, 2))
    response = client.post(CHECKOUT_URL, checkout_data(**changes))
    html = response.content.decode()

    assert response.status_code == 422
    assert "<html" in html
    assert "Please correct the marked fields below." in html
    field_error = re.search(rf'<p class="field-error" id="id_{field}_error">([^<]*)</p>', html)
    assert field_error is not None
    assert error in field_error.group(1)
    assert not Order.objects.exists()
    assert stock_of(product) == 5
    assert CartLine.objects.get(cart=cart).quantity == 2


def test_an_invalid_order_form_keeps_what_the_shopper_typed_and_the_same_submission_key(client):
    give_cart(client, (make_product(), 1))
    data = checkout_data(email="bad", shipping_name="Ann <b>Example</b>")
    html = client.post(CHECKOUT_URL, data).content.decode()
    assert 'value="Ann &lt;b&gt;Example&lt;/b&gt;"' in html
    assert "<b>Example</b>" not in html
    assert f'name="submission_key" value="{data["submission_key"]}"' in html


def test_htmx_invalid_order_form_gets_the_form_fragment_with_422(client):
    give_cart(client, (make_product(), 1))
    response = client.post(CHECKOUT_URL, checkout_data(email=""), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" not in html
    assert html.count('<form id="checkout"') == 1
    assert 'id="checkout-errors"' in html
    assert 'aria-invalid="true"' in html
    assert "HX-Request" in response["Vary"]
    assert not Order.objects.exists()


def test_leaving_a_field_checks_only_that_field(client):
    give_cart(client, (make_product(), 1))
    data = checkout_data(email="not-an-email", shipping_name="", _validate="email")
    response = client.post(CHECKOUT_URL, data, headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<div id="checkout-field-email"')
    assert '<p class="field-error" id="id_email_error">Enter a valid email address.</p>' in html
    assert 'aria-invalid="true"' in html
    assert 'id="checkout-field-shipping_name"' not in html  # the other field's error waits for its turn
    assert "HX-Request" in response["Vary"]
    assert not Order.objects.exists()


def test_a_valid_field_comes_back_without_an_error_and_orders_nothing(client):
    product = make_product(stock_quantity=5)
    give_cart(client, (product, 1))
    response = client.post(CHECKOUT_URL, checkout_data(_validate="shipping_postcode"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="checkout-field-shipping_postcode"' in html
    assert 'value="10115"' in html
    assert "field-error" not in html
    assert not Order.objects.exists()
    assert stock_of(product) == 5


def test_choosing_express_reprices_the_summary_and_announces_the_total(client):
    give_cart(client, (make_product(price=Decimal("60.00")), 1))
    data = checkout_data(shipping_method="express", _validate="shipping_method")
    response = client.post(CHECKOUT_URL, data, headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<section id="checkout-summary"')
    assert "<dt>Express delivery</dt><dd>€12.50</dd>" in html
    assert "€72.50" in html
    assert re.search(r'<div id="announcer"[^>]*data-hx-swap-oob="innerHTML"[^>]*>Order total: €72.50</div>', html)
    assert "HX-Request" in response["Vary"]
    assert not Order.objects.exists()


def test_standard_shipping_is_shown_free_above_the_threshold(client):
    give_cart(client, (make_product(price=Decimal("60.00")), 1))
    html = client.post(CHECKOUT_URL, checkout_data(_validate="shipping_method"), headers=HTMX).content.decode()
    assert "<dt>Standard delivery</dt><dd>Free</dd>" in html
    assert "Order total: €60.00" in html


@pytest.mark.parametrize("name", ["unknown", "payment_method", "submission_key", ""])
def test_checking_a_field_the_form_does_not_check_live_is_a_bad_request(client, name):
    give_cart(client, (make_product(), 1))
    response = client.post(CHECKOUT_URL, checkout_data(_validate=name), headers=HTMX)
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_prices_and_totals_sent_by_the_browser_are_ignored(client):
    give_cart(client, (make_product(price=Decimal("30.00")), 2))
    data = checkout_data(total_amount="0.01", subtotal="0.01", shipping_cost="0", price="0", unit_price="0")
    response = client.post(CHECKOUT_URL, data)
    assert response.status_code == 303
    order = Order.objects.get()
    assert (order.subtotal, order.shipping_cost, order.total_amount) == (
        Decimal("60.00"),
        Decimal("0.00"),
        Decimal("60.00"),
    )
    assert order.lines.get().unit_price == Decimal("30.00")


def test_an_order_is_refused_when_prices_rose_since_the_form_was_shown(client):
    product = make_product(price=Decimal("12.00"), stock_quantity=5)
    cart = give_cart(client, (product, 2))
    response = client.post(CHECKOUT_URL, checkout_data(reviewed_subtotal="20.00"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "Prices changed while you were checking out: your items now cost €24.00." in html
    # The form now shows the new subtotal, so placing it again is a deliberate choice.
    assert '<input type="hidden" name="reviewed_subtotal" value="24.00">' in html
    assert not Order.objects.exists()
    assert stock_of(product) == 5
    assert CartLine.objects.filter(cart=cart).exists()


def test_an_order_is_placed_when_the_reviewed_subtotal_matches(client):
    give_cart(client, (make_product(price=Decimal("12.00")), 2))
    response = client.post(CHECKOUT_URL, checkout_data(reviewed_subtotal="24.00"))
    assert response.status_code == 303
    assert Order.objects.get().subtotal == Decimal("24.00")


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_items_that_sold_out_since_the_form_was_shown_are_listed_with_422(client, headers):
    kettle = make_product(name="Kettle", stock_quantity=5)
    mug = make_product(name="Mug", stock_quantity=5)
    cart = give_cart(client, (kettle, 3), (mug, 1))
    set_stock(kettle, 1)

    response = client.post(CHECKOUT_URL, checkout_data(), headers=headers)
    html = response.content.decode()

    assert response.status_code == 422
    assert "Some items can no longer be ordered as they are" in html
    assert "<li>Only 1 of Kettle left, and your cart has 3. Please lower the quantity.</li>" in html
    assert '<a href="/cart/">Review your cart</a>' in html
    assert not Order.objects.exists()
    assert (stock_of(kettle), stock_of(mug)) == (1, 5)
    assert CartLine.objects.filter(cart=cart).count() == 2


def test_posting_the_order_form_without_a_csrf_token_is_forbidden():
    client = Client(enforce_csrf_checks=True)
    product = make_product(stock_quantity=5)
    give_cart(client, (product, 1))
    response = client.post(CHECKOUT_URL, checkout_data())
    assert response.status_code == 403
    assert not Order.objects.exists()
    assert stock_of(product) == 5


def test_checkout_only_answers_get_and_post(client):
    assert client.put(CHECKOUT_URL).status_code == 405


# --- The order page ------------------------------------------------------------------------------


def test_the_thank_you_heading_shows_right_after_placing_and_not_later(client):
    give_cart(client, (make_product(), 1))
    response = client.post(CHECKOUT_URL, checkout_data(), follow=True)
    order = Order.objects.get()
    first = main_content(response)
    assert "Thank you for your order!" in first
    assert f"Your order <strong>{order.reference}</strong> is placed" in first

    later = main_content(client.get(detail_url(order)))
    assert "Thank you" not in later
    assert f'<h1 class="page-title">Order {order.reference}</h1>' in later


def test_guest_order_page_shows_its_private_link_and_customer_order_page_does_not(client):
    give_cart(client, (make_product(), 1))
    client.post(CHECKOUT_URL, checkout_data())
    guest_order = Order.objects.get()
    assert f"http://testserver{guest_order.get_private_url()}" in main_content(client.get(detail_url(guest_order)))

    customer = make_user()
    customer_order = make_order(customer=customer)
    html = main_content(signed_in(client, customer).get(detail_url(customer_order)))
    assert "?key=" not in html
    assert customer_order.access_key not in html


def test_order_page_shows_lines_totals_address_and_payment_instructions(client):
    customer = make_user()
    kettle = make_product(name="Kettle", price=Decimal("24.50"))
    order = make_order(customer=customer, lines=[(kettle, 2)], shipping_name="Ann Example")
    html = main_content(signed_in(client, customer).get(detail_url(order)))
    assert '<th scope="row">Kettle</th>' in html
    assert "€49.00" in html
    assert "Ann Example" in html
    assert "Germany" in html
    assert f"with the reference {order.reference}" in html
    assert "Cancel order" in html


def test_the_customer_who_placed_an_order_sees_it(client):
    customer = make_user()
    order = make_order(customer=customer)
    assert signed_in(client, customer).get(detail_url(order)).status_code == 200


def test_another_signed_in_customer_cannot_see_an_order(client):
    order = make_order(customer=make_user("ann"))
    assert signed_in(client, make_user("bob")).get(detail_url(order)).status_code == 404


def test_staff_see_every_order(client):
    order = make_order(customer=make_user("ann"))
    assert signed_in(client, make_user("staff", is_staff=True)).get(detail_url(order)).status_code == 200


def test_an_anonymous_visitor_needs_the_orders_key(client):
    order = make_order()
    other = make_order()
    assert client.get(detail_url(order)).status_code == 404
    assert client.get(f"{detail_url(order)}?key=wrong").status_code == 404
    assert client.get(f"{detail_url(order)}?key=").status_code == 404
    assert client.get(f"{detail_url(order)}?key={other.access_key}").status_code == 404
    assert client.get(detail_url(order)).status_code == 404  # a wrong key opened nothing
    assert client.get(order.get_private_url(), follow=True).status_code == 200


def test_the_private_link_trades_its_key_for_the_session_and_moves_to_the_bare_url(client):
    """The key is the order's only credential: it appears once, never in the page's own URL."""
    order = make_order()
    assert client.get(detail_url(order)).status_code == 404
    response = client.get(order.get_private_url())
    assert response.status_code == 303
    assert response["Location"] == detail_url(order)
    assert "no-store" in response["Cache-Control"]
    page = client.get(detail_url(order))
    assert page.status_code == 200
    assert order.reference in page.content.decode()
    # The page still shows the link for the guest to keep, and its links carry no key.
    html = page.content.decode()
    assert html.count(order.access_key) == 2  # the link shown to keep (its href and its text), nowhere else


def test_the_guest_who_placed_an_order_sees_it_in_the_same_session_only(client):
    give_cart(client, (make_product(), 1))
    client.post(CHECKOUT_URL, checkout_data())
    order = Order.objects.get()
    assert client.get(detail_url(order)).status_code == 200
    assert Client().get(detail_url(order)).status_code == 404


def test_an_unknown_reference_is_not_found(client):
    staff = signed_in(client, make_user("staff", is_staff=True))
    assert staff.get(reverse("orders:order_detail", args=["ZZZZZZZ0"])).status_code == 404
    # Malformed references (lower case, look-alike letters, NUL bytes) never reach the database.
    for malformed in ("zzzzzzz0", "NOSUCH00", "%00", "ABC", "ABCDEFGH1"):
        assert staff.get(f"/orders/{malformed}/").status_code == 404
        assert staff.post(f"/orders/{malformed}/cancel/").status_code == 404


@pytest.mark.parametrize("key", [None, "", "wrong", "another order's"])
@pytest.mark.parametrize("visitor", ["without a session", "with a cart", "another customer"])
def test_a_stranger_costs_the_shop_the_same_for_an_existing_and_an_unknown_reference(client, monkeypatch, visitor, key):
    """Nothing tells a stranger which references exist, not even the work done to refuse one: the
    same statements in the same order, the same key comparison and the same answer."""
    order, other = make_order(customer=make_user("ann")), make_order()
    if visitor == "with a cart":
        give_cart(client, (make_product(), 1))
    elif visitor == "another customer":
        signed_in(client, make_user("bob"))
    if key == "another order's":
        key = other.access_key
    compared = []  # the lengths compared with the key sent (sessions are checked the same way: not those)
    real_compare = secrets.compare_digest

    def compare(a, b):
        if key is not None and a == key.encode():
            compared.append((len(a), len(b)))
        return real_compare(a, b)

    monkeypatch.setattr(secrets, "compare_digest", compare)
    answers, work, comparisons = [], [], []
    for reference in (order.reference, "ZZZZZZZ0"):
        compared.clear()
        url = reverse("orders:order_detail", args=[reference]) + ("" if key is None else f"?key={key}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        # The page as a stranger reads it, less what differs on every answer (CSP nonce, CSRF token).
        page = re.sub(r'nonce="[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        answers.append((response.status_code, response.get("Vary"), page.replace(reference, "?")))
        work.append(statements(queries))
        comparisons.append(list(compared))
    assert answers[0][0] == 404
    assert answers[0] == answers[1]
    assert work[0] == work[1]
    assert comparisons[0] == comparisons[1] == ([] if key is None else [(len(key), len(order.access_key))])


# --- Order history -------------------------------------------------------------------------------


def test_order_history_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(ORDER_LIST_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={ORDER_LIST_URL}"


def test_order_history_lists_only_the_customers_orders_newest_first(client):
    ann, bob = make_user("ann"), make_user("bob")
    older = make_order(customer=ann)
    theirs = make_order(customer=bob)
    guest = make_order()
    newer = make_order(customer=ann, lines=[(make_product(), 3)])

    html = main_content(signed_in(client, ann).get(ORDER_LIST_URL))

    assert theirs.reference not in html
    assert guest.reference not in html
    assert html.index(newer.reference) < html.index(older.reference)
    assert re.search(rf'{newer.reference}</a></th>\s*<td[^>]*>[^<]*</td>\s*<td data-label="Items">3</td>', html)


def test_order_history_without_orders_says_so(client):
    html = main_content(signed_in(client, make_user()).get(ORDER_LIST_URL))
    assert "You have not ordered anything yet." in html


def test_order_history_shows_ten_orders_a_page(client):
    ann = make_user()
    orders = [make_order(customer=ann) for _ in range(12)]
    signed_in(client, ann)
    first = main_content(client.get(ORDER_LIST_URL))
    second = main_content(client.get(ORDER_LIST_URL, {"page": 2}))

    newest_first = orders[::-1]
    assert all(order.reference in first for order in newest_first[:10])
    assert not any(order.reference in first for order in newest_first[10:])
    assert all(order.reference in second for order in newest_first[10:])
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


def test_order_history_costs_the_same_queries_for_one_order_as_for_a_full_page(client):
    ann = make_user()
    signed_in(client, ann)
    make_order(customer=ann)
    with CaptureQueriesContext(connection) as one:
        assert client.get(ORDER_LIST_URL).status_code == 200
    for _ in range(14):
        make_order(customer=ann)
    with CaptureQueriesContext(connection) as fifteen:
        assert client.get(ORDER_LIST_URL).status_code == 200
    assert len(fifteen) == len(one)


# --- Cancelling ----------------------------------------------------------------------------------


def test_a_customer_cancels_a_pending_order_and_the_stock_comes_back(client):
    customer = make_user()
    product = make_product(stock_quantity=5)
    order = make_order(customer=customer, lines=[(product, 2)])
    signed_in(client, customer)

    response = client.post(cancel_url(order))

    assert response.status_code == 303
    assert response["Location"] == detail_url(order)
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert stock_of(product) == 5
    page = main_content(client.get(detail_url(order)))
    assert f"Order {order.reference} is cancelled." in page
    assert "Cancel order" not in page


def test_a_guest_cancels_the_order_they_just_placed(client):
    product = make_product(stock_quantity=5)
    give_cart(client, (product, 2))
    client.post(CHECKOUT_URL, checkout_data())
    order = Order.objects.get()

    response = client.post(cancel_url(order), headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == detail_url(order)
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert stock_of(product) == 5


def test_a_paid_order_cannot_be_cancelled_by_the_customer(client):
    customer = make_user()
    product = make_product(stock_quantity=5)
    order = make_order(customer=customer, lines=[(product, 2)])
    order_change_status(order=order, status=Status.PAID)
    signed_in(client, customer)

    response = client.post(cancel_url(order))

    assert response.status_code == 303
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert stock_of(product) == 3
    page = main_content(client.get(detail_url(order)))
    assert f"Order {order.reference} can no longer be cancelled: it is paid." in page
    assert "Cancel order" not in page


@pytest.mark.parametrize("who", ["anonymous", "another customer"])
def test_others_cannot_cancel_an_order(client, who):
    product = make_product(stock_quantity=5)
    order = make_order(customer=make_user("ann"), lines=[(product, 2)])
    if who == "another customer":
        signed_in(client, make_user("bob"))
    assert client.post(cancel_url(order)).status_code == 404
    order.refresh_from_db()
    assert order.status == Status.PENDING
    assert stock_of(product) == 3


def test_cancelling_needs_a_post(client):
    customer = make_user()
    order = make_order(customer=customer)
    assert signed_in(client, customer).get(cancel_url(order)).status_code == 405
    order.refresh_from_db()
    assert order.status == Status.PENDING


def test_a_damaged_hidden_field_renews_the_form_instead_of_failing_every_retry(client):
    product = make_product(stock_quantity=5)
    give_cart(client, (product, 1))
    response = client.post(reverse("orders:place_order"), checkout_data(submission_key="not-a-uuid"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "This order form was out of date" in html
    key = re.search(r'name="submission_key" value="([^"]+)"', html)[1]
    assert key != "not-a-uuid"
    retry = client.post(reverse("orders:place_order"), checkout_data(submission_key=key))
    assert retry.status_code == 303
    assert Order.objects.count() == 1
