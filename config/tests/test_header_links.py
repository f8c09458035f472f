import pytest
from django.urls import reverse

from cart.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_sign_in_link_returns_to_the_page_the_shopper_is_on(client):
    html = client.get("/products/?q=kettle").content.decode()
    assert 'href="/accounts/login/?next=/products/%3Fq%3Dkettle"' in html
    assert 'href="/accounts/signup/?next=/products/%3Fq%3Dkettle"' in html


def test_on_the_sign_in_page_the_links_keep_the_original_destination(client):
    html = client.get(reverse("login") + "?next=/cart/").content.decode()
    assert 'href="/accounts/login/?next=/cart/"' in html
    assert "next=/accounts/login" not in html


def test_signed_in_visitor_on_the_sign_in_page_goes_on(client):
    client.force_login(make_user())
    response = client.get(reverse("login") + "?next=/cart/")
    assert response.status_code == 302
    assert response.url == "/cart/"


def test_signed_in_header_links_to_orders_and_password_change(client):
    client.force_login(make_user(username="ann"))
    html = client.get("/products/").content.decode()
    assert f'href="{reverse("orders:order_list")}"' in html
    assert f'href="{reverse("password_change")}"' in html
    assert "Sign in" not in html


def test_signed_in_visitor_sent_back_to_the_sign_in_page_lands_on_the_shop(client):
    client.force_login(make_user())
    response = client.get(reverse("login") + "?next=" + reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("storefront:product_list")
