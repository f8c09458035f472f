"""Query budgets: what every page and htmx fragment of the shop costs in SQL queries.

The hot pages, the ones every shopper sends on every visit, have an exact count, so that any change
is noticed: the catalog (page and fragment), add to cart, the cart (and a quantity change), the
checkout form and placing an order. A new query fails here, and so does one that goes away (then
lower the pin). The comment next to each count says which queries they are. docs/testing.md
("Budgets") says how to update a pin.

The other pages (the order page, the order history, the sign-in page) are held to the rule that
matters for them: their count does not grow with lines, orders or a history, compared for one and
for many (and a new visitor's sign-in page reads nothing at all). So are the hot pages, for the
numbers that could make them grow.

Pinned elsewhere, and so not here: the product page, with and without a cart
(cart/tests/test_views.py, test_header_count_costs_no_query_without_a_cart_and_one_with), and the
cart page with lines (test_cart_page_query_count_does_not_grow_with_lines). The checkout form and
the order history are compared for one line or order and many in orders/tests/test_views.py.
"""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cart.models import Cart, CartLine
from cart.tests.factories import make_line, make_user, put_in_session
from orders.services import order_cancel_by_customer
from orders.tests.factories import cart_with, checkout_data, make_order
from storefront.models import Product
from storefront.tests.factories import make_category, make_product, make_variant

from .helpers import HTMX

pytestmark = pytest.mark.django_db

LIST_URL = reverse("storefront:product_list")
CART_URL = reverse("cart:cart_detail")
CHECKOUT_URL = reverse("orders:place_order")
FILTERED = {
    "q": "steel",
    "category": "kitchen",
    "sort": "price",
    "min_price": "5",
    "max_price": "500",
    "in_stock": "on",
}


def make_products(count: int, **fields: object) -> list[Product]:
    category = fields.pop("category", None) or make_category()
    return [make_product(category=category, **fields) for _ in range(count)]


def give_cart(client: Client, *products: Product) -> Cart:
    """A guest cart with one of each product, in the client's session (which then exists)."""
    cart = cart_with(*((product, 1) for product in products))
    return put_in_session(client, cart)


def add_from_catalog(client: Client, product: Product):
    """The catalog's "Add to cart" as htmx sends it: the card is the target."""
    headers = {**HTMX, "HX-Target": f"add-to-cart-card-{product.pk}"}
    return client.post(reverse("cart:cart_add", args=[product.pk]), {"quantity": "1"}, headers=headers)


def change_quantity(client: Client, line: CartLine, quantity: int):
    headers = {**HTMX, "HX-Target": "cart"}
    return client.post(reverse("cart:cart_line_update", args=[line.pk]), {"quantity": str(quantity)}, headers=headers)


def count_queries(send) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = send()
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.fixture
def kitchen() -> list[Product]:
    """A full first catalog page of steel kettles in the kitchen, and a few more."""
    return make_products(30, category=make_category(slug="kitchen"), name="Steel kettle", price=Decimal("20.00"))


# --- Catalog ---------------------------------------------------------------------------------------
# Every count below includes one query for all the cards' variant facts ("from €X", "3 colours",
# "Choose options": storefront.models.products_card_facts), whatever the number of products or variants.
# The facets (storefront/facets.py) on a cold cache, as every test starts: the vocabulary (brands, option
# values) and one count per facet group, here the brand only (these products have no options). Once
# cached for a filter state they cost none (test_cached_facets_cost_no_query).
FACETS = 3


def test_catalog_page_for_a_new_visitor(client, kitchen, django_assert_num_queries):
    # product count, categories for the filter form, the page of products, the cards' first pictures,
    # and FACETS (a cold cache)
    with django_assert_num_queries(5 + FACETS):
        response = client.get(LIST_URL)
    assert len(response.context["page_obj"]) == 24


def test_catalog_fragment_for_a_new_visitor(client, kitchen, django_assert_num_queries):
    # product count, the page of products, the cards' first pictures, the facets
    with django_assert_num_queries(4 + FACETS):
        response = client.get(LIST_URL, headers=HTMX)
    assert "<html" not in response.text


def test_catalog_page_for_a_shopper_with_a_cart(client, kitchen, django_assert_num_queries):
    give_cart(client, kitchen[0])
    # product count, session, cart lines with products (header count, "in cart" on cards),
    # categories for the filter form, the page of products
    with django_assert_num_queries(7 + FACETS):  # + the cards' first pictures
        client.get(LIST_URL)


def test_catalog_fragment_for_a_shopper_with_a_cart(client, kitchen, django_assert_num_queries):
    give_cart(client, kitchen[-1])  # the newest: on the first page
    # product count, the page, session, cart lines ("in cart" on cards), the cards' first pictures
    with django_assert_num_queries(6 + FACETS):
        response = client.get(LIST_URL, headers=HTMX)
    assert "1 in cart" in response.text


def test_filtered_catalog_page(client, kitchen, django_assert_num_queries):
    # the category by its slug (form validation), product count, categories for the filter form,
    # the page of products
    with django_assert_num_queries(6 + FACETS):  # + the cards' first pictures
        response = client.get(LIST_URL, FILTERED)
    assert response.status_code == 200
    assert len(response.context["active_filters"]) == 5  # every filter was applied


def test_filtered_catalog_fragment(client, kitchen, django_assert_num_queries):
    # the category by its slug, product count, the page of products, the cards' first pictures
    with django_assert_num_queries(5 + FACETS):
        response = client.get(LIST_URL, FILTERED, headers=HTMX)
    assert response.status_code == 200
    assert len(response.context["active_filters"]) == 5


def test_deep_catalog_page(client, django_assert_num_queries):
    make_products(3 * 24)
    # product count, categories for the filter form, the page (OFFSET 48), the cards' first pictures
    with django_assert_num_queries(5 + FACETS):
        response = client.get(LIST_URL, {"page": "3"})
    assert response.context["page_obj"].number == 3


def test_catalog_costs_the_same_for_one_product_and_line_as_for_a_full_page_and_cart(client):
    """No card costs a query of its own: its "in cart" state comes from the one query for the lines."""
    products = make_products(1)
    cart = give_cart(client, products[0])
    client.get(LIST_URL, headers=HTMX)  # the facets' counts cached, as for every later request here
    one = count_queries(lambda: client.get(LIST_URL, headers=HTMX))
    products += make_products(23)
    for product in products[1:10]:
        make_line(cart=cart, product=product)
    response = client.get(LIST_URL, headers=HTMX)
    assert len(response.context["page_obj"]) == 24
    assert count_queries(lambda: client.get(LIST_URL, headers=HTMX)) == one


def test_cached_facets_cost_no_query(client, kitchen, django_assert_num_queries):
    Product.objects.filter(pk__in=[p.pk for p in kitchen[:5]]).update(brand="Acme")
    client.get(LIST_URL, {"brand": "acme"})
    # product count, categories for the filter form, the page of products, the cards' first pictures
    with django_assert_num_queries(5):
        response = client.get(LIST_URL, {"brand": "acme"})
    assert response.context["facet_groups"]


def faceted_catalog(brands: int, sizes: int, colours: int) -> None:
    category = make_category()
    for n in range(brands):
        product = make_product(category=category, brand=f"Brand {n}")
        for size in range(sizes):
            make_variant(product, ("Size", f"S{size}"), ("Colour", f"C{n % colours}"))


def test_facet_query_count_does_not_grow_with_the_number_of_values(client, django_assert_num_queries):
    """One count per facet group (brand, size, colour), whatever the number of brands or values."""
    faceted = {"brand": "brand-0", "size": "s0", "colour": "c0"}
    faceted_catalog(brands=2, sizes=2, colours=2)
    few = count_queries(lambda: client.get(LIST_URL, faceted))
    cache.clear()
    faceted_catalog(brands=12, sizes=9, colours=6)
    cache.clear()
    with django_assert_num_queries(few):
        response = client.get(LIST_URL, faceted)
    # product count, categories, the page, the cards' facts, the cards' first pictures; vocabulary (2),
    # counts of 3 groups
    assert few == 5 + 2 + 3
    assert [group.param for group in response.context["facet_groups"]] == ["brand", "size", "colour"]
    assert len(response.context["facet_groups"][0].options + response.context["facet_groups"][0].more) == 12


# --- Cart ------------------------------------------------------------------------------------------


def test_empty_cart_page_for_a_new_visitor(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # no session, so no cart to read
        response = client.get(CART_URL)
    assert "Your cart is empty." in response.text


def test_empty_cart_fragment_for_a_new_visitor(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(CART_URL, headers=HTMX)
    assert "<html" not in response.text


def test_cart_fragment_with_lines(client, django_assert_num_queries):
    give_cart(client, *make_products(3))
    with django_assert_num_queries(
        4
    ):  # session, cart lines with their products + the lines' pictures (variant values, pictures)
        response = client.get(CART_URL, headers=HTMX)
    assert "<html" not in response.text


def test_first_add_to_cart_from_the_catalog(client, kitchen, django_assert_num_queries):
    product = kitchen[0]
    # the product (404 check), the new cart; savepoint, the product locked, its variant (read after
    # the lock), the cart's updated_at (which locks it), its line (none yet), the cart's line count
    # (room for a new product?), the line inserted, release; cart lines with products (the regions);
    # the new session: exists?, savepoint, insert, release
    with django_assert_num_queries(15):
        response = add_from_catalog(client, product)
    assert response.status_code == 200


def test_add_to_cart_from_the_catalog(client, kitchen, django_assert_num_queries):
    give_cart(client, kitchen[1])
    # the product (404 check), session, the cart; savepoint, the product locked, its variant, the
    # cart's updated_at, its line (none yet), the cart's line count, the line inserted, release; cart
    # lines with products (the regions)
    with django_assert_num_queries(12):
        response = add_from_catalog(client, kitchen[0])
    html = response.text
    # The card used and the header's regions; no other card, whatever the page lists (cart/regions.py).
    assert re.findall(r'<div id="add-to-cart-card-\d+"', html) == [f'<div id="add-to-cart-card-{kitchen[0].pk}"']
    assert 'id="cart-count"' in html


def test_add_to_cart_costs_the_same_for_a_cart_of_one_line_as_of_ten(client, kitchen):
    cart = give_cart(client, kitchen[-1])
    one = count_queries(lambda: add_from_catalog(client, kitchen[0]))
    for product in kitchen[10:18]:
        make_line(cart=cart, product=product)
    assert count_queries(lambda: add_from_catalog(client, kitchen[1])) == one


def test_add_to_cart_from_a_product_page_with_htmx(client, django_assert_num_queries):
    product, other = make_products(2)
    give_cart(client, other)
    target = f"add-to-cart-detail-{product.pk}"
    headers = {**HTMX, "HX-Target": target}
    # the product (404 check), session, the cart; savepoint, the product locked, its variant, the
    # cart's updated_at, its line, the cart's line count, the line inserted, release; cart lines with
    # products
    with django_assert_num_queries(12):
        response = client.post(reverse("cart:cart_add", args=[product.pk]), {"quantity": "2"}, headers=headers)
    assert response.status_code == 200
    assert "Added — 2 in cart" in response.text


def test_add_to_cart_from_a_product_page_without_javascript(client, django_assert_num_queries):
    product, other = make_products(2)
    give_cart(client, other)
    data = {"quantity": "2", "next": product.get_absolute_url()}
    # the product (404 check), session, the cart; savepoint, the product locked, its variant, the
    # cart's updated_at, its line, the cart's line count, the line inserted, release; the session
    # saved with the message: savepoint, update, release
    with django_assert_num_queries(14):
        response = client.post(reverse("cart:cart_add", args=[product.pk]), data)
    assert response.status_code == 303


def test_quantity_change_with_htmx(client, django_assert_num_queries):
    line = give_cart(client, *make_products(3)).lines.first()
    assert line is not None
    # session, the cart; savepoint, the line with its product, the line updated, the cart's
    # updated_at, release; cart lines with products (the cart and the count)
    with django_assert_num_queries(10):  # + the lines' pictures
        response = change_quantity(client, line, 3)
    assert response.status_code == 200
    assert re.search(r'id="cart-count"[^>]*data-hx-swap-oob="true"[^>]*>5<', response.text)


def test_quantity_change_costs_the_same_for_a_cart_of_one_line_as_of_ten(client):
    cart = give_cart(client, *make_products(1))
    line = cart.lines.get()
    one = count_queries(lambda: change_quantity(client, line, 2))
    for product in make_products(9):
        make_line(cart=cart, product=product)
    assert count_queries(lambda: change_quantity(client, line, 3)) == one


# --- Checkout and orders ---------------------------------------------------------------------------


def test_checkout_form(client, django_assert_num_queries):
    give_cart(client, *make_products(3))
    with django_assert_num_queries(2):  # session, cart lines with products
        response = client.get(CHECKOUT_URL)
    assert response.status_code == 200


def place_order(client: Client, *, htmx: bool, capture_on_commit):
    # Whatever runs after the commit, still in the request, counts too.
    with capture_on_commit(execute=True):
        return client.post(CHECKOUT_URL, checkout_data(), headers={**HTMX, "HX-Target": "checkout"} if htmx else {})


# session, the cart, an order with this submission key?; savepoint, the cart locked, the order
# again, the cart lines, the products locked, then the variants with their products read (after the
# lock: docs/stock.md), one conditional stock update of the variant per line, the products' stock
# summed again (one update for all lines), the order, its lines, its first status, the stock
# movements (one insert for all lines), the confirmation job, the cart lines deleted, release; the
# session saved: savepoint, update, release.
PLACE_ORDER_WITH_ONE_LINE = 21


def test_placing_an_order_with_htmx(client, django_assert_num_queries, django_capture_on_commit_callbacks):
    give_cart(client, *make_products(1))
    with django_assert_num_queries(PLACE_ORDER_WITH_ONE_LINE):
        response = place_order(client, htmx=True, capture_on_commit=django_capture_on_commit_callbacks)
    assert "/orders/" in response["HX-Redirect"]


def test_placing_an_order_without_javascript(client, django_assert_num_queries, django_capture_on_commit_callbacks):
    give_cart(client, *make_products(1))
    with django_assert_num_queries(PLACE_ORDER_WITH_ONE_LINE):
        response = place_order(client, htmx=False, capture_on_commit=django_capture_on_commit_callbacks)
    assert response.status_code == 303


def test_placing_an_order_costs_one_stock_update_per_line_and_nothing_else_per_line(
    client, django_capture_on_commit_callbacks
):
    """The conditional stock update per line is what makes overselling impossible; every other
    query is the same for one line as for five."""
    give_cart(client, *make_products(5))
    with CaptureQueriesContext(connection) as queries:
        response = place_order(client, htmx=True, capture_on_commit=django_capture_on_commit_callbacks)
    assert "/orders/" in response["HX-Redirect"]
    stock_updates = [query for query in queries if query["sql"].startswith('UPDATE "storefront_variant"')]
    assert len(stock_updates) == 5
    product_sums = [query for query in queries if query["sql"].startswith('UPDATE "storefront_product"')]
    assert len(product_sums) == 1
    assert len(queries) == PLACE_ORDER_WITH_ONE_LINE + 4


def test_order_page_right_after_placing_it_costs_the_same_for_one_line_as_for_five(django_capture_on_commit_callbacks):
    def first_visit(lines: int) -> int:
        """The "Thank you" page, the first time: the order is remembered in the session then."""
        client = Client()
        give_cart(client, *make_products(lines))
        url = place_order(client, htmx=False, capture_on_commit=django_capture_on_commit_callbacks)["Location"]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert "Thank you for your order!" in response.text
        return len(queries)

    assert first_visit(5) == first_visit(1)


def test_order_page_for_its_customer_costs_the_same_for_a_longer_history_and_a_fuller_cart(client):
    ann = make_user()
    client.force_login(ann)
    pending = make_order(customer=ann)
    cancelled = order_cancel_by_customer(order=make_order(customer=ann), by=ann)  # two status changes
    for order in (pending, cancelled):
        client.get(order.get_absolute_url())  # the first visit remembers the order in the session
    one_change_one_line = count_queries(lambda: client.get(pending.get_absolute_url()))
    assert count_queries(lambda: client.get(cancelled.get_absolute_url())) == one_change_one_line

    cart = cart_with((make_product(), 1), user=ann)  # the header's count reads the customer's cart
    one_line = count_queries(lambda: client.get(pending.get_absolute_url()))
    for product in make_products(9):
        make_line(cart=cart, product=product)
    assert count_queries(lambda: client.get(pending.get_absolute_url())) == one_line


def test_order_page_costs_the_same_for_one_line_as_for_ten(client):
    ann = make_user()
    client.force_login(ann)
    small = make_order(customer=ann, lines=[(make_product(), 1)])
    large = make_order(customer=ann, lines=[(product, 1) for product in make_products(10)])
    client.get(small.get_absolute_url())
    client.get(large.get_absolute_url())
    assert count_queries(lambda: client.get(large.get_absolute_url())) == count_queries(
        lambda: client.get(small.get_absolute_url())
    )


def test_order_history_costs_the_same_for_orders_of_one_line_as_of_five(client):
    """The item totals come with the page of orders, not one query per order or line (the number of
    orders is compared in orders/tests/test_views.py)."""

    def history(lines: int) -> int:
        customer = make_user(username=f"shopper-{lines}")
        for _ in range(3):
            make_order(customer=customer, lines=[(product, 2) for product in make_products(lines)])
        client.force_login(customer)
        assert len(client.get(reverse("orders:order_list")).context["page_obj"]) == 3
        return count_queries(lambda: client.get(reverse("orders:order_list")))

    assert history(5) == history(1)


# --- Accounts --------------------------------------------------------------------------------------


def test_sign_in_page_for_a_new_visitor(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # no session; django-axes reads nothing before a POST
        response = client.get(reverse("login"))
    assert response.status_code == 200


def test_sign_in_page_costs_the_same_for_a_cart_of_one_line_as_of_ten(client):
    cart = give_cart(client, make_product())
    one = count_queries(lambda: client.get(reverse("login")))
    for product in make_products(9):
        make_line(cart=cart, product=product)
    assert count_queries(lambda: client.get(reverse("login"))) == one


# --- A relation no query loaded ------------------------------------------------------------------
# The lists a page renders use Django 6.1's FETCH_PEERS fetch mode: should a template reach for a
# relation the list's query did not load, the first access loads it for every row at once.


def test_a_relation_the_catalog_did_not_load_costs_one_query_for_the_page(client, kitchen, django_assert_num_queries):
    cards = list(client.get(LIST_URL).context["page_obj"].object_list)
    assert len(cards) == 24
    with django_assert_num_queries(1):  # the categories of all 24 cards
        assert {card.category.slug for card in cards} == {"kitchen"}


def test_a_relation_the_cart_lines_did_not_load_costs_one_query_for_the_cart(client, django_assert_num_queries):
    give_cart(client, *make_products(5))
    lines = client.get(CART_URL).context["cart"].lines
    assert len(lines) == 5
    with django_assert_num_queries(1):  # the categories of all five lines' products
        assert len({line.product.category.pk for line in lines}) == 1
