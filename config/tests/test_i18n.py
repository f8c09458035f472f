"""The shop in English and German (docs/i18n.md): addresses, the switcher, the first visit, hreflang,
money, fragments, redirects after a form and the emails in the order's language."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from cart.tests.factories import make_user
from orders.models import Order
from orders.tests.factories import checkout_data, make_order
from storefront.money import format_money
from storefront.tests.factories import make_product

pytestmark = pytest.mark.django_db

GERMAN = "de-DE,de;q=0.9,en;q=0.5"


def htmx(target: str, regions: str = "cart-count") -> dict[str, str]:
    return {"HX-Request": "true", "HX-Target": target, "X-Cart-Regions": regions}


# --- Addresses -----------------------------------------------------------------------------------


def test_english_has_no_prefix_and_german_lives_under_de(client):
    make_product(name="Kettle", stock_quantity=20)
    english = client.get("/products/")
    german = client.get("/de/products/")
    assert english.status_code == german.status_code == 200
    assert '<html lang="en">' in english.text
    assert '<html lang="de">' in german.text
    assert ">Add to cart<" in english.text
    assert ">In den Warenkorb<" in german.text
    assert 'href="/de/cart/"' in german.text  # links stay in the page's language
    assert 'href="/cart/"' in english.text
    assert client.get("/en/products/").status_code == 404  # English is never prefixed


def test_the_home_page_redirects_to_the_catalog_in_its_language(client):
    assert client.get("/")["Location"] == "/products/"
    assert client.get("/de/")["Location"] == "/de/products/"


def test_the_admin_is_not_prefixed(client):
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/de/admin/login/").status_code == 404


def test_every_page_names_itself_in_each_language(client):
    html = client.get("/de/products/?q=tea&sort=price").text
    assert '<link rel="alternate" hreflang="en" href="http://testserver/products/?q=tea&amp;sort=price">' in html
    assert '<link rel="alternate" hreflang="de" href="http://testserver/de/products/?q=tea&amp;sort=price">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/products/?q=tea&amp;sort=price">' in html


# --- The first visit and the language cookie -------------------------------------------------------


def test_a_german_browser_is_sent_to_the_german_page_on_its_first_visit(client):
    response = client.get("/products/?q=tea", headers={"Accept-Language": GERMAN})
    assert response.status_code == 302
    assert response["Location"] == "/de/products/?q=tea"
    assert {"Accept-Language", "Cookie"} <= {value.strip() for value in response["Vary"].split(",")}
    assert client.get("/", headers={"Accept-Language": GERMAN})["Location"] == "/de/"


def test_an_english_browser_and_a_german_link_stay_as_they_are(client):
    assert client.get("/products/", headers={"Accept-Language": "en-GB,en;q=0.8"}).status_code == 200
    shared = client.get("/de/products/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert shared.status_code == 200
    assert '<html lang="de">' in shared.text


def test_forms_htmx_and_staff_pages_are_never_redirected(client):
    product = make_product()
    posted = client.post(f"/cart/add/{product.pk}/", {"quantity": "1"}, headers={"Accept-Language": GERMAN})
    assert posted.status_code == 303
    fragment = client.get("/products/", headers={"Accept-Language": GERMAN, "HX-Request": "true"})
    assert fragment.status_code == 200
    assert client.get("/admin/login/", headers={"Accept-Language": GERMAN}).status_code == 200


def test_the_switcher_sends_a_shopper_to_the_same_page_in_the_other_language(client):
    html = client.get("/products/?category=tea&sort=price").text
    form = re.search(
        r'<form class="language-switch" method="post" action="/i18n/setlang/"[^>]*>(.*?)</form>', html, re.S
    )
    assert form, "the footer has the language switch"
    assert 'name="next" value="/de/products/?category=tea&amp;sort=price"' in form.group(1)
    assert 'name="language" value="de"' in form.group(1)
    assert '<button type="submit" class="link-button" lang="de"' in form.group(1)
    assert 'data-prefix="/de" data-current-prefix=""' in html  # for storefront.js after an htmx push

    response = client.post("/i18n/setlang/", {"language": "de", "next": "/de/products/?category=tea&sort=price"})
    assert response.status_code == 302
    assert response["Location"] == "/de/products/?category=tea&sort=price"
    assert client.cookies["django_language"].value == "de"

    german = client.get(response["Location"]).text
    assert 'name="next" value="/products/?category=tea&amp;sort=price"' in german
    back = client.post("/i18n/setlang/", {"language": "en", "next": "/products/?category=tea&sort=price"})
    assert back["Location"] == "/products/?category=tea&sort=price"


def test_a_shopper_who_chose_english_stays_english_whatever_the_browser_asks(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/products/"})
    response = client.get("/products/", headers={"Accept-Language": GERMAN})
    assert response.status_code == 200
    assert '<html lang="en">' in response.text


def test_a_shopper_who_chose_german_finds_german_at_english_addresses_too(client):
    client.post("/i18n/setlang/", {"language": "de", "next": "/de/products/"})
    assert client.get("/cart/")["Location"] == "/de/cart/"


# --- Money, numbers, dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "english", "german"),
    [
        (Decimal("1234.5"), "€1,234.50", "1.234,50 €"),
        (Decimal("0"), "€0.00", "0,00 €"),
        (Decimal("4.95"), "€4.95", "4,95 €"),
        (Decimal("1234567.891"), "€1,234,567.89", "1.234.567,89 €"),
        (Decimal("-3"), "-€3.00", "-3,00 €"),
    ],
)
def test_money_is_written_the_way_each_language_writes_it(amount, english, german):
    assert format_money(amount, "en") == english
    assert format_money(amount, "de") == german
    with translation.override("de"):
        assert format_money(amount) == german
    assert format_money(amount) == english


def test_something_that_is_not_an_amount_is_written_as_nothing():
    assert format_money("abc") == ""
    assert format_money(None) == ""


def test_prices_and_counts_follow_the_page_language(client):
    make_product(name="Kettle", price=Decimal("1234.50"))
    german = client.get("/de/products/").text
    assert "1.234,50 €" in german
    assert "1 Produkt" in german
    assert "€1,234.50" in client.get("/products/").text


def test_the_order_page_dates_and_statuses_are_german_on_the_german_page(client):
    customer = make_user(email="ann@example.com")
    order = make_order(customer=customer)
    client.force_login(customer)
    html = client.get(f"/de/orders/{order.reference}/").text
    assert "Offen" in html  # Pending
    months = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
    assert re.search(rf"aufgegeben am \d{{1,2}}\. ({months}) \d{{4}}, \d\d:\d\d", html)


# --- Fragments and redirects in the page's language -------------------------------------------------


def test_an_htmx_fragment_from_a_german_page_is_german(client):
    product = make_product(name="Kettle")
    response = client.post(
        f"/de/cart/add/{product.pk}/", {"quantity": "2"}, headers=htmx(f"add-to-cart-card-{product.pk}")
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Hinzugefügt – 2 im Warenkorb" in response.text
    assert "Kettle wurde in den Warenkorb gelegt: 2 im Warenkorb." in response.text  # the announcement
    assert f'data-hx-post="/de/cart/add/{product.pk}/"' in response.text

    results = client.get("/de/products/?q=kettle", headers={"HX-Request": "true"}).text
    assert "<html" not in results
    assert "1 Produkt" in results
    assert 'data-hx-post="/de/cart/add/' in results


def test_the_german_cart_and_checkout_link_their_fragments_in_german(client):
    product = make_product(name="Kettle")
    client.post(f"/de/cart/add/{product.pk}/", {"quantity": "1"})
    cart = client.get("/de/cart/").text
    assert 'data-regions-url="/de/cart/regions/"' in cart
    assert 'data-hx-get="/de/cart/mini/"' in cart
    assert 'data-hx-post="/de/cart/lines/' in cart
    checkout = client.get("/de/checkout/").text
    assert 'data-hx-post="/de/checkout/"' in checkout
    assert "Zahlungspflichtig bestellen" in checkout
    field = client.post(
        "/de/checkout/", {**checkout_data(email="nope"), "_validate": "email"}, headers={"HX-Request": "true"}
    )
    assert "E-Mail:" in field.text  # the announcement names the field in German


def test_a_german_form_without_javascript_redirects_to_a_german_page(client):
    product = make_product(name="Kettle")
    added = client.post(f"/de/cart/add/{product.pk}/", {"quantity": "1", "next": "/de/products/"})
    assert added["Location"] == "/de/products/"
    line = client.get("/de/cart/").text
    line_id = re.search(r'id="cart-line-(\d+)"', line).group(1)
    updated = client.post(f"/de/cart/lines/{line_id}/", {"quantity": "2"})
    assert updated["Location"] == "/de/cart/"
    assert "Kettle: Menge auf 2 geändert." in client.get(updated["Location"]).text
    placed = client.post("/de/checkout/", checkout_data())
    assert placed.status_code == 303
    assert placed["Location"].startswith("/de/orders/")
    assert "Vielen Dank für Ihre Bestellung!" in client.get(placed["Location"]).text


def test_the_german_order_form_sends_back_what_it_showed(client):
    """The reviewed subtotal is a machine's number (30.00), not the page's (30,00): the form takes it back."""
    product = make_product(name="Kettle", price=Decimal("1015.00"))
    client.post(f"/de/cart/add/{product.pk}/", {"quantity": "2"})
    html = client.get("/de/checkout/").text
    subtotal = re.search(r'name="reviewed_subtotal" value="([^"]*)"', html).group(1)
    lines = re.search(r'name="reviewed_lines" value="([^"]*)"', html).group(1)
    assert subtotal == "2030.00"
    placed = client.post("/de/checkout/", {**checkout_data(), "reviewed_subtotal": subtotal, "reviewed_lines": lines})
    assert placed.status_code == 303, placed.text


def test_the_cart_survives_a_change_of_language(client):
    product = make_product(name="Kettle", price=Decimal("15.00"))
    client.post(f"/cart/add/{product.pk}/", {"quantity": "2"})
    client.post("/i18n/setlang/", {"language": "de", "next": "/de/cart/"})
    german = client.get("/de/cart/").text
    assert "30,00 €" in german
    assert client.get("/de/checkout/").status_code == 200


# --- Emails in the order's language ----------------------------------------------------------------


def test_an_order_placed_in_german_is_confirmed_in_german(client, mailoutbox, run_jobs):
    product = make_product(name="Kettle", price=Decimal("1234.50"))
    client.post(f"/de/cart/add/{product.pk}/", {"quantity": "1"})
    client.post("/de/checkout/", checkout_data())
    order = Order.objects.get()
    assert order.language == "de"
    run_jobs()
    email = mailoutbox[0]
    assert email.subject == f"Storefront: Ihre Bestellung {order.reference}"
    assert "Vielen Dank für Ihre Bestellung bei Storefront!" in email.body
    assert "Gesamt: 1.234,50 €" in email.body
    assert "Bitte überweisen Sie 1.234,50 € an Storefront" in email.body
    assert f"/de/orders/{order.reference}/?key=" in email.body


def test_an_order_placed_in_english_is_confirmed_in_english_even_from_a_german_worker(client, mailoutbox, run_jobs):
    product = make_product(name="Kettle", price=Decimal("15.00"))
    client.post(f"/cart/add/{product.pk}/", {"quantity": "1"})
    client.post("/checkout/", checkout_data())
    assert Order.objects.get().language == "en"
    with translation.override("de"):
        run_jobs()
    assert "Thank you for your order at Storefront!" in mailoutbox[0].body
    assert "Total: €19.95" in mailoutbox[0].body


def test_a_password_reset_asked_for_in_german_is_written_in_german(client, mailoutbox, run_jobs):
    make_user(username="ann", email="ann@example.com")
    response = client.post("/de/accounts/password_reset/", {"email": "ann@example.com"})
    assert response["Location"] == "/de/accounts/password_reset/done/"
    run_jobs()
    email = mailoutbox[0]
    assert email.subject == "Passwort zurücksetzen bei testserver"
    assert "Hallo ann," in email.body
    assert "http://testserver/de/accounts/reset/" in email.body
