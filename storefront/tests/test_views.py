from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.tests.helpers import HTMX

from .factories import make_category, make_product

pytestmark = pytest.mark.django_db

LIST_URL = reverse("storefront:product_list")


def names(response) -> list[str]:
    return [product.name for product in response.context["page_obj"]]


def test_root_redirects_to_the_catalog(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == LIST_URL


def test_full_page_includes_layout_filters_and_results(client):
    make_product(name="Copper Kettle")
    response = client.get(LIST_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'id="filters"' in html
    assert 'id="results"' in html
    assert "Copper Kettle" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_request_gets_only_the_results(client):
    make_product(name="Copper Kettle")
    response = client.get(LIST_URL, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<section id="results"')
    assert 'id="filters"' not in html
    assert "Copper Kettle" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("header", ["HX-Boosted", "HX-History-Restore-Request"])
def test_boosted_and_history_restore_requests_get_the_full_page(client, header):
    response = client.get(LIST_URL, headers={**HTMX, header: "true"})
    assert "<html" in response.content.decode()
    assert header in response["Vary"]


def test_search_category_price_stock_and_sort_combine(client):
    kitchen, garden = make_category(slug="kitchen"), make_category(slug="garden")
    make_product(name="Blue Kettle", category=kitchen, price=Decimal("30.00"))
    make_product(name="Red Kettle", category=kitchen, price=Decimal("20.00"))
    make_product(name="Green Kettle", category=kitchen, price=Decimal("25.00"), stock_quantity=0)
    make_product(name="Garden Kettle", category=garden, price=Decimal("22.00"))
    make_product(name="Cheap Kettle", category=kitchen, price=Decimal("2.00"))
    query = {"q": "kettle", "category": "kitchen", "min_price": "10", "max_price": "40", "in_stock": "1"}
    response = client.get(LIST_URL, {**query, "sort": "-price"})
    assert names(response) == ["Blue Kettle", "Red Kettle"]
    response = client.get(LIST_URL, {**query, "sort": "price"})
    assert names(response) == ["Red Kettle", "Blue Kettle"]


def test_active_filters_link_to_the_same_query_without_them(client):
    make_category(slug="kitchen", name="Kitchen")
    response = client.get(LIST_URL, {"q": "kettle", "category": "kitchen", "page": "2"})
    filters = {f.label: f for f in response.context["active_filters"]}
    assert filters["Search"].remove_url == f"{LIST_URL}?category=kitchen"
    assert filters["Category"].remove_url == f"{LIST_URL}?q=kettle"
    assert filters["Category"].value == "Kitchen"


def test_pages_hold_24_products_and_do_not_overlap(client):
    category = make_category()
    for i in range(30):
        make_product(category=category, name=f"Item {i:02}")
    first = names(client.get(LIST_URL, {"sort": "name"}))
    second = names(client.get(LIST_URL, {"sort": "name", "page": "2"}))
    assert len(first) == 24
    assert len(second) == 6
    assert not set(first) & set(second)


def test_empty_result_suggests_clearing_filters(client):
    make_product(name="Kettle")
    response = client.get(LIST_URL, {"q": "zebra"})
    html = response.content.decode()
    assert "No products match these filters." in html
    assert "clear all filters" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"min_price": "abc"}, "Enter a number."),
        ({"min_price": "-5"}, "greater than or equal to 0"),
        ({"max_price": "1e99"}, "less than or equal to"),
        ({"min_price": "50", "max_price": "10"}, "Max price must not be below min price."),
        ({"category": "no-such-category"}, "There is no such category."),
        ({"sort": "drop table products"}, "Choose one of the listed sort orders."),
        ({"q": "x" * 10_000}, "at most 100 characters"),
        ({"in_stock": "<script>"}, ""),
    ],
)
def test_malformed_filters_are_reported_and_ignored(client, query, message):
    make_product(name="Kettle", price=Decimal("60.00"))
    response = client.get(LIST_URL, query)
    html = response.content.decode()
    assert response.status_code in (200, 422)
    assert message in html
    assert "Kettle" in html
    assert "<script>" not in html


@pytest.mark.parametrize("page", ["99999", "-1", "0", "abc", "1.5", ""])
def test_any_page_number_gives_a_page(client, page):
    make_product(name="Kettle")
    response = client.get(LIST_URL, {"page": page})
    assert response.status_code == 200
    assert names(response) == ["Kettle"]


def test_invalid_filters_answer_422_so_the_shopper_sees_why(client):
    response = client.get(LIST_URL, {"min_price": "abc"}, headers=HTMX)
    assert response.status_code == 422
    assert "Enter a number." in response.content.decode()


def test_list_query_count_does_not_grow_with_products(client, django_assert_max_num_queries):
    category = make_category(slug="kitchen")
    make_product(category=category)

    def count_queries() -> int:
        cache.clear()  # the facets' counts afresh each time
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST_URL, {"category": "kitchen"}).status_code == 200
        return len(queries)

    one = count_queries()
    for _ in range(23):
        make_product(category=category)
    assert count_queries() == one
    # 5: the session, the category, the count, the page, the cards' variant facts (products_card_facts);
    # the facets' counts come from the cache.
    with django_assert_max_num_queries(6):  # + the cards' first pictures
        client.get(LIST_URL, {"category": "kitchen"})


def test_product_detail_shows_price_availability_and_category(client):
    product = make_product(name="Copper Kettle", price=Decimal("1234.50"), stock_quantity=2)
    response = client.get(product.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Copper Kettle</h1>" in html
    assert "€1,234.50" in html
    assert "Only 2 left" in html
    assert product.category.get_absolute_url() in html


def test_inactive_or_unknown_product_is_404_with_a_friendly_page(client):
    hidden = make_product(is_active=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    response = client.get("/products/no-such-thing/")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


def test_post_to_the_catalog_is_not_allowed(client):
    assert client.post(LIST_URL).status_code == 405
