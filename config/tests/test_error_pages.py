"""Error pages render whatever middleware managed to run before the request was refused."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    """A client that returns the shop's answer instead of raising the exception behind a 500."""
    return Client(raise_request_exception=False)


def test_an_unknown_host_is_a_400_page(visitor):
    response = visitor.get("/products/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "We couldn’t understand that request" in response.content.decode()


def test_an_unknown_forwarded_host_behind_the_proxy_setting_is_a_400_page(visitor, settings):
    settings.USE_X_FORWARDED_HOST = True
    response = visitor.get("/cart/", HTTP_X_FORWARDED_HOST="attacker.example")
    assert response.status_code == 400
    assert "Cart" in response.content.decode()  # the header still renders, with an empty cart
