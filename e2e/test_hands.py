"""A quick hand and a keyboard with JavaScript on: double clicks, busy controls, where focus goes after
every swap, and mistakes read out as they are found (issue 13, findings 4 to 7)."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from cart.models import CartLine
from storefront.models import Product

from .pages import CartPage, CatalogPage, ProductPage, add_to_cart_button, checkout_with


@pytest.fixture
def javascript() -> bool:
    """Only with JavaScript (on both screens): these are what htmx and storefront.js do. Without it,
    the same form sent twice adds once (cart/tests/test_views.py) and every answer is a new page."""
    return True


def count_posts(page: Page, path: str) -> list[str]:
    sent: list[str] = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if request.method == "POST" and path in request.url else None,
    )
    return sent


def expect_visible_focus(page: Page) -> Locator:
    """Focus is on an element the shopper can see, never <body> or a 1 by 1 px hidden one."""
    focused = page.locator(":focus")
    expect(focused).to_have_count(1)
    expect(focused).to_be_visible()
    box = focused.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) > 4, f"focus is on a hidden element: {box}"
    return focused


# --- Finding 4: a double click adds one ------------------------------------------------------------


def test_a_double_click_on_add_to_cart_adds_one_and_a_second_deliberate_click_another(page: Page, shop):
    catalog = CatalogPage(page, javascript=True).goto()
    posts = count_posts(page, "/cart/add/")
    button = catalog.product_card("Kettle 30").get_by_role("button", name=add_to_cart_button("Kettle 30"))

    button.dblclick()  # both clicks on the button, the second while the first is on its way
    expect(catalog.product_card("Kettle 30")).to_contain_text("Added — 1 in cart")
    catalog.header.expect_cart_count(1)
    # A quicker server: the second click of a double click (detail 2) lands on the new button.
    button.dispatch_event("click", {"detail": 2})
    expect(button).to_be_enabled()
    button.click()  # a click of its own, once the answer shows
    expect(catalog.product_card("Kettle 30")).to_contain_text("Added — 2 in cart")
    assert len(posts) == 2, posts
    assert CartLine.objects.get().quantity == 2


# --- Finding 5: busy while a request runs ----------------------------------------------------------


def test_every_control_shows_it_is_busy_while_its_request_runs(page: Page, shop, slow_answers):
    catalog = CatalogPage(page, javascript=True).goto()
    slow = slow_answers(page, "**/cart/**")
    card = catalog.product_card("Kettle 30")
    region = card.locator(".add-to-cart")
    button = card.get_by_role("button", name=add_to_cart_button("Kettle 30"))

    button.click()
    slow.wait_for(1)
    expect(button).to_be_disabled()
    expect(region).to_have_attribute("aria-busy", "true")
    expect(card.locator("form.htmx-request")).to_have_count(1)  # the spinning ring on the button (site.css)
    slow.release()
    expect(card).to_contain_text("Added — 1 in cart")
    expect(region).not_to_have_attribute("aria-busy", "true")
    expect(button).to_be_enabled()

    cart = CartPage(page, javascript=True).goto()
    slow = slow_answers(page, "**/cart/lines/**")
    cart.quantity("Kettle 30").fill("2")
    cart.quantity("Kettle 30").press("Tab")
    slow.wait_for(1)
    expect(cart.update_button("Kettle 30")).to_be_disabled()
    expect(cart.contents).to_have_attribute("aria-busy", "true")
    expect(cart.quantity("Kettle 30")).to_be_editable()  # the shopper may type again meanwhile
    slow.release()
    expect(cart.subtotal).to_have_text("Subtotal (2 items): €60.00")
    expect(cart.contents).not_to_have_attribute("aria-busy", "true")


# --- Finding 7: focus after every swap, keyboard only ----------------------------------------------


def test_focus_stays_on_the_add_to_cart_button_after_adding_with_enter_or_space(page: Page, shop):
    catalog = CatalogPage(page, javascript=True).goto()
    button = catalog.product_card("Kettle 30").get_by_role("button", name=add_to_cart_button("Kettle 30"))
    button.focus()
    page.keyboard.press("Enter")
    expect(catalog.product_card("Kettle 30")).to_contain_text("Added — 1 in cart")
    expect(button).to_be_focused()
    expect_visible_focus(page)

    page.keyboard.press("Space")
    expect(catalog.product_card("Kettle 30")).to_contain_text("Added — 2 in cart")
    expect(button).to_be_focused()

    product = ProductPage(page, javascript=True).goto_product(Product.objects.get(name="Teapot").get_absolute_url())
    product.add_to_cart_button.focus()
    page.keyboard.press("Enter")
    expect(product.main).to_contain_text("Added — 1 in cart")
    expect(product.add_to_cart_button).to_be_focused()
    expect_visible_focus(page)


def test_focus_after_changing_and_removing_cart_lines_with_the_keyboard(page: Page, shop):
    catalog = CatalogPage(page, javascript=True).goto()
    for name in ("Kettle 30", "Kettle 29", "Kettle 28"):
        catalog.add_to_cart(name)
        expect(catalog.product_card(name)).to_contain_text("Added — 1 in cart")
    cart = CartPage(page, javascript=True).goto()

    # Enter in the quantity box: the box the shopper typed in keeps the focus.
    cart.quantity("Kettle 29").fill("3")
    cart.quantity("Kettle 29").press("Enter")
    expect(cart.subtotal).to_have_text("Subtotal (5 items): €145.00")
    expect(cart.quantity("Kettle 29")).to_be_focused()
    expect_visible_focus(page)

    # Remove with the keyboard: the line is gone, focus goes to the next line's quantity box.
    cart.remove_button("Kettle 29").focus()
    page.keyboard.press("Enter")
    expect(cart.line("Kettle 29")).to_have_count(0)
    focused = expect_visible_focus(page)
    expect(focused).to_have_accessible_name(re.compile(r"^Quantity for Kettle 2[78]$"))

    # The last lines go too: focus lands on the way back to the shop.
    for name in ("Kettle 30", "Kettle 28"):
        cart.remove_button(name).focus()
        page.keyboard.press("Enter")
        expect(cart.line(name)).to_have_count(0)
    expect(cart.empty_state).to_be_visible()
    expect(cart.continue_shopping_link).to_be_focused()


def test_focus_lands_on_the_results_heading_after_a_page_of_results(page: Page, shop):
    catalog = CatalogPage(page, javascript=True).goto()
    catalog.next_page_link.focus()
    page.keyboard.press("Enter")
    expect(catalog.result_count).to_have_text("39 products, showing 25–39")
    expect(catalog.result_count).to_be_focused()
    expect_visible_focus(page)


# --- Finding 6: a mistake found on leaving a field is read out -----------------------------------------


def test_a_mistake_found_on_leaving_a_field_is_read_out(page: Page, tea_shop):
    checkout = checkout_with(page, tea_shop["Teapot"].get_absolute_url(), javascript=True)
    checkout.email.fill("a@b")
    checkout.email.press("Tab")
    checkout.expect_field_error(checkout.email, "Enter a valid email address.")
    expect(checkout.announcement).to_have_text("Email: Enter a valid email address.")
