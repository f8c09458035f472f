"""The catalog reads storefront_product through an index for every sort order and filter, and
the orders shown without a narrowing filter come out of an index already sorted, so a page
never waits for every matching row to be sorted (bench/README.md, "Which catalog queries use
an index").

On SQLite, EXPLAIN QUERY PLAN: no step scans the table without an index, and no
"USE TEMP B-TREE FOR ORDER BY" where the order should come from an index. The shop never runs
ANALYZE on SQLite, so the planner decides here, on a few dozen rows, as it does on the real
catalog. On PostgreSQL, whose planner rightly prefers reading a small table whole, the same
questions are asked with sequential scans (and, for the sorted cases, sorts) made prohibitively
expensive: is there an index that serves the query?
"""

import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from storefront.models import Product, ProductPicture

from .factories import make_category, make_product, make_variant

pytestmark = pytest.mark.django_db

LIST_URL = reverse("storefront:product_list")
DEEP_PAGE = 3
TABLE = "storefront_product"

IN_INDEX_ORDER = True  # the page comes out of an index in the requested order, with no sort step
MAY_SORT = False  # a narrowing filter: an index finds the rows, sorting what it found may be cheaper


def case(label: str, params: dict[str, str], sorted_by_index: bool, narrowed_by: str = ""):
    """narrowed_by: the column whose index condition must narrow the count (what the filter filters
    on). Search has none: no B-tree index serves LIKE '%word%', so its words are tested on every
    row the other conditions leave (bench/README.md, finding 3); only an unindexed scan fails it."""
    return pytest.param(params, sorted_by_index, narrowed_by, id=label)


CASES = [
    case("sort=featured (default)", {}, IN_INDEX_ORDER),
    case("sort=price", {"sort": "price"}, IN_INDEX_ORDER),
    case("sort=-price", {"sort": "-price"}, IN_INDEX_ORDER),
    case("sort=name", {"sort": "name"}, IN_INDEX_ORDER),
    case("sort=newest", {"sort": "newest"}, IN_INDEX_ORDER),
    case("in_stock=on", {"in_stock": "on"}, IN_INDEX_ORDER, "out_of_stock"),
    case(f"page={DEEP_PAGE}", {"page": str(DEEP_PAGE)}, IN_INDEX_ORDER),
    case(f"page={DEEP_PAGE}+sort=price", {"page": str(DEEP_PAGE), "sort": "price"}, IN_INDEX_ORDER),
    case(f"page={DEEP_PAGE}+in_stock=on", {"page": str(DEEP_PAGE), "in_stock": "on"}, IN_INDEX_ORDER, "out_of_stock"),
    case("q=steel", {"q": "steel"}, MAY_SORT),
    case("category=kitchen", {"category": "kitchen"}, MAY_SORT, "category_id"),
    case("min_price=5+max_price=50", {"min_price": "5", "max_price": "50"}, MAY_SORT, "price"),  # sorts its matches
    case("brand=acme", {"brand": "acme"}, MAY_SORT, "brand"),
    case("size=m", {"size": "m"}, IN_INDEX_ORDER),  # the variants with M found first, by their index
    case("brand=acme+size=m+colour=blue", {"brand": "acme", "size": "m", "colour": "blue"}, MAY_SORT, "brand"),
    case(
        "q=steel+category=kitchen+sort=price",
        {"q": "steel", "category": "kitchen", "sort": "price"},
        MAY_SORT,
        "category_id",
    ),
]


@pytest.fixture
def catalog() -> None:
    """Enough products in stock for page DEEP_PAGE even with in_stock=on, in two categories,
    with some out of stock; every product of brand Acme or Borealis, and every third in sizes and colours."""
    kitchen, garden = make_category(slug="kitchen"), make_category(slug="garden")
    for n in range(DEEP_PAGE * settings.CATALOG_PAGE_SIZE + 6):
        product = make_product(
            category=kitchen if n % 2 else garden,
            name=f"Steel kettle {n}" if n % 3 else f"Copper pan {n}",
            price=10 + n,
            stock_quantity=0 if n % 10 == 0 else 5,
            brand="Acme" if n % 4 else "Borealis",
        )
        if n % 3 == 0:
            for size in ("S", "M"):
                make_variant(product, ("Size", size), ("Colour", "Blue" if n % 2 else "Red"))


def catalog_statements(client: Client, params: dict[str, Any] | None = None) -> tuple[Any, list[tuple[str, Any]]]:
    """The catalog's answer and every statement it sent, with its parameters as the driver got them."""
    sent = []

    def record(execute, sql, sql_params, many, context):
        sent.append((sql, sql_params))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(LIST_URL, params or {})
    return response, sent


def sqlite_plan(sql: str, sql_params: Any) -> list[str]:
    """The steps of SQLite's EXPLAIN QUERY PLAN for a statement."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, sql_params)
        return [row[3] for row in cursor.fetchall()]


def product_queries(client: Client, params: dict[str, str]) -> list[tuple[str, object]]:
    """The statements the catalog view sent that read storefront_product, with their parameters.

    Recorded with an execute wrapper rather than CaptureQueriesContext, whose "sql" has the
    parameters inlined for display: here we keep the statement and the parameters exactly as the
    database driver got them, so EXPLAIN plans the very query the view ran, with bound parameters
    as in production, and nothing is rebuilt beside the view (form, paginator) that could drift
    from what it does.
    """
    client.get(LIST_URL, params)  # the facets' counts cached (facet_count_queries plans them cold)
    response, sent = catalog_statements(client, params)
    assert response.status_code == 200
    assert response.context["page_obj"].number == int(params.get("page", 1))
    assert len(response.context["page_obj"]) > 0
    return [(sql, sql_params) for sql, sql_params in sent if f'"{TABLE}"' in sql]


def count_and_page(client: Client, params: dict[str, str]) -> list[tuple[str, Any]]:
    queries = product_queries(client, params)
    kinds = ["count" if "COUNT(" in sql else "page" for sql, _ in queries]
    assert kinds == ["count", "page"], queries
    return queries


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize(("params", "sorted_by_index", "narrowed_by"), CASES)
def test_sqlite_reads_products_through_an_index(client, catalog, params, sorted_by_index, narrowed_by):
    for sql, sql_params in count_and_page(client, params):
        steps = sqlite_plan(sql, sql_params)
        reads = [step for step in steps if re.match(rf"(SCAN|SEARCH) {TABLE}\b", step)]
        assert reads, steps
        assert all(" USING " in step for step in reads), f"a step reads {TABLE} without an index: {steps}"
        if sorted_by_index:
            assert "USE TEMP B-TREE FOR ORDER BY" not in steps, f"sorts every match instead of using an index: {steps}"
        if narrowed_by and "COUNT(" in sql:
            conditions = " ".join(re.findall(r"\((.*)\)$", " ".join(reads)))
            assert re.search(rf"\b{narrowed_by}[=<>]", conditions), (
                f"the index does not narrow by {narrowed_by}: {steps}"
            )


def plan_nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in plan_nodes(child))]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN (FORMAT JSON) here is PostgreSQL's")
@pytest.mark.parametrize(("params", "sorted_by_index", "narrowed_by"), CASES)
def test_postgresql_can_serve_the_catalog_from_an_index(client, catalog, params, sorted_by_index, narrowed_by):
    for sql, sql_params in count_and_page(client, params):
        with connection.cursor() as cursor:
            # Until the test's transaction is rolled back; every query of one case asks the same.
            cursor.execute("SET LOCAL enable_seqscan = off")
            if sorted_by_index:
                cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, sql_params)
            nodes = plan_nodes(cursor.fetchone()[0][0]["Plan"])
        reads = [node for node in nodes if node.get("Relation Name") == TABLE]
        types = [node["Node Type"] for node in nodes]
        assert reads, types
        assert not [node for node in reads if node["Node Type"] == "Seq Scan"], f"a seq scan of {TABLE}: {types}"
        if sorted_by_index and "ORDER BY" in sql:
            sorts = {"Sort", "Incremental Sort"} & set(types)
            assert not sorts, f"sorts every match instead of using an index: {types}"
        if narrowed_by and "COUNT(" in sql:
            conditions = " ".join(node.get("Index Cond", "") + node.get("Recheck Cond", "") for node in nodes)
            assert re.search(rf"\b{narrowed_by}\b", conditions), (
                f"the index does not narrow by {narrowed_by}: {conditions}"
            )


FACET_TABLES = ("storefront_product", "storefront_variant", "storefront_variant_option_values")
FACET_CASES = [
    pytest.param({}, id="no filter"),
    pytest.param({"brand": "acme", "size": "m"}, id="brand=acme+size=m"),
    pytest.param({"category": "kitchen", "size": ["s", "m"], "colour": "blue", "in_stock": "on"}, id="four filters"),
]


def facet_count_queries(client: Client, params: dict[str, Any]) -> list[tuple[str, Any]]:
    """The facets' grouped counts (storefront/facets.py) on a cold cache: one per group."""
    response, sent = catalog_statements(client, params)
    assert response.status_code == 200
    counts = [(sql, p) for sql, p in sent if re.search(r'AS "(brand|optionvalue_id)", COUNT', sql)]
    assert len(counts) == 3, [sql for sql, _ in sent]  # brand, size, colour
    return counts


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("params", FACET_CASES)
def test_sqlite_counts_facets_through_indexes(client, catalog, params):
    for sql, sql_params in facet_count_queries(client, params):
        steps = sqlite_plan(sql, sql_params)
        reads = [step for step in steps if re.match(rf"(SCAN|SEARCH) ({'|'.join(FACET_TABLES)})\b", step)]
        assert reads, steps
        assert all(" USING " in step for step in reads), f"a step reads a table without an index: {steps}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN (FORMAT JSON) here is PostgreSQL's")
@pytest.mark.parametrize("params", FACET_CASES)
def test_postgresql_can_count_facets_from_indexes(client, catalog, params):
    for sql, sql_params in facet_count_queries(client, params):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, sql_params)
            nodes = plan_nodes(cursor.fetchone()[0][0]["Plan"])
        seq = [node["Relation Name"] for node in nodes if node["Node Type"] == "Seq Scan"]
        assert not [table for table in seq if table in FACET_TABLES], f"a seq scan of {seq}"


def card_picture_queries(client: Client) -> list[tuple[str, Any]]:
    """The statement that loads the cards' first pictures (storefront.models.first_pictures)."""
    for product in Product.objects.all():
        for position in range(3):
            ProductPicture.objects.create(
                product=product, position=position, image=f"products/{product.pk}-{position}.png"
            )
    response, sent = catalog_statements(client)
    assert all(card.first_picture.position == 0 for card in response.context["page_obj"])
    queries = [(sql, params) for sql, params in sent if 'FROM "storefront_productpicture"' in sql]
    assert len(queries) == 1, queries
    return queries


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_sqlite_finds_each_cards_first_picture_through_its_index(client, catalog):
    ((sql, sql_params),) = card_picture_queries(client)
    steps = sqlite_plan(sql, sql_params)
    reads = [step for step in steps if re.match(r"(SCAN|SEARCH) (storefront_productpicture|U0)\b", step)]
    assert len(reads) == 2, steps
    assert all("USING" in step and "picture_product_position" in step for step in reads), steps
    assert not [step for step in steps if "TEMP B-TREE" in step], steps


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN (FORMAT JSON) here is PostgreSQL's")
def test_postgresql_can_find_each_cards_first_picture_from_its_index(client, catalog):
    ((sql, sql_params),) = card_picture_queries(client)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, sql_params)
        nodes = plan_nodes(cursor.fetchone()[0][0]["Plan"])
    assert not [node for node in nodes if node["Node Type"] == "Seq Scan"], nodes
