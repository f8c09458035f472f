"""Hostile input at every form and query-string endpoint (DESIGN.md: "Bad input is a normal answer").

Hypothesis throws arbitrary and malicious values at each endpoint, once as a plain request and once
as an htmx request with random HX headers, and checks after every request that:

- the answer is never a 5xx, and no exception was raised inside Django (a client built with
  raise_request_exception=False turns one into a 500, and got_request_exception reports it);
- nothing changed (stock, orders and their lines, every cart line) unless the request could be a
  valid one, and even a valid one changed only what it is allowed to change;
- the shop's invariants hold: no negative stock, cart line quantities within 1..MAX_LINE_QUANTITY,
  and every order's total is its subtotal plus shipping (its subtotal the sum of its lines).

Hypothesis runs all examples inside one test call, so inside one database transaction: each example
first puts back what it may touch (reset()) and its assertions compare snapshots taken right before
and after each request. Whether a request "could be valid" is decided by small oracles below that
only claim "surely refused" when the value cannot pass Django's form fields; anything in between is
held to the always-true properties only.
"""

import operator
import os
import re
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from importlib import import_module
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from hypothesis import event, given, settings
from hypothesis import strategies as st

from cart.models import MAX_LINE_QUANTITY, Cart, CartLine
from cart.tests.factories import make_cart, make_user, put_in_session
from orders.forms import CheckoutForm
from orders.methods import SHIPPING_METHODS
from orders.models import Order, OrderLine
from orders.tests.factories import ADDRESS, make_order
from storefront.models import Product, ProductPicture, Variant
from storefront.tests.factories import make_category, make_product, make_variant

if TYPE_CHECKING:
    from django.test.client import (
        _MonkeyPatchedWSGIResponse as TestResponse,  # the test client's response, in django-stubs only
    )


def examples(count: int) -> settings:
    """`count` examples per test in the full profile (`make test`), sized for the whole module to stay well
    under twenty seconds; the light profile (`make unit`, the default) runs a fifth of them. A deeper run
    multiplies them: HOSTILE_INPUT_SCALE=20 pytest config/tests/test_hostile_input.py --hypothesis-profile=full"""
    share = settings.default.max_examples / settings.get_profile("full").max_examples
    return settings(max_examples=max(3, round(count * share)) * int(os.environ.get("HOSTILE_INPUT_SCALE", "1")))


FORM_ENCODED = "application/x-www-form-urlencoded"
PASSWORD = "correct-horse-battery"

# --- Hostile values ------------------------------------------------------------------------------

# fmt: off
NUMBERS_AS_TEXT = st.sampled_from(
    [
        "1e9", "-3", "NaN", "nan", "Infinity", "-Infinity", "inf", "0x10", " 5 ", "5.0", "5.5", "+5", "-0",
        "0", "00", "01", "99", "100", "1_0", "1,000", "1 000", "٣", "５", "²", "½", "true", "None", "null",
        "[]", "{}", "%s", "%00", "1\x00", "\x005",
    ]
)
# fmt: on
INJECTIONS = st.sampled_from(
    [
        "' OR 1=1 --",
        "'; DROP TABLE storefront_product; --",
        '" OR ""="',
        "1; SELECT pg_sleep(5)",
        "1 UNION SELECT username, password FROM auth_user",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "javascript:alert(1)",
        "{{ 7|add:7 }}{% debug %}",
        "${7*7}",
        "../../etc/passwd",
        "%2e%2e%2f%2e%2e%2f",
        "\r\nSet-Cookie: admin=1",
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "\u202eevil\u202c",
        "\ufeff\u200b",
        "😀" * 20,
        "Z̷̢̛a̶l̵g̴o̸",
    ]
)
HUGE_INTEGERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from([str(2**31), str(2**63 - 1), str(2**63), str(-(2**63) - 1), str(2**64), "9" * 5000]),
)
CONTROL_CHARACTERS = st.text(
    st.characters(max_codepoint=0x1F) | st.sampled_from(["\x7f", "\x85", "\u2028", "\u2029"]), min_size=1, max_size=8
)
# SQLite stores a NUL inside a string; PostgreSQL refuses it ("text fields cannot contain NUL").
NUL_BYTES = st.builds("{}\x00{}".format, st.text(max_size=3), st.text(max_size=3))
# Longer than every max_length of ours (the longest is next's 2000).
LONG_TEXT = st.builds(operator.mul, st.text(min_size=1, max_size=2), st.integers(min_value=300, max_value=3000))
HOSTILE = st.one_of(
    st.just(""),
    NUMBERS_AS_TEXT,
    INJECTIONS,
    HUGE_INTEGERS,
    CONTROL_CHARACTERS,
    NUL_BYTES,
    LONG_TEXT,
    st.text(max_size=40),
)

# Keys no form of ours has, among them the prices and states a tampering client might send.
# fmt: off
UNKNOWN_KEYS = st.one_of(
    st.sampled_from(
        [
            "total_amount", "price", "unit_price", "subtotal", "shipping_cost", "stock_quantity", "is_active",
            "customer", "user", "status", "reference", "access_key", "id", "pk", "csrfmiddlewaretoken",
            "__proto__", "q[]", "page[]", "_method",
        ]
    ),
    st.text(max_size=20),
)
# fmt: on


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """one_of() with weights: one_of() gives every distinct branch the same chance and drops repeated ones."""
    return st.sampled_from([strategy for weight, strategy in choices for _ in range(weight)]).flatmap(lambda s: s)


def values(*plausible: str) -> st.SearchStrategy[list[str]]:
    """What a client sends for one key: mostly one value, sometimes several (forms read the last one).
    Half the values are plausible ones, so that some requests get past validation."""
    one = st.one_of(st.sampled_from(plausible), HOSTILE) if plausible else HOSTILE
    return weighted((3, one.map(lambda value: [value])), (1, st.lists(one, min_size=2, max_size=4)))


Params = dict[str, list[str]]


def params(
    usually: dict[str, st.SearchStrategy[list[str]]] | None = None, **sometimes: st.SearchStrategy[list[str]]
) -> st.SearchStrategy[Params]:
    """A query string or form body: the `usually` keys in two examples out of three, each of the
    `sometimes` keys in about half, plus a few unknown keys."""
    unknown = st.dictionaries(UNKNOWN_KEYS, values(), max_size=2)
    known = st.fixed_dictionaries({}, optional={**(usually or {}), **sometimes})
    if usually:
        known = weighted((2, st.fixed_dictionaries(usually, optional=sometimes)), (1, known))
    return st.builds(lambda extra, chosen: {**extra, **chosen}, unknown, known)


def path_segment() -> st.SearchStrategy[str]:
    """A URL path segment: a (huge) number or any text."""
    return st.one_of(st.integers(min_value=0, max_value=10**30).map(str), HOSTILE)


# What a real server can hand Django as a header value: latin-1, no CR/LF/NUL/DEL.
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=200)
REGION_IDS = st.one_of(
    st.sampled_from(["cart", "cart-count", "mini-cart", "add-to-cart-card-1", "add-to-cart-detail-1"]),
    st.from_regex(r"add-to-cart-(card|detail)-[0-9]{1,20}", fullmatch=True),
    HEADER_TEXT,
)
HTMX_HEADERS = st.fixed_dictionaries(
    {"HX-Request": st.just("true")},
    optional={
        "HX-Target": REGION_IDS,
        "HX-Boosted": st.sampled_from(["true", "false", ""]),
        "HX-History-Restore-Request": st.just("true"),
        "HX-Current-URL": HEADER_TEXT,
        "HX-Trigger": HEADER_TEXT,
        "HX-Trigger-Name": HEADER_TEXT,
        "X-Forwarded-For": HEADER_TEXT,
        "User-Agent": HEADER_TEXT,
    },
)
SITE_PATHS = ["/", "/products/", "/cart/", "/checkout/", "/orders/", "/accounts/login/", "/accounts/signup/"]

# --- The shop every example starts from ----------------------------------------------------------

# Each cart's lines at the start of an example. The customer's cart holds a withdrawn product, so it
# can never be checked out; the guest's can.
BASELINE_LINES = {
    "guest": [("kettle", 2), ("teapot", 1)],
    "customer": [("kettle", 1), ("teapot", 2), ("lamp", 1)],
    "other": [("kettle", 3), ("teapot", 1), ("mug", 1), ("lamp", 1)],
}
PRODUCTS = ("kettle", "teapot", "mug", "lamp")  # in stock, low stock, sold out, withdrawn


@dataclass
class Shop:
    products: dict[str, Product]
    users: dict[str, User]
    carts: dict[str, Cart]
    orders: dict[str, Order]
    clients: dict[str, Client]
    stock: dict[int, int] = field(default_factory=dict)
    statuses: dict[int, str] = field(default_factory=dict)

    def reset(self) -> None:
        """Put back everything an example may have changed (orders it placed stay, and are harmless)."""
        cache.clear()  # the sign-up rate limit counts in the cache
        axes_reset()  # the sign-in lockout counts in the database
        for pk, stock in self.stock.items():
            Variant.objects.filter(product_id=pk).update(stock_quantity=stock)  # each sells its default variant
            Product.objects.filter(pk=pk).update(stock_quantity=stock)
        for pk, status in self.statuses.items():
            Order.objects.filter(pk=pk).update(status=status)
        CartLine.objects.filter(cart__in=self.carts.values()).delete()
        CartLine.objects.bulk_create(
            CartLine(
                cart=self.carts[owner],
                product=self.products[name],
                variant=self.products[name].variants.all()[0],
                quantity=quantity,
            )
            for owner, lines in BASELINE_LINES.items()
            for name, quantity in lines
        )

    def line_id(self, owner: str, index: int) -> int:
        lines = CartLine.objects.filter(cart=self.carts[owner]).order_by("product__slug")
        return list(lines.values_list("pk", flat=True))[index % len(BASELINE_LINES[owner])]


def client_with_cart(cart: Cart, user: User | None = None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    put_in_session(client, cart)
    return client


def fresh_client(shop: Shop, who: str) -> Client:
    """A new browser: a guest without a session, or the customer signed in with a copy of the fixture's
    session (a fresh force_login() per example would cost more than the request under test)."""
    client = Client(raise_request_exception=False)
    if who == "customer":
        signed_in = shop.clients["customer"].session
        session = import_module(django_settings.SESSION_ENGINE).SessionStore()
        session.update({key: signed_in[key] for key in (SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY)})
        session.create()
        client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@pytest.fixture
def shop(db) -> Shop:
    tools = make_category(name="Tools", slug="tools")
    products = {
        "kettle": make_product(name="Kettle", slug="kettle", category=tools, price=Decimal("10.00"), stock_quantity=40),
        "teapot": make_product(name="Teapot", slug="teapot", category=tools, price=Decimal("3.50"), stock_quantity=4),
        "mug": make_product(name="Mug", slug="mug", category=tools, stock_quantity=0),
        "lamp": make_product(name="Lamp", slug="lamp", category=tools, stock_quantity=5, is_active=False),
    }
    users = {
        "customer": make_user("ann", password=PASSWORD, email="ann@example.com"),
        "other": make_user("bob", password=PASSWORD, email="bob@example.com"),
    }
    kettle, teapot = products["kettle"], products["teapot"]
    orders = {
        "mine_pending": make_order(customer=users["customer"], lines=[(kettle, 1)]),
        "mine_paid": make_order(customer=users["customer"], lines=[(teapot, 1)], status=Order.Status.PAID),
        "guest": make_order(lines=[(kettle, 2), (teapot, 1)]),
        "other": make_order(customer=users["other"], lines=[(kettle, 1)]),
    }
    carts = {
        "guest": make_cart(),
        "customer": Cart.objects.get(user=users["customer"]),
        "other": Cart.objects.get(user=users["other"]),
    }
    clients = {
        "guest": client_with_cart(carts["guest"]),
        "customer": client_with_cart(carts["customer"], users["customer"]),
    }
    built = Shop(products=products, users=users, carts=carts, orders=orders, clients=clients)
    built.stock = dict(Product.objects.values_list("pk", "stock_quantity"))
    built.statuses = dict(Order.objects.values_list("pk", "status"))
    built.reset()
    return built


# --- Snapshots, invariants and the request itself ------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    stock: dict[int, int]  # product id -> stock
    orders: dict[int, str]  # order id -> status
    order_lines: int
    cart_lines: dict[int, tuple[int, int, int]]  # line id -> (cart id, product id, quantity)

    @classmethod
    def take(cls) -> "Snapshot":
        return cls(
            stock=dict(Product.objects.values_list("pk", "stock_quantity")),
            orders=dict(Order.objects.values_list("pk", "status")),
            order_lines=OrderLine.objects.count(),
            cart_lines={
                pk: (cart, product, quantity)
                for pk, cart, product, quantity in CartLine.objects.values_list("pk", "cart", "product", "quantity")
            },
        )

    def lines_of(self, cart: Cart) -> dict[int, int]:
        """product id -> quantity in `cart`."""
        return {product: quantity for cart_id, product, quantity in self.cart_lines.values() if cart_id == cart.pk}

    def lines_except(self, cart: Cart, product_id: int | None = None) -> dict[int, tuple[int, int, int]]:
        """Every cart line but `cart`'s (or, with `product_id`, but that one line of `cart`)."""
        return {
            pk: line
            for pk, line in self.cart_lines.items()
            if line[0] != cart.pk or (product_id is not None and line[1] != product_id)
        }


def assert_invariants() -> None:
    assert not Product.objects.filter(stock_quantity__lt=0).exists(), "negative stock"
    assert not CartLine.objects.exclude(quantity__gte=1, quantity__lte=MAX_LINE_QUANTITY).exists()
    # Money is compared in Python: SQLite would compare the decimals as floats.
    line_totals: dict[int, Decimal] = {}
    for order_id, unit_price, quantity, line_total in OrderLine.objects.values_list(
        "order", "unit_price", "quantity", "line_total"
    ):
        assert line_total == unit_price * quantity, f"order {order_id}: line total"
        line_totals[order_id] = line_totals.get(order_id, Decimal("0.00")) + line_total
    for order_id, subtotal, shipping, total in Order.objects.values_list(
        "pk", "subtotal", "shipping_cost", "total_amount"
    ):
        assert total == subtotal + shipping, f"order {order_id}: total is not subtotal + shipping"
        assert subtotal == line_totals.get(order_id), f"order {order_id}: subtotal is not the sum of its lines"


@contextmanager
def exceptions_raised_in_django() -> Iterator[list[str]]:
    """Tracebacks of exceptions the handler turned into a 500 (the test client swallows them)."""
    caught: list[str] = []

    def record(sender: object, **kwargs: object) -> None:
        caught.append(traceback.format_exc())

    got_request_exception.connect(record, weak=False)
    try:
        yield caught
    finally:
        got_request_exception.disconnect(record)


def send(
    client: Client, method: str, path: str, data: Params, headers: dict[str, str]
) -> tuple["TestResponse", Snapshot, Snapshot]:
    """One request; returns the response and the snapshots before and after, invariants checked."""
    before = Snapshot.take()
    with exceptions_raised_in_django() as caught:
        if method == "GET":
            response = client.get(path, data, headers=headers)
        else:
            response = client.post(path, urlencode(data, doseq=True), content_type=FORM_ENCODED, headers=headers)
    assert not caught, f"{method} {path} raised inside Django:\n{caught[0]}"
    assert response.status_code < 500, f"{method} {path} answered {response.status_code}"
    after = Snapshot.take()
    assert_invariants()
    return response, before, after


def outcome(*, refused: bool, before: Snapshot, after: Snapshot) -> None:
    """Tally how examples end (pytest --hypothesis-show-statistics) to see the oracles are exercised."""
    event("surely refused" if refused else "maybe valid: " + ("changed" if after != before else "unchanged"))


def both_ways(htmx_headers: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    return {}, htmx_headers


def last(data: Params, name: str) -> str | None:
    """The value a Django form reads for `name` (QueryDict.get: the last one)."""
    submitted = data.get(name)
    return submitted[-1] if submitted else None


# --- Oracles: when is a request surely refused? --------------------------------------------------


def quantity_surely_invalid(raw: str | None) -> bool:
    """True when QuantityForm cannot accept `raw`: anything but ASCII digits (surrounding spaces
    aside) or a number outside 1 to 99. Python's int() alone would read "٣", "0_5", "+5" and "5.0"."""
    if raw is None or not re.fullmatch(r"[0-9]+", raw.strip()):
        return True
    return not 1 <= int(raw.strip()) <= MAX_LINE_QUANTITY


def text_surely_invalid(raw: str | None, *, max_length: int) -> bool:
    """An optional CharField: a NUL is refused, and so is a value too long once stripped."""
    return raw is not None and ("\x00" in raw or len(raw.strip()) > max_length)


def row_named_by(queryset: Any, segment: str) -> Any:
    """The row a made-up path segment happens to name (`<int:…>` matches ASCII digits)."""
    if re.fullmatch(r"[0-9]{1,18}", segment):
        return getattr(queryset, "objects", queryset).filter(pk=int(segment)).first()
    return None


def product_sellable(product: Product | None) -> bool:
    return product is not None and product.is_active and product.stock_quantity > 0


# --- Catalog -------------------------------------------------------------------------------------

CATALOG_QUERY = params(
    q=values("kettle", "tea pot", "a " * 30),
    category=values("tools", "TOOLS", "no-such-category"),
    min_price=values("0", "3.50", "10", "999999.99", "1000000.01", "-0.01", "1.234"),
    max_price=values("0", "3.50", "10", "1000000"),
    in_stock=values("on", "true", "false", "0", "1"),
    sort=values("featured", "price", "-price", "name", "newest", "-name", "id", "?"),
    page=values("1", "2", "last", "0", "-1", "999999"),
    # The facets (storefront/facets.py): slugs, unknown values, numbers, and a parameter repeated past the cap.
    brand=values("acme", "ACME", "no-such-brand", "1", "-1"),
    size=values("m", "M", "xxl", "0x10", "m" * 60),
    colour=values("blue", "42", "", "%00"),
)


@examples(40)
@given(query=CATALOG_QUERY, htmx=HTMX_HEADERS)
def test_catalog_answers_any_query_string_without_failing_or_writing(shop, query, htmx):
    for headers in both_ways(htmx):
        _, before, after = send(shop.clients["guest"], "GET", reverse("storefront:product_list"), query, headers)
        assert after == before


# A facet parameter repeated past the cap (20) gets a 400, never a slow query or a 500.
REPEATED = st.integers(min_value=21, max_value=50).map(lambda n: ["m"] * n)
FACET_QUERY = params(
    {"size": st.one_of(values("m", "M", "l", "xxl", "1", "-1", "m" * 60), REPEATED)},
    brand=values("acme", "ACME", "no-such-brand", "1"),
    colour=values("blue", "42", "", "%00"),
    category=values("tools"),
    in_stock=values("on"),
)


@pytest.fixture
def faceted_shop(shop: Shop) -> Shop:
    tee = make_product(name="Tee", slug="tee", category=shop.products["kettle"].category, brand="Acme")
    make_variant(tee, ("Size", "M"), ("Colour", "Blue"))
    make_variant(tee, ("Size", "L"), ("Colour", "Red"))
    shop.stock = dict(Product.objects.values_list("pk", "stock_quantity"))
    return shop


@examples(25)
@given(query=FACET_QUERY, htmx=HTMX_HEADERS)
def test_catalog_facets_answer_any_values_without_failing_or_writing(faceted_shop, query, htmx):
    for headers in both_ways(htmx):
        response, before, after = send(
            faceted_shop.clients["guest"], "GET", reverse("storefront:product_list"), query, headers
        )
        assert after == before
        if len(query.get("size", [])) > 20:
            assert response.status_code == 400


@examples(25)
@given(slug=st.one_of(st.sampled_from(["kettle", "mug", "lamp", "KETTLE", "kettle-"]), HOSTILE), htmx=HTMX_HEADERS)
def test_product_page_answers_any_slug_without_failing_or_writing(shop, slug, htmx):
    for headers in both_ways(htmx):
        path = f"/products/{quote(slug, safe='')}/"
        response, before, after = send(shop.clients["guest"], "GET", path, {}, headers)
        assert after == before
        if slug in ("mug", "kettle"):
            assert response.status_code == 200
        elif slug == "lamp":
            assert response.status_code == 404, "a withdrawn product is not shown"


@examples(25)
@given(
    picture=st.one_of(st.sampled_from(["<own>", "<other>", "0", "-1", "1e3", "٣", "99999999999999999999"]), HOSTILE),
    htmx=HTMX_HEADERS,
)
def test_product_page_answers_any_picture_without_failing_or_writing(shop, picture, htmx):
    """?picture= names one of the product's pictures; anything else shows the first (the page) or is
    a 404 (the gallery fragment), never a 500."""
    kettle, teapot = shop.products["kettle"], shop.products["teapot"]
    own = ProductPicture.objects.get_or_create(product=kettle, image="products/kettle.png", alt_text="Kettle")[0]
    other = ProductPicture.objects.get_or_create(product=teapot, image="products/teapot.png", alt_text="Teapot")[0]
    named = picture.replace("<own>", str(own.pk)).replace("<other>", str(other.pk))
    for headers in both_ways(htmx):
        response, before, after = send(
            shop.clients["guest"], "GET", kettle.get_absolute_url(), {"picture": named}, headers
        )
        assert after == before
        if named == str(own.pk):
            assert response.status_code == 200
        elif not headers:
            assert response.status_code == 200, "the page shows the first picture"


# --- Cart ----------------------------------------------------------------------------------------


@examples(25)
@given(
    who=st.sampled_from(["guest", "customer"]),
    page=st.sampled_from(["cart:cart_detail", "cart:mini_cart", "cart:cart_regions"]),
    query=params(
        next=values(*SITE_PATHS),
        quantity=values(),
        region=weighted((2, st.lists(REGION_IDS, max_size=60)), (1, values())),
    ),
    htmx=HTMX_HEADERS,
)
def test_cart_pages_answer_anything_without_failing_or_writing(shop, who, page, query, htmx):
    for headers in both_ways(htmx):
        _, before, after = send(shop.clients[who], "GET", reverse(page), query, headers)
        assert after == before


# Two quantities in three are well-formed (the hostile part is then everything around them), so that
# the checks on a change a valid request made get exercised too.
WELL_FORMED_QUANTITY = st.integers(min_value=1, max_value=MAX_LINE_QUANTITY).map(lambda quantity: [str(quantity)])
ADD_BODY = params(
    {
        "quantity": weighted(
            (2, WELL_FORMED_QUANTITY), (1, values("1", "2", "5", "42", "98", "99", "٣", "1_0", "+5", "５"))
        )
    },
    next=values(*SITE_PATHS, "/products/?q=kettle&page=2"),
    # "<own>" and "<other>" become the id of the product's own variant and of another product's.
    variant=values("<own>", "<other>", "", " <own> ", "0<own>"),
)


def variant_ids_in(body: Params, own: int | None, other: int) -> Params:
    if "variant" not in body:
        return body
    named = [value.replace("<own>", str(own or 0)).replace("<other>", str(other)) for value in body["variant"]]
    return {**body, "variant": named}


def variant_surely_refused(raw: str | None, own: int | None) -> bool:
    """The add-to-cart form's variant: absent or empty means the product's only one; otherwise ASCII
    digits naming exactly the product's own variant."""
    if raw is None or not raw.strip():
        return False
    if "\x00" in raw or not re.fullmatch(r"[0-9]{1,18}", raw.strip()):
        return True
    return int(raw.strip()) != own


@examples(50)
@given(
    who=st.sampled_from(["guest", "customer"]),
    target=weighted((2, st.sampled_from(PRODUCTS)), (1, path_segment())),
    body=ADD_BODY,
    htmx=HTMX_HEADERS,
)
def test_adding_to_the_cart_changes_only_the_own_line_and_only_when_valid(shop, who, target, body, htmx):
    product = shop.products.get(target) or row_named_by(Product, target)
    path = f"/cart/add/{product.pk if product else quote(target, safe='')}/"
    cart = shop.carts[who]
    own = Variant.objects.filter(product=product).values_list("pk", flat=True).first() if product else None
    body = variant_ids_in(body, own, shop.products["teapot" if target == "kettle" else "kettle"].variants.get().pk)
    for headers in both_ways(htmx):
        shop.reset()
        if product:
            product.refresh_from_db()
        refused = (
            not product_sellable(product)
            or quantity_surely_invalid(last(body, "quantity"))
            or text_surely_invalid(last(body, "next"), max_length=2000)
            or variant_surely_refused(last(body, "variant"), own)
        )
        _, before, after = send(shop.clients[who], "POST", path, body, headers)
        outcome(refused=refused, before=before, after=after)
        if refused:
            assert after == before
            continue
        # Adding to a cart never touches stock, orders or any other line.
        assert replace(after, cart_lines={}) == replace(before, cart_lines={})
        assert after.lines_except(cart, product.pk) == before.lines_except(cart, product.pk)
        was, now = before.lines_of(cart).get(product.pk, 0), after.lines_of(cart).get(product.pk, 0)
        assert was <= now <= max(was, min(product.stock_quantity, MAX_LINE_QUANTITY))


# Two in three examples aim at a real line: one of the shopper's own, or one of another shopper's.
REAL_LINE = st.tuples(st.sampled_from(["own", "own", "other"]), st.integers(min_value=0, max_value=3))
LINE_TARGETS = weighted((2, REAL_LINE), (1, st.tuples(st.just("path"), path_segment())))


def line_path(shop: Shop, who: str, target: tuple[str, Any], suffix: str) -> tuple[str, CartLine | None]:
    """The URL for a line of the shopper's own cart, of another shopper's cart, or for a made-up id."""
    kind, value = target
    if kind == "path":
        line = row_named_by(CartLine.objects.select_related("product"), value)
        return f"/cart/lines/{quote(value, safe='')}/{suffix}", line
    owner = who if kind == "own" else "other"
    line = CartLine.objects.select_related("product").get(pk=shop.line_id(owner, value))
    return f"/cart/lines/{line.pk}/{suffix}", line


@examples(40)
@given(
    who=st.sampled_from(["guest", "customer"]),
    target=LINE_TARGETS,
    body=params({"quantity": weighted((2, WELL_FORMED_QUANTITY), (1, values("1", "2", "3", "99", "٣", "1_0", "3.0")))}),
    htmx=HTMX_HEADERS,
)
def test_setting_a_quantity_changes_only_an_own_line_and_only_when_valid(shop, who, target, body, htmx):
    cart = shop.carts[who]
    for headers in both_ways(htmx):
        shop.reset()
        path, line = line_path(shop, who, target, "")
        own = line is not None and line.cart_id == cart.pk
        refused = not own or not product_sellable(line.product) or quantity_surely_invalid(last(body, "quantity"))
        _, before, after = send(shop.clients[who], "POST", path, body, headers)
        outcome(refused=refused, before=before, after=after)
        if refused:
            assert after == before, "another shopper's line, an unknown line or an invalid quantity"
            continue
        assert replace(after, cart_lines={}) == replace(before, cart_lines={})
        assert after.lines_except(cart, line.product_id) == before.lines_except(cart, line.product_id)
        assert 1 <= after.cart_lines[line.pk][2] <= min(line.product.stock_quantity, MAX_LINE_QUANTITY)


@examples(30)
@given(who=st.sampled_from(["guest", "customer"]), target=LINE_TARGETS, body=params(), htmx=HTMX_HEADERS)
def test_removing_a_line_removes_only_an_own_line(shop, who, target, body, htmx):
    cart = shop.carts[who]
    for headers in both_ways(htmx):
        shop.reset()
        path, line = line_path(shop, who, target, "remove/")
        _, before, after = send(shop.clients[who], "POST", path, body, headers)
        outcome(refused=line is None or line.cart_id != cart.pk, before=before, after=after)
        if line is None or line.cart_id != cart.pk:
            assert after == before, "another shopper's line or an unknown line"
            continue
        assert after.cart_lines in (before.cart_lines, {k: v for k, v in before.cart_lines.items() if k != line.pk})
        assert replace(after, cart_lines={}) == replace(before, cart_lines={})


# --- Checkout ------------------------------------------------------------------------------------

CHOICE_FIELDS = ("shipping_country", "shipping_method", "payment_method")
TEXT_FIELDS = ("email", "shipping_name", "shipping_address", "shipping_city", "shipping_postcode")
REQUIRED_FIELDS = (*TEXT_FIELDS, *CHOICE_FIELDS, "submission_key")
CHECKOUT_VALUES = {
    "email": values("zoe@example.org", "ZOE@EXAMPLE.ORG", "zoe@", "@example.org", "zoe@example"),
    "shipping_name": values("Zoë Example", "Zoe"),
    "shipping_address": values("Rue de Rivoli 1"),
    "shipping_city": values("Paris"),
    "shipping_postcode": values("75001", "ab-12 3c", "1", "1234567890123", "-1234"),
    "shipping_country": values("FR", "DE", "de", "US", "XX"),
    "shipping_method": values("standard", "express", "STANDARD", "pigeon"),
    "payment_method": values("bank_transfer", "cash_on_delivery", "credit_card"),
    "submission_key": values("00000000-0000-0000-0000-000000000000", "not-a-uuid"),
    # The guest cart's subtotal is 23.50: 2 kettles at 10.00 and a teapot at 3.50.
    "reviewed_subtotal": values("23.50", "23.5", "2.35E1", "23.49", "0", "-23.50"),
    "_validate": values(*CheckoutForm.LIVE_FIELDS, "shipping_method", "payment_method", "nope"),
}
# A few fields changed (most examples stay close enough to valid to place an order now and then).
CHECKOUT_CHANGES = st.sets(st.sampled_from(sorted(CHECKOUT_VALUES)), max_size=3).flatmap(
    lambda names: st.fixed_dictionaries({name: CHECKOUT_VALUES[name] for name in names})
)
TAMPERED = st.dictionaries(
    UNKNOWN_KEYS.filter(lambda key: key not in CHECKOUT_VALUES),
    values("0", "0.01", "-100", "1e9", "pending", "paid"),
    max_size=4,
)


def choices_of(name: str) -> set[str]:
    return {str(value) for value, _ in CheckoutForm.base_fields[name].choices}  # type: ignore[attr-defined]  # a ChoiceField


def checkout_surely_refused(data: Params, *, htmx: bool, cart: Cart) -> bool:
    """True when no order can come out of this POST (a subset of the real rules, each one certain)."""
    if htmx and "_validate" in data:
        return True  # only validates one field
    lines = CartLine.objects.filter(cart=cart).select_related("product")
    if not lines or any(line.problem for line in lines):
        return True
    if any(not (last(data, name) or "").strip() for name in REQUIRED_FIELDS):
        return True
    if any(text_surely_invalid(last(data, name), max_length=254) for name in TEXT_FIELDS):
        return True
    if any(last(data, name) not in choices_of(name) for name in CHOICE_FIELDS) or "@" not in (
        last(data, "email") or ""
    ):
        return True
    try:
        key = uuid.UUID(last(data, "submission_key").strip())
    except ValueError:
        return True
    if Order.objects.filter(submission_key=key).exists():
        return True  # submitting a form twice finds the first order and places none
    reviewed = last(data, "reviewed_subtotal")
    if reviewed:
        try:
            amount = Decimal(reviewed)
        except InvalidOperation:
            return True
        subtotal = sum((line.subtotal for line in lines), Decimal("0.00"))
        if not amount.is_finite() or amount != subtotal:
            return True  # invalid, or the prices "changed" since the shopper looked
    return False


@examples(20)
@given(who=st.sampled_from(["guest", "customer"]), query=params(), htmx=HTMX_HEADERS)
def test_checkout_page_answers_any_query_string_without_writing(shop, who, query, htmx):
    for headers in both_ways(htmx):
        _, before, after = send(shop.clients[who], "GET", reverse("orders:place_order"), query, headers)
        assert after == before


@examples(60)
@given(
    who=st.sampled_from(["guest", "guest", "customer"]),  # the customer's cart can never be ordered
    submission_key=st.uuids(),
    changes=weighted((2, CHECKOUT_CHANGES), (1, st.just({}))),
    dropped=weighted((2, st.just(set())), (1, st.sets(st.sampled_from(REQUIRED_FIELDS), min_size=1, max_size=2))),
    tampered=TAMPERED,
    htmx=HTMX_HEADERS,
)
def test_checkout_places_an_order_only_from_a_valid_form_and_prices_it_on_the_server(
    shop, who, submission_key, changes, dropped, tampered, htmx
):
    data = {name: [value] for name, value in ADDRESS.items()} | {"submission_key": [str(submission_key)]}
    data = {name: value for name, value in data.items() if name not in dropped} | changes | tampered
    cart = shop.carts[who]
    for headers in both_ways(htmx):
        shop.reset()
        refused = checkout_surely_refused(data, htmx=bool(headers), cart=cart)
        _, before, after = send(shop.clients[who], "POST", reverse("orders:place_order"), data, headers)
        placed = set(after.orders) - set(before.orders)
        outcome(refused=refused, before=before, after=after)
        if refused or not placed:
            assert after == before
            continue
        # One order, made of the cart's lines at the database's prices; the cart is emptied and the
        # stock taken; nothing else moved, whatever prices or totals the client sent.
        (order,) = Order.objects.prefetch_related("lines").filter(pk__in=placed)
        ordered = before.lines_of(cart)
        prices = dict(Product.objects.values_list("pk", "price"))
        assert {line.product_id: line.quantity for line in order.lines.all()} == ordered
        assert order.subtotal == sum(prices[pk] * quantity for pk, quantity in ordered.items())
        assert order.shipping_cost == SHIPPING_METHODS[order.shipping_method].cost(order.subtotal)
        assert order.total_amount == order.subtotal + order.shipping_cost
        assert order.submission_key == uuid.UUID(last(data, "submission_key").strip())
        assert after.stock == {pk: stock - ordered.get(pk, 0) for pk, stock in before.stock.items()}
        assert after.cart_lines == before.lines_except(cart)
        assert {pk: status for pk, status in after.orders.items() if pk not in placed} == before.orders


# --- Orders --------------------------------------------------------------------------------------

ORDER_TARGETS = weighted((3, st.sampled_from(["mine_pending", "mine_paid", "guest", "other"])), (1, HOSTILE))
KEY_CHOICES = weighted((2, st.sampled_from(["the order's key", "another order's key"])), (1, HOSTILE))


def order_request(shop: Shop, target: str, key_choice: str, keys: list[str]) -> tuple[str, Order | None, Params]:
    """The order's path (or a made-up reference) and a `key` query value (real, someone else's, or junk)."""
    order = shop.orders.get(target)
    reference = order.reference if order else target
    real = {
        "the order's key": order.access_key if order else "",
        "another order's key": shop.orders["other"].access_key,
    }
    query = {"key": [*keys, real.get(key_choice, key_choice)]}
    return quote(reference, safe=""), order, query


def may_view(shop: Shop, who: str, order: Order | None, query: Params) -> bool:
    """Its customer signed in, or whoever holds its key (DESIGN.md: "visible only to its owner")."""
    if order is None:
        return False
    owner = who == "customer" and order.customer_id == shop.users["customer"].pk
    return owner or last(query, "key") == order.access_key


@examples(30)
@given(
    who=st.sampled_from(["guest", "customer"]),
    target=ORDER_TARGETS,
    key_choice=KEY_CHOICES,
    keys=st.lists(HOSTILE, max_size=2),
    htmx=HTMX_HEADERS,
)
def test_order_page_shows_an_order_only_to_its_owner_or_link_holder(shop, who, target, key_choice, keys, htmx):
    reference, order, query = order_request(shop, target, key_choice, keys)
    for headers in both_ways(htmx):
        client = fresh_client(shop, who)  # the session remembers orders it has seen
        path = f"/orders/{reference}/?{urlencode(query, doseq=True)}"
        response, before, after = send(client, "GET", path, {}, headers)
        assert after == before
        # The link's key is traded for the session, then the bare URL shows the order.
        assert response.status_code == (303 if may_view(shop, who, order, query) else 404)
        if response.status_code == 303:
            assert response["Location"] == order.get_absolute_url()
            assert client.get(response["Location"]).status_code == 200


@examples(30)
@given(
    who=st.sampled_from(["guest", "customer"]),
    target=ORDER_TARGETS,
    key_choice=KEY_CHOICES,
    keys=st.lists(HOSTILE, max_size=2),
    body=params(),
    htmx=HTMX_HEADERS,
)
def test_cancelling_changes_only_a_viewable_pending_order(shop, who, target, key_choice, keys, body, htmx):
    reference, order, query = order_request(shop, target, key_choice, keys)
    for headers in both_ways(htmx):
        shop.reset()
        client = fresh_client(shop, who)
        path = f"/orders/{reference}/cancel/?{urlencode(query, doseq=True)}"
        _, before, after = send(client, "POST", path, body, headers)
        allowed = may_view(shop, who, order, query) and before.orders[order.pk] == Order.Status.PENDING
        outcome(refused=not allowed, before=before, after=after)
        if not allowed or after == before:
            assert after == before, "a cancellation nobody may make"
            continue
        # Cancelled, and exactly its quantities are back in stock.
        assert after.orders == before.orders | {order.pk: Order.Status.CANCELLED}
        returned = {line.product_id: line.quantity for line in order.lines.all()}
        assert after.stock == {pk: stock + returned.get(pk, 0) for pk, stock in before.stock.items()}
        assert replace(after, stock={}, orders={}) == replace(before, stock={}, orders={})


@examples(20)
@given(who=st.sampled_from(["guest", "customer"]), query=params(page=values("1", "2", "last", "0")), htmx=HTMX_HEADERS)
def test_order_history_answers_any_page_without_failing_or_writing(shop, who, query, htmx):
    for headers in both_ways(htmx):
        _, before, after = send(shop.clients[who], "GET", reverse("orders:order_list"), query, headers)
        assert after == before


# --- Accounts ------------------------------------------------------------------------------------

SIGNUP_URL, LOGIN_URL = "/accounts/signup/", "/accounts/login/"


def next_values(own_path: str) -> st.SearchStrategy[list[str]]:
    """`next` values, one in four of them the page's own path (a redirect back to itself is a loop)."""
    return weighted((1, st.just([own_path])), (3, values(*SITE_PATHS)))


SIGNUP_BODY = params(
    {
        "username": values("zoe", "ann", "ANN", "a" * 151, "zoë", "bad name"),
        "email": values("zoe@example.org", "ANN@example.com", "zoe@"),
        "password1": values("plum-tree-orbit-47", "password", "zoe"),
        "password2": values("plum-tree-orbit-47", "password"),
    },
    next=next_values(SIGNUP_URL),
)
LOGIN_BODY = params(
    {"username": values("ann", "ANN", "bob", "nobody"), "password": values(PASSWORD, "wrong")},
    next=next_values(LOGIN_URL),
)


@examples(25)
@given(
    who=st.sampled_from(["guest", "customer"]),
    method=st.sampled_from(["GET", "POST"]),
    body=SIGNUP_BODY,
    query=params({"next": next_values(SIGNUP_URL)}),
    htmx=HTMX_HEADERS,
)
def test_signup_answers_any_form_or_next_without_failing(shop, who, method, body, query, htmx):
    for headers in both_ways(htmx):
        shop.reset()
        client = fresh_client(shop, who)
        path = f"{SIGNUP_URL}?{urlencode(query, doseq=True)}"
        _, before, after = send(client, method, path, body if method == "POST" else {}, headers)
        assert after == before  # a new account starts with no cart and no orders


@examples(25)
@given(
    who=st.sampled_from(["guest", "customer"]),
    method=st.sampled_from(["GET", "POST"]),
    body=LOGIN_BODY,
    query=params({"next": next_values(LOGIN_URL)}),
    htmx=HTMX_HEADERS,
)
def test_login_answers_any_form_or_next_without_failing(shop, who, method, body, query, htmx):
    for headers in both_ways(htmx):
        shop.reset()
        client = fresh_client(shop, who)
        path = f"{LOGIN_URL}?{urlencode(query, doseq=True)}"
        _, before, after = send(client, method, path, body if method == "POST" else {}, headers)
        assert after == before  # signing in adopts the browser's cart, and a fresh browser has none
