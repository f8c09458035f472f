"""The scenarios: every request the load sends, prepared over HTTP the way a browser makes them.

Sessions, CSRF tokens and 10-line carts come from the running server; the order scenario's
carts from bench/fixtures.py. bench/explain.py runs the same scenarios in one process.
"""

import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.client import FORM, Client, Response, csrf_token, htmx

# The catalog filter the "filtered" scenarios use: a search word, a category and a sort order.
FILTERED = {"q": "steel", "category": "kitchen", "sort": "price"}
# The faceted scenario: two facets (storefront/facets.py), a size and an apparel brand.
FACETED = {"brand": "common-cloth", "size": "m"}
DEEP_PAGE = 300
CART_LINES = 10
SHOPPERS = 8  # sessions per cart scenario; requests rotate over them
# The order form of the place-order scenario (bench/explain.py sends the same).
ORDER_FORM = {
    "email": "bench@example.com",
    "shipping_name": "Bench Shopper",
    "shipping_address": "Teststrasse 1",
    "shipping_postcode": "10115",
    "shipping_city": "Berlin",
    "shipping_country": "DE",
    "shipping_method": "standard",
    "payment_method": "bank_transfer",
}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def __post_init__(self) -> None:
        # What every browser sends, so the cost of compressing the answer is measured too.
        self.headers.setdefault("Accept-Encoding", "gzip, deflate, br")


@dataclass
class Scenario:
    key: str
    title: str
    requests: list[Request]
    # One-shot requests (an order per cart) may be sent only once: the warm-up gets its own slice.
    one_shot: bool = False
    # The request whose answer is measured for the size columns (sent once, before the load).
    sample: Request | None = None
    note: str = ""


class Shop:
    """Sessions and ids prepared over HTTP, the way a browser gets them."""

    def __init__(self, port: int, facts: dict) -> None:
        self.port = port
        self.facts = facts

    def shopper(self, start: str = "/products/") -> tuple[Client, str]:
        client = Client(self.port)
        page = client.get(start)
        return client, csrf_token(page.text)

    def add(self, client: Client, token: str, product_id: int, target: str, page: str) -> Response:
        body = urlencode({"csrfmiddlewaretoken": token, "quantity": 1, "next": page})
        response = client.request("POST", f"/cart/add/{product_id}/", {**FORM, **htmx(target, page)}, body=body)
        if response.status != 200:
            raise RuntimeError(f"add to cart answered {response.status}: {response.text[:300]}")
        return response

    def full_carts(self, count: int = SHOPPERS) -> list[tuple[Client, str]]:
        """`count` sessions, each with a CART_LINES-line cart (products never shared between them)."""
        products = self.facts["cart_products"][::-1] if count < SHOPPERS else self.facts["cart_products"]
        shoppers = []
        for index in range(count):
            client, token = self.shopper()
            for product_id in products[index * CART_LINES : (index + 1) * CART_LINES]:
                self.add(client, token, product_id, f"add-to-cart-card-{product_id}", "/products/")
            shoppers.append((client, token))
        return shoppers


def catalog_path(params: dict[str, object]) -> str:
    return "/products/" + (f"?{urlencode(params)}" if params else "")


def last_page(client: Client, params: dict[str, object]) -> int:
    html = client.get(catalog_path(params)).text
    match = re.search(r"Page \d+ of (\d+)", html)
    return int(match.group(1)) if match else 1


def build_scenarios(shop: Shop) -> list[Scenario]:
    port = shop.port
    anonymous = Client(port)
    filtered_last = last_page(anonymous, FILTERED)
    catalog = [
        ("", "first page", {}),
        ("-filtered", f"q={FILTERED['q']} + category + sort={FILTERED['sort']}", FILTERED),
        ("-deep", f"page {DEEP_PAGE}", {"page": DEEP_PAGE}),
        ("-filtered-deep", f"filtered, last page ({filtered_last})", {**FILTERED, "page": filtered_last}),
        ("-faceted", "brand=common-cloth + size=m", FACETED),
    ]
    scenarios = [Scenario("baseline", "baseline: trivial Django view", [Request("GET", "/bench/baseline/")])]
    for suffix, label, params in catalog:
        path = catalog_path(params)
        scenarios.append(Scenario(f"catalog{suffix}", f"catalog page, {label}", [Request("GET", path)]))
        scenarios.append(
            Scenario(
                f"catalog{suffix}-fragment",
                f"catalog fragment, {label}",
                [Request("GET", path, htmx("results", path))],
            )
        )
    scenarios.append(
        Scenario(
            "product",
            "product page",
            [Request("GET", f"/products/{slug}/") for slug in shop.facts["product_slugs"]],
            note=f"rotates over {len(shop.facts['product_slugs'])} products",
        )
    )

    full = shop.full_carts()

    def with_cookies(client: Client, request: Request) -> Request:
        return Request(
            request.method, request.path, {**request.headers, "Cookie": client.cookie_header()}, request.body
        )

    scenarios.append(
        Scenario(
            "cart",
            f"cart page, {CART_LINES} lines",
            [with_cookies(client, Request("GET", "/cart/")) for client, _ in full],
        )
    )
    scenarios.append(
        Scenario(
            "checkout-form",
            f"checkout form, {CART_LINES} lines",
            [with_cookies(client, Request("GET", "/checkout/")) for client, _ in full],
        )
    )

    # Add to cart, from the catalog's first page (every card on it is an out-of-band region the
    # answer re-renders) and from a product page. Each shopper rotates over products it can raise
    # to the 99 cap; answers at the cap are 422s and show in the answers column.
    first_page = [row for row in shop.facts["first_page"] if row["stock_quantity"] >= 50 and row["sells_one"]]
    adds = []
    for _ in range(SHOPPERS):
        client, token = shop.shopper()
        for row in first_page:
            target = f"add-to-cart-card-{row['id']}"
            body = urlencode({"csrfmiddlewaretoken": token, "quantity": 1, "next": "/products/"})
            request = Request("POST", f"/cart/add/{row['id']}/", {**FORM, **htmx(target, "/products/")}, body)
            if not client.cookies.get("sessionid"):
                shop.add(client, token, row["id"], target, "/products/")
            adds.append(with_cookies(client, request))
    scenarios.append(
        Scenario(
            "add-catalog",
            "add to cart (htmx) on the catalog",
            adds,
            note="a catalog page of 24 cards; the answer renders the one used and the header's regions",
        )
    )
    high_stock = shop.facts["high_stock"]
    adds = []
    for index in range(SHOPPERS):
        client, token = shop.shopper()
        for product_id in high_stock[index * 10 : (index + 1) * 10]:
            page = f"/products/{product_id}/"
            target = f"add-to-cart-detail-{product_id}"
            body = urlencode({"csrfmiddlewaretoken": token, "quantity": 1, "next": page})
            if not client.cookies.get("sessionid"):
                shop.add(client, token, product_id, target, page)
            adds.append(
                with_cookies(client, Request("POST", f"/cart/add/{product_id}/", {**FORM, **htmx(target, page)}, body))
            )
    scenarios.append(Scenario("add-product", "add to cart (htmx) on a product page", adds))

    changes = []
    for client, token in full:
        line_ids = re.findall(r'id="cart-line-(\d+)"', client.get("/cart/").text)
        for number, line_id in enumerate(line_ids):
            body = urlencode({"csrfmiddlewaretoken": token, "quantity": 1 + number % 4})
            changes.append(
                with_cookies(
                    client,
                    Request("POST", f"/cart/lines/{line_id}/", {**FORM, **htmx("cart", "/cart/")}, body),
                )
            )
    scenarios.append(Scenario("cart-quantity", "cart quantity change (htmx)", changes))

    # Placing an order empties its cart: each request carries a session whose 3-line cart was
    # made by bench/fixtures.py, and a fresh submission key. The last one is the size sample.
    csrf_client, token = shop.shopper()
    orders = []
    for entry in shop.facts["order_sessions"]:
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                **ORDER_FORM,
                "submission_key": str(uuid.uuid4()),
                "reviewed_subtotal": entry["subtotal"],
            }
        )
        cookie = f"csrftoken={csrf_client.cookies['csrftoken']}; sessionid={entry['session_key']}"
        orders.append(Request("POST", "/checkout/", {**FORM, **htmx("checkout", "/checkout/"), "Cookie": cookie}, body))
    scenarios.append(
        Scenario(
            "place-order",
            "place order (htmx POST /checkout/)",
            orders[:-1],
            one_shot=True,
            sample=orders[-1],
            note="one prepared 3-line cart per request",
        )
    )
    return scenarios
