"""Where a request's time goes, and how the database runs the catalog's queries.

python -m bench.explain              (run by bench/run.py after the load, with the bench environment)
python -m bench.explain --runs 50    (more runs per scenario for steadier medians)

In one process, through Django's test client (so without gunicorn and HTTP), on the bench
database: every scenario of bench/run.py is run a number of times; the median total time is
split into the time spent in SQL (as the database driver returns it) and the rest (view,
forms, templates, middleware). Then every query the catalog sends, for each sort order and
filter, is shown with its query plan (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN) and
whether it uses an index, scans the table or sorts in a temporary B-tree. Prints Markdown.
"""

import argparse
import contextlib
import io
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import uuid4

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.common import HOST  # noqa: E402
from bench.scenarios import CART_LINES, FACETED, ORDER_FORM  # noqa: E402
from storefront.models import Product  # noqa: E402

SORTS = ("featured", "price", "-price", "name", "newest")
FILTERS = {
    "no filter": {},
    "category=kitchen": {"category": "kitchen"},
    "q=steel": {"q": "steel"},
    "q=steel + category=kitchen": {"q": "steel", "category": "kitchen"},
    "in_stock=on": {"in_stock": "on"},
    "min_price=20 + max_price=60": {"min_price": "20", "max_price": "60"},
}


def client() -> Client:
    # Browsers always offer compressed answers, so the cost of compressing is measured too.
    return Client(SERVER_NAME=HOST, HTTP_ACCEPT_ENCODING="gzip, deflate, br")


def htmx(target: str) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Target": target}


@dataclass
class InProcess:
    """One bench scenario as a call on the test client; `prepare` runs untimed before each call."""

    name: str
    send: Callable[[], HttpResponse]
    prepare: Callable[[], None] | None = None


@dataclass
class Anatomy:
    name: str
    total_ms: float
    cpu_ms: float
    queries: int
    sql_ms: float
    size: int


class QueryTimer:
    """Counts the queries and adds up the time the database driver spends in execute()."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable, sql: str, params: object, many: bool, context: dict) -> object:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def measure(scenario: InProcess, runs: int) -> Anatomy:
    totals, cpu, sql, counts, size = [], [], [], [], 0
    for run in range(runs + 2):  # two untimed runs load templates and warm caches
        if scenario.prepare:
            scenario.prepare()
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = scenario.send()
            elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        assert response.status_code < 400, (scenario.name, response.status_code, response.content[:300])
        if run >= 2:
            totals.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
            sql.append(timer.seconds * 1000)
            counts.append(timer.count)
        size = len(response.content)
    return Anatomy(
        scenario.name,
        statistics.median(totals),
        statistics.median(cpu),
        max(counts),
        statistics.median(sql),
        size,
    )


def post_add(shopper: Client, pk: int, layout: str) -> HttpResponse:
    target = f"add-to-cart-{layout}-{pk}"
    return shopper.post(f"/cart/add/{pk}/", {"quantity": "1"}, headers=htmx(target))


class Rotation:
    """The next item of a list on every call, round and round."""

    def __init__(self, items: list) -> None:
        self.items = items
        self.index = -1

    def __call__(self) -> object:
        self.index = (self.index + 1) % len(self.items)
        return self.items[self.index]


def in_process_scenarios() -> list[InProcess]:
    """The scenarios of bench/run.py, each set up the same way (a 10-line cart, ...)."""
    available = Product.objects.available()
    # Adds name no variant: they use products that sell one (the demo's apparel and shoes sell sizes).
    sells_one = available.filter(option_types__isnull=True)
    high_stock = list(sells_one.filter(stock_quantity__gte=99).order_by("-id").values_list("id", flat=True)[:40])
    first_page = list(sells_one.sorted_by("featured").values_list("id", flat=True)[:24])
    slug = available.order_by("id").values_list("slug", flat=True)[40]
    filtered = "q=steel&category=kitchen&sort=price"
    last = -(-available.filter(category__slug="kitchen").search("steel").count() // settings.CATALOG_PAGE_SIZE)
    anonymous = client()
    full = client()
    for pk in high_stock[:CART_LINES]:
        post_add(full, pk, "card")
    cart_page = full.get("/cart/", headers={"Accept-Encoding": "identity"}).content.decode()
    line_ids = Rotation(re.findall(r'id="cart-line-(\d+)"', cart_page))
    quantities = Rotation([1, 2, 3, 4])
    adder = client()
    on_page, on_detail = Rotation(first_page), Rotation(high_stock[20:30])
    orderer = client()
    order_products = Rotation(
        list(sells_one.filter(stock_quantity__gte=30).order_by("id").values_list("id", flat=True)[:300])
    )

    def fill_order_cart() -> None:
        for _ in range(3):
            post_add(orderer, order_products(), "card")

    def place_order() -> HttpResponse:
        response = orderer.post("/checkout/", {**ORDER_FORM, "submission_key": str(uuid4())}, headers=htmx("checkout"))
        assert "/orders/" in response.get("HX-Redirect", ""), response.content[:300]
        return response

    def place_order_now() -> None:
        """A 3-line order of products with 30 or more in stock: it sells none of them out."""
        fill_order_cart()
        place_order()

    scenarios = [InProcess("baseline", lambda: anonymous.get("/bench/baseline/"))]
    for name, url in (
        ("catalog", "/products/"),
        ("catalog-filtered", f"/products/?{filtered}"),
        ("catalog-deep", "/products/?page=300"),
        ("catalog-filtered-deep", f"/products/?{filtered}&page={last}"),
        ("catalog-faceted", f"/products/?{urlencode(FACETED)}"),
    ):
        scenarios.append(InProcess(name, lambda url=url: anonymous.get(url)))
        scenarios.append(InProcess(f"{name}-fragment", lambda url=url: anonymous.get(url, headers=htmx("results"))))
    # What a filter state costs the first time, before its facet counts are cached (storefront/facets.py).
    faceted = f"/products/?{urlencode(FACETED)}"
    scenarios.append(InProcess("catalog-faceted-uncached", lambda: anonymous.get(faceted), prepare=cache.clear))
    scenarios.append(InProcess("catalog-uncached", lambda: anonymous.get("/products/"), prepare=cache.clear))
    # The same request right after an order that leaves every product it sells in stock: no facet count
    # moves, so it is answered from the cache (storefront/catalog_version.py) like catalog-faceted.
    scenarios.append(InProcess("catalog-faceted-after-sale", lambda: anonymous.get(faceted), prepare=place_order_now))
    return [
        *scenarios,
        InProcess("product", lambda: anonymous.get(f"/products/{slug}/")),
        InProcess("cart", lambda: full.get("/cart/")),
        InProcess("checkout-form", lambda: full.get("/checkout/")),
        InProcess("add-catalog", lambda: post_add(adder, on_page(), "card")),
        InProcess("add-product", lambda: post_add(adder, on_detail(), "detail")),
        InProcess(
            "cart-quantity",
            lambda: full.post(f"/cart/lines/{line_ids()}/", {"quantity": str(quantities())}, headers=htmx("cart")),
        ),
        InProcess("place-order", place_order, prepare=fill_order_cart),
    ]


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "; ".join(row[3] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN (COSTS OFF) {sql}")
        return "; ".join(re.sub(r"\s+", " ", row[0].replace("->", "")).strip() for row in cursor.fetchall())


def access(sql: str, text: str) -> str:
    """How the plan reaches the product rows, in words: an index, a scan, a sort."""
    words = []
    if connection.vendor == "sqlite":
        found = re.search(r"(SCAN|SEARCH) storefront_product(?: USING (COVERING )?INDEX (\w+))?(?: \(([^)]*)\))?", text)
        if found is None:
            return "–"
        how, covering, index, condition = found.groups()
        in_order = "TEMP B-TREE FOR ORDER BY" not in text and "ORDER BY" in sql and "LIMIT" in sql
        if index is None:
            words.append("**full table scan**")
        elif in_order:
            words.append(f"index {index} in sort order: reads rows until OFFSET+LIMIT match")
        elif how == "SCAN" or condition == "is_active=?":
            # An index on is_active alone matches ~97 % of the catalog: it reads (nearly) every row.
            kind = "covering index" if covering else "index"
            words.append(f"{kind} {index} on is_active only: **reads every active row**")
        else:
            words.append(f"{'covering ' if covering else ''}index {index} ({condition})")
        if "TEMP B-TREE FOR ORDER BY" in text:
            words.append("**sorts all matches**")
    else:
        if "Seq Scan on storefront_product" in text:
            words.append("**full table scan**")
        index = re.search(r"(Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)", text)
        if index:
            words.append(f"{index.group(1).lower()} {index.group(2)}")
        if re.search(r"\bSort\b", text):
            words.append("**sorts all matches**")
        elif "LIMIT" in sql and index:
            words.append("in sort order, stops at OFFSET+LIMIT")
    if "LIKE" in sql.upper():
        words.append("LIKE '%…%' tested on each row read")
    return "; ".join(words)


def timed(sql: str, repeat: int = 5) -> float:
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def short(sql: str) -> str:
    """The query's shape without the column list: what decides its plan."""
    shape = re.sub(r"^SELECT .*? FROM", "SELECT … FROM", sql, count=1, flags=re.S)
    shape = re.sub(r"\s+", " ", shape)
    return shape if len(shape) < 260 else shape[:257] + "…"


def catalog_plans() -> list[tuple[str, str, str, str, float]]:
    variants = [(f"sort={sort}", {"sort": sort}) for sort in SORTS]
    variants += [(name, params) for name, params in FILTERS.items() if params]
    variants += [
        ("page=300 (sort=featured)", {"page": "300"}),
        ("page=300 + sort=price", {"page": "300", "sort": "price"}),
        ("q=steel + category + sort=price", {"q": "steel", "category": "kitchen", "sort": "price"}),
        ("brand + size (facets)", FACETED),
    ]
    anonymous = client()
    rows = []
    for name, params in variants:
        cache.clear()  # the facets' grouped counts (one per group) are planned too, as a cold cache runs them
        with CaptureQueriesContext(connection) as captured:
            anonymous.get("/products/", params)
        for query in captured.captured_queries:
            sql = query["sql"]
            if "storefront_product" not in sql:
                continue
            kind = "facet count" if "GROUP BY" in sql.upper() else "count" if "COUNT(" in sql.upper() else "page"
            text = plan(sql)
            rows.append((name, kind, access(sql, text), text, timed(sql)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per scenario (default 15)")
    args = parser.parse_args()
    engine = "SQLite EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "PostgreSQL EXPLAIN"
    print("## Where the time goes (one process, Django test client, no HTTP)")
    print()
    print(
        f"Median of {args.runs} runs per scenario. SQL is the time spent in the database driver's execute(); "
        "Python is the rest of the wall time (view, forms, templates, middleware). CPU is this process's CPU "
        "time, which other load on the machine does not inflate (with SQLite it includes the SQL)."
    )
    print()
    print("| Scenario | wall ms | CPU ms | queries | SQL ms | Python ms | bytes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    # Order confirmations go to the console email backend: keep them out of the report.
    with contextlib.redirect_stdout(io.StringIO()):
        anatomies = [measure(scenario, args.runs) for scenario in in_process_scenarios()]
    for a in anatomies:
        python_ms = a.total_ms - a.sql_ms
        print(
            f"| {a.name} | {a.total_ms:.1f} | {a.cpu_ms:.1f} | {a.queries} | {a.sql_ms:.1f} | {python_ms:.1f} "
            f"| {a.size:,} |"
        )
    print()
    print(f"## Catalog queries ({engine})")
    print()
    print("| Request | Query | Access | ms | Plan |")
    print("| --- | --- | --- | ---: | --- |")
    for name, kind, uses, text, ms in catalog_plans():
        print(f"| {name} | {kind} | {uses} | {ms:.1f} | {text} |")


if __name__ == "__main__":
    main()
