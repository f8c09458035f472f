import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cart.models import Cart, CartLine
from cart.services import CART_SESSION_KEY
from storefront.tests.factories import make_product, set_stock

from .factories import make_cart, make_line, make_user, put_in_session

pytestmark = pytest.mark.django_db

CART_URL = reverse("cart:cart_detail")


def add_url(product) -> str:
    return reverse("cart:cart_add", args=[product.pk])


def htmx(target: str) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Target": target}


def cart_of(client) -> dict[int, int]:
    cart_id = client.session.get(CART_SESSION_KEY)
    return dict(CartLine.objects.filter(cart_id=cart_id).values_list("product_id", "quantity"))


def test_plain_add_redirects_303_back_with_a_message(client):
    product = make_product(name="Kettle")
    response = client.post(add_url(product), {"quantity": "2", "next": "/products/?q=kettle"})
    assert response.status_code == 303
    assert response["Location"] == "/products/?q=kettle"
    assert cart_of(client) == {product.pk: 2}
    page = client.get(response["Location"]).content.decode()
    assert "Added Kettle to your cart: 2 in cart." in page
    assert re.search(r'id="cart-count"[^>]*>2<', page)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_add_never_redirects_off_site(client, next_url):
    product = make_product()
    response = client.post(add_url(product), {"quantity": "1", "next": next_url})
    assert response["Location"] == product.get_absolute_url()


def test_htmx_add_answers_the_region_plus_count_and_announcement_out_of_band(client):
    product = make_product(name="Kettle")
    target = f"add-to-cart-card-{product.pk}"
    response = client.post(add_url(product), {"quantity": "1"}, headers=htmx(target))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith(f'<div id="{target}"')
    assert "Added — 1 in cart" in html
    assert re.search(r'<span id="cart-count"[^>]*data-hx-swap-oob="true"[^>]*>1<', html)
    assert '<div id="announcer"' in html
    assert "Added Kettle to your cart" in html
    assert "no-store" in response["Cache-Control"]


def test_htmx_add_answers_in_the_layout_of_the_form_used_and_never_for_another_product(client):
    product, other = make_product(), make_product()
    target = f"add-to-cart-detail-{product.pk}"
    html = client.post(add_url(product), {"quantity": "1"}, headers=htmx(target)).content.decode()
    assert html.strip().startswith(f'<div id="{target}"')
    assert 'type="number" name="quantity"' in html  # the product page's layout
    # A target naming another product (or nothing known) answers with this product's card.
    html = client.post(
        add_url(product), {"quantity": "1"}, headers=htmx(f"add-to-cart-card-{other.pk}")
    ).content.decode()
    assert html.strip().startswith(f'<div id="add-to-cart-card-{product.pk}"')
    assert f"add-to-cart-card-{other.pk}" not in html


def test_the_mini_cart_s_contents_are_refreshed_out_of_band_open_or_closed(client):
    product = make_product(name="Kettle")
    target = f"add-to-cart-card-{product.pk}"
    html = client.post(add_url(product), {"quantity": "1"}, headers=htmx(target)).content.decode()
    # Only its contents: a closed panel (hidden) stays closed, an open one shows the new line.
    assert re.search(r'<div id="mini-cart"[^>]*data-hx-swap-oob="innerHTML"', html)
    assert re.search(r'<li><span>1 ×</span> <a href="[^"]+">Kettle</a>', html)


@pytest.mark.parametrize("quantity", ["0", "-3", "abc", "1e9", "", "2.5", "100"])
def test_bad_quantities_leave_the_cart_unchanged_with_a_message(client, quantity):
    product = make_product()
    target = f"add-to-cart-detail-{product.pk}"
    response = client.post(add_url(product), {"quantity": quantity}, headers=htmx(target))
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    assert cart_of(client) == {}
    plain = client.post(add_url(product), {"quantity": quantity})
    assert plain.status_code == 422
    assert 'class="field-error"' in plain.content.decode()
    assert cart_of(client) == {}


def test_missing_quantity_and_unknown_product(client):
    product = make_product()
    assert client.post(add_url(product), {}).status_code == 422
    assert client.post(reverse("cart:cart_add", args=[999999]), {"quantity": "1"}).status_code == 404
    assert cart_of(client) == {}


def test_product_withdrawn_since_the_page_loaded_is_refused_with_a_message(client):
    product = make_product(name="Old Kettle", is_active=False)
    response = client.post(add_url(product), {"quantity": "1"}, headers=htmx(f"add-to-cart-card-{product.pk}"))
    assert response.status_code == 422
    assert "Old Kettle is no longer sold" in response.content.decode()
    plain = client.post(add_url(product), {"quantity": "1"})
    assert plain.status_code == 422
    assert "Old Kettle is no longer sold" in plain.content.decode()
    assert cart_of(client) == {}


def test_out_of_stock_product_is_refused(client):
    product = make_product(stock_quantity=0)
    response = client.post(add_url(product), {"quantity": "1"}, headers=htmx(f"add-to-cart-card-{product.pk}"))
    assert response.status_code == 422
    assert "out of stock" in response.content.decode()


def test_post_without_csrf_token_is_refused(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    product = make_product()
    response = strict.post(add_url(product), {"quantity": "1"})
    assert response.status_code == 403
    assert "Your form has expired" in response.content.decode()
    assert not CartLine.objects.exists()


def test_plain_page_views_never_create_a_cart(client):
    make_product()
    client.get(reverse("storefront:product_list"))
    client.get(CART_URL)
    assert CART_SESSION_KEY not in client.session


def add(client, product, quantity=1):
    client.post(add_url(product), {"quantity": str(quantity)})
    return CartLine.objects.get(cart_id=client.session[CART_SESSION_KEY], product=product)


def test_cart_page_full_and_fragment(client):
    line = add(client, make_product(name="Kettle"), 2)
    page = client.get(CART_URL)
    assert "<html" in page.content.decode()
    assert f'id="quantity-{line.pk}"' in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    fragment = client.get(CART_URL, headers={"HX-Request": "true"})
    assert fragment.content.decode().strip().startswith('<section id="cart"')
    assert "HX-Request" in fragment["Vary"]


def test_htmx_quantity_change_swaps_the_cart_and_the_count(client):
    line = add(client, make_product(name="Kettle", stock_quantity=9), 1)
    url = reverse("cart:cart_line_update", args=[line.pk])
    response = client.post(url, {"quantity": "4"}, headers=htmx("cart"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<section id="cart"')
    assert html.count('id="cart"') == 1
    assert re.search(r'<span id="cart-count"[^>]*>4<', html)
    assert cart_of(client) == {line.product_id: 4}


def test_plain_quantity_change_and_remove_redirect_303_to_the_cart(client):
    line = add(client, make_product(stock_quantity=9))
    response = client.post(reverse("cart:cart_line_update", args=[line.pk]), {"quantity": "3"})
    assert (response.status_code, response["Location"]) == (303, CART_URL)
    response = client.post(reverse("cart:cart_line_remove", args=[line.pk]))
    assert (response.status_code, response["Location"]) == (303, CART_URL)
    assert cart_of(client) == {}


def test_removing_the_last_line_shows_the_empty_state(client):
    line = add(client, make_product())
    response = client.post(reverse("cart:cart_line_remove", args=[line.pk]), headers=htmx("cart"))
    html = response.content.decode()
    assert "Your cart is empty." in html
    assert re.search(r'<span id="cart-count"[^>]*>0<', html)


@pytest.mark.parametrize("quantity", ["0", "-3", "abc", "1e9", ""])
def test_bad_line_quantities_keep_the_line_and_explain(client, quantity):
    line = add(client, make_product(stock_quantity=9), 2)
    url = reverse("cart:cart_line_update", args=[line.pk])
    response = client.post(url, {"quantity": quantity}, headers=htmx("cart"))
    assert response.status_code == 422
    assert f'id="quantity-{line.pk}-error"' in response.content.decode()
    assert client.post(url, {"quantity": quantity}).status_code == 422
    assert cart_of(client) == {line.product_id: 2}


def test_another_shoppers_line_cannot_be_touched(client):
    add(client, make_product())
    their_line = make_line(cart=make_cart(), quantity=2)
    for name, data in (("cart:cart_line_update", {"quantity": "5"}), ("cart:cart_line_remove", {})):
        response = client.post(reverse(name, args=[their_line.pk]), data, headers=htmx("cart"))
        assert response.status_code == 422
        assert "no longer in your cart" in response.content.decode()
    their_line.refresh_from_db()
    assert their_line.quantity == 2


def test_stale_line_is_flagged_and_blocks_checkout(client):
    product = make_product(stock_quantity=5)
    add(client, product, 4)
    set_stock(product, 2)
    html = client.get(CART_URL).content.decode()
    assert f"Only 2 of {product.name} left, and your cart has 4. Please lower the quantity." in html
    assert "Fix the lines marked above to check out." in html


def test_mini_cart_is_a_fragment_for_htmx_and_the_cart_page_otherwise(client):
    add(client, make_product(name="Kettle"))
    fragment = client.get(reverse("cart:mini_cart"), headers={"HX-Request": "true"})
    assert fragment.content.decode().strip().startswith('<div id="mini-cart"')
    assert "Kettle" in fragment.content.decode()
    plain = client.get(reverse("cart:mini_cart"))
    assert plain.status_code == 302
    assert plain["Location"] == CART_URL


def test_a_double_click_without_javascript_adds_once(client):
    product = make_product(stock_quantity=10)
    page = client.get(product.get_absolute_url()).content.decode()
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', page)[1]
    data = {"quantity": "1", "next": product.get_absolute_url(), "token": token}
    for _ in range(2):  # the second click's POST is the same form again
        assert client.post(reverse("cart:cart_add", args=[product.pk]), data).status_code == 303
    assert cart_of(client) == {product.pk: 1}
    again = client.get(product.get_absolute_url()).content.decode()
    assert re.search(r'name="token" value="([0-9a-f-]{36})"', again)[1] != token  # a new form: a new click adds


def test_opening_the_mini_cart_brings_the_header_count_up_to_date(client):
    """Tab A shows 1 item; tab B adds another; tab A opens the mini-cart: its count follows."""
    kettle, teapot = make_product(name="Kettle"), make_product(name="Teapot")
    add(client, kettle)
    add(client, teapot, 2)  # from the other tab
    response = client.get(reverse("cart:mini_cart"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.strip().startswith('<div id="mini-cart"')
    assert "Kettle" in html
    assert "Teapot" in html
    assert re.search(r'id="cart-count"[^>]*data-hx-swap-oob="true"[^>]*>3<', html)
    assert "add-to-cart" not in html  # the page's forms show no fact the mini-cart shows


def test_the_regions_of_a_page_shown_again_come_back_as_the_cart_is_now(client):
    kettle = make_product(name="Kettle")
    add(client, kettle, 2)
    query = f"?region=cart-count&region=add-to-cart-card-{kettle.pk}&region=bogus&region=add-to-cart-card-999999"
    page = "/products/?q=kettle"
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
    response = client.get(reverse("cart:cart_regions") + query, headers=headers)
    html = response.content.decode()
    assert f'name="next" value="{page}"' in html  # its forms come back to that page
    assert re.search(r'id="cart-count"[^>]*data-hx-swap-oob="true"[^>]*>2<', html)
    assert re.search(rf'id="add-to-cart-card-{kettle.pk}"[^>]*data-hx-swap-oob="true"', html)
    assert "2 in cart" in html
    assert "bogus" not in html
    assert "999999" not in html  # an unknown product has no region
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("cart:cart_regions"))["Location"] == CART_URL  # without JavaScript: the cart


def test_pages_of_a_shopper_with_a_cart_are_never_stored_and_of_a_new_visitor_they_may_be(client):
    product = make_product()
    assert "no-store" not in client.get(reverse("storefront:product_list")).get("Cache-Control", "")
    add(client, product)
    for url in (reverse("storefront:product_list"), product.get_absolute_url()):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control
        assert "private" in cache_control


def test_signing_in_merges_the_guest_cart(client):
    user = make_user()
    product = make_product(stock_quantity=5)
    add(client, product, 2)
    response = client.post(reverse("login"), {"username": "shopper", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert cart_of(client) == {product.pk: 2}
    assert CartLine.objects.get().cart.user == user


def test_signup_moves_the_guest_cart_into_the_new_account(client):
    guest_cart = make_cart()
    product = make_product(name="Kettle")
    make_line(cart=guest_cart, product=product, quantity=2)
    put_in_session(client, guest_cart)

    password = "plum-tree-orbit-47"
    data = {"username": "ann", "email": "ann@example.com", "password1": password, "password2": password}
    client.post(reverse("signup"), data)

    user = get_user_model().objects.get(username="ann")
    cart = Cart.objects.get(user=user)
    assert dict(cart.lines.values_list("product_id", "quantity")) == {product.pk: 2}
    assert client.session[CART_SESSION_KEY] == cart.pk
    assert not Cart.objects.filter(user__isnull=True).exists()


def test_header_count_costs_no_query_without_a_cart_and_one_with(client, django_assert_num_queries):
    product = make_product()
    client.get(product.get_absolute_url())  # a session exists from now on (CSRF cookie aside)
    with django_assert_num_queries(2):  # the product itself + the product's pictures
        client.get(product.get_absolute_url())
    add(client, product)
    client.get(product.get_absolute_url())  # shows (and so removes) the "Added" message
    # the session, the product, and one query for the count and the "in cart" state
    with django_assert_num_queries(4):  # + the product's pictures
        client.get(product.get_absolute_url())


def test_cart_page_query_count_does_not_grow_with_lines(client, django_assert_num_queries):
    add(client, make_product())
    client.get(CART_URL)  # shows (and so removes) the "Added" message
    with django_assert_num_queries(4):  # the session and the lines with their products + the lines' pictures
        client.get(CART_URL)
    for _ in range(9):
        add(client, make_product())
    client.get(CART_URL)
    with django_assert_num_queries(4):  # + the lines' pictures
        client.get(CART_URL)


def test_header_count_names_its_unit_for_screen_readers(client):
    product = make_product(stock_quantity=5)
    client.post(add_url(product), {"quantity": "1"})
    assert re.search(r'id="cart-count"[^>]*>1<span class="visually-hidden"> item</span>', client.get("/cart/").text)
    client.post(add_url(product), {"quantity": "1"})
    assert re.search(r'id="cart-count"[^>]*>2<span class="visually-hidden"> items</span>', client.get("/cart/").text)
