"""The shop in German (docs/i18n.md): a browser that asks for German lands on /de/, shops, checks out
and reads its order in German, found by German roles and labels; the footer's switch shows the same
page in English and back. With JavaScript and without, on a desktop and a phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from orders.models import Order

from .pages import hidden_suffix, query_url


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    """A German browser: it sends Accept-Language: de-DE."""
    return {**browser_context_args, "locale": "de-DE"}


def test_a_german_shopper_orders_from_the_catalog_in_german(page: Page, tea_shop, javascript, assert_accessible):
    heading = page.get_by_role("heading", level=1)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/de/products/$"))  # the first visit follows the browser's language
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(heading).to_have_text("Produkte")
    assert_accessible(page)

    results = page.get_by_role("region", name="Produkte", exact=True)
    teapot = results.get_by_role("listitem").filter(has=page.get_by_role("link", name="Teapot", exact=True))
    expect(teapot).to_contain_text("15,00 €")
    teapot.get_by_role("button", name=hidden_suffix("In den Warenkorb", ": Teapot")).click()
    cart_link = page.get_by_role("navigation", name="Konto").get_by_role("link", name=re.compile(r"^Warenkorb\b"))
    expect(cart_link).to_have_accessible_name("Warenkorb 1 Artikel")
    if javascript:
        expect(teapot).to_contain_text("Hinzugefügt – 1 im Warenkorb")
    else:
        expect(page.get_by_role("status")).to_contain_text("Teapot wurde in den Warenkorb gelegt: 1 im Warenkorb.")
    assert_accessible(page)

    cart_link.click()
    if javascript:  # the link opens the mini-cart first
        page.get_by_role("region", name="Warenkorb-Übersicht").get_by_role("link", name="Warenkorb ansehen").click()
    expect(page).to_have_url(re.compile(r"/de/cart/$"))
    expect(heading).to_have_text("Ihr Warenkorb")
    quantity = page.get_by_label("Menge für Teapot")
    quantity.fill("2")
    if javascript:
        quantity.press("Tab")
    else:
        page.get_by_role("button", name=hidden_suffix("Aktualisieren", "Teapot")).click()
    contents = page.get_by_role("region", name="Inhalt des Warenkorbs")
    subtotal = contents.get_by_role("paragraph").filter(has_text=re.compile(r"^Zwischensumme \("))
    expect(subtotal).to_have_text("Zwischensumme (2 Artikel): 30,00 €")
    assert_accessible(page)

    page.get_by_role("link", name="Zur Kasse", exact=True).click()
    expect(page).to_have_url(re.compile(r"/de/checkout/$"))
    expect(heading).to_have_text("Kasse")
    summary = page.get_by_role("region", name="Ihre Bestellung")
    expect(summary.get_by_role("listitem")).to_have_text(["2 × Teapot 30,00 €"])
    expect(summary.get_by_role("term")).to_have_text(["Zwischensumme", "Standardversand", "Gesamt"])
    expect(summary.get_by_role("definition")).to_have_text(["30,00 €", "4,95 €", "34,95 €"])
    page.get_by_role("group", name="Versandart").get_by_role("radio", name=re.compile(r"^Expressversand\b")).check()
    if javascript:  # the summary follows the shipping method, and says so
        expect(summary.get_by_role("definition")).to_have_text(["30,00 €", "12,50 €", "42,50 €"])
        expect(page.locator("[aria-live=polite]")).to_have_text("Gesamtbetrag: 42,50 €")
    page.get_by_label("E-Mail", exact=True).fill("anna@example.com")
    page.get_by_label("Vor- und Nachname", exact=True).fill("Anna Beispiel")
    page.get_by_label("Adresse", exact=True).fill("Hauptstraße 1")
    page.get_by_label("Postleitzahl", exact=True).fill("10115")
    page.get_by_label("Ort", exact=True).fill("Berlin")
    page.get_by_label("Land", exact=True).select_option(label="Deutschland")
    page.get_by_role("group", name="Zahlungsart").get_by_role("radio", name=re.compile(r"^Nachnahme\b")).check()
    assert_accessible(page)

    page.get_by_role("button", name="Zahlungspflichtig bestellen").click()
    expect(heading).to_have_text("Vielen Dank für Ihre Bestellung!")
    expect(page).to_have_url(re.compile(r"/de/orders/[0-9A-Z]{8}/$"))
    order = Order.objects.get()
    assert order.language == "de", "the confirmation email is written in the order's language"
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"Ihre Bestellung {order.reference} ist aufgegeben.")
    status = page.get_by_role("region", name="Status")
    expect(status).to_contain_text("Offen")
    expect(status).to_contain_text("Bitte halten Sie 42,50 € in bar für den Boten bereit.")
    expect(page.get_by_role("region", name="Lieferung und Zahlung")).to_contain_text("Deutschland")
    assert_accessible(page)

    # The footer's switch: the same page in English, then in German again.
    page.get_by_role("contentinfo").get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.reference}/$"))
    assert "/de/" not in page.url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).to_have_text(f"Order {order.reference}")
    expect(page.get_by_role("region", name="Status")).to_contain_text("Pending")
    expect(page.get_by_role("region", name="Status")).to_contain_text("Please have €42.50 ready in cash")
    assert_accessible(page)

    page.get_by_role("contentinfo").get_by_role("button", name="Deutsch").click()
    expect(page).to_have_url(re.compile(rf"/de/orders/{order.reference}/$"))
    expect(heading).to_have_text(f"Bestellung {order.reference}")


def test_the_language_switch_keeps_the_catalog_filters(page: Page, tea_shop, javascript, assert_accessible):
    page.goto("/de/products/?sort=price")
    search = page.get_by_role("searchbox", name="Suchen")
    search.fill("tea")
    if not javascript:
        search.press("Enter")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^2 Produkte"))).to_be_visible()
    expect(page).to_have_url(query_url("/de/products/", q="tea", sort="price"))  # with JavaScript, pushed by htmx
    page.get_by_role("contentinfo").get_by_role("button", name="English").click()
    expect(page).to_have_url(query_url("/products/", q="tea", sort="price"))
    assert "/de/" not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Products")
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("tea")
    assert_accessible(page)
    # The choice is remembered: an English address stays English although the browser asks for German.
    page.goto("/cart/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
