"""A sale or a cancellation and the catalog's facet cache (storefront/catalog_version.py): the counts
are taken afresh only when a variant sells out or comes back, as only that can move them."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Order
from orders.services import order_change_status, order_place
from storefront.models import Variant
from storefront.tests.factories import make_category, make_product, make_variant

from .factories import cart_with, order_details

pytestmark = pytest.mark.django_db

LIST_URL = reverse("storefront:product_list")
IN_STOCK = {"in_stock": "on"}


@pytest.fixture
def shirts() -> dict[str, Variant]:
    """Two shirts in size M: the Tee's last one, and five of the Hoodie's."""
    apparel = make_category(slug="apparel")
    tee = make_product(category=apparel, name="Tee", brand="Acme", price=Decimal("20"))
    hoodie = make_product(category=apparel, name="Hoodie", brand="Acme", price=Decimal("60"))
    return {
        "tee": make_variant(tee, ("Size", "M"), stock_quantity=1),
        "hoodie": make_variant(hoodie, ("Size", "M"), stock_quantity=5),
    }


def catalog(client) -> tuple[dict[str, str], int]:
    """The in-stock catalog's size counts as shown, and the queries the request ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, IN_STOCK)
    sizes = next(group for group in response.context["facet_groups"] if group.param == "size")
    return {option.value: option.label for option in sizes.options}, len(queries)


def sell(variant: Variant, quantity: int, capture) -> Order:
    with capture(execute=True):  # the version is bumped after the commit, as in a request
        return order_place(
            cart=cart_with((variant, quantity)), customer=None, details=order_details(), submission_key=uuid.uuid4()
        )


def test_a_sale_that_leaves_stock_keeps_the_facet_cache_warm(client, shirts, django_capture_on_commit_callbacks):
    catalog(client)
    counted, warm = catalog(client)
    assert counted == {"m": "M (2)"}

    sell(shirts["hoodie"], 2, django_capture_on_commit_callbacks)

    assert catalog(client) == (counted, warm)  # no vocabulary or count query: answered from the cache


def test_selling_the_last_unit_counts_the_facets_afresh(client, shirts, django_capture_on_commit_callbacks):
    catalog(client)
    _, warm = catalog(client)

    sell(shirts["tee"], 1, django_capture_on_commit_callbacks)

    counted, queries = catalog(client)
    assert counted == {"m": "M (1)"}  # the Tee is no longer in stock
    assert queries > warm


def test_a_cancellation_that_brings_a_sold_out_variant_back_counts_the_facets_afresh(
    client, shirts, django_capture_on_commit_callbacks
):
    order = sell(shirts["tee"], 1, django_capture_on_commit_callbacks)
    catalog(client)
    counted, warm = catalog(client)
    assert counted == {"m": "M (1)"}

    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, status=Order.Status.CANCELLED)

    counted, queries = catalog(client)
    assert counted == {"m": "M (2)"}  # the Tee is back
    assert queries > warm
