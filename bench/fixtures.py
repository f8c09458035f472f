"""Facts about the freshly seeded bench database, and the carts the order scenario consumes.

python -m bench.fixtures --order-carts 3000   (run by bench/run.py with the bench environment)

Prints one JSON object. Placing an order empties a cart, so every order request needs a cart
of its own: they are created here in bulk, with the shop's own models and session store, as
guest carts of three lines each, one per session. Everything else the bench needs (shopper
sessions with a CSRF token, 10-line carts) it gets over HTTP like a browser would.
"""

import argparse
import json
import os
import random
import sys
from decimal import Decimal
from importlib import import_module

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402

from cart.models import Cart, CartLine  # noqa: E402
from cart.services import CART_SESSION_KEY  # noqa: E402
from storefront.models import Product, Variant  # noqa: E402

LINES_PER_ORDER = 3


def database_description() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file {connection.settings_dict['NAME']})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"PostgreSQL {version} (database {connection.settings_dict['NAME']})"


@transaction.atomic
def order_carts(count: int, exclude: set[int]) -> list[dict[str, str]]:
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    # One variant per product, the one with the most stock (at least 30), so that every cart stays
    # orderable: the demo's apparel and shoes sell several sizes and colours.
    rows = (
        Variant.objects.filter(product__in=Product.objects.available(), is_active=True, stock_quantity__gte=30)
        .exclude(product_id__in=exclude)
        .annotate(unit_price=Coalesce("price", "product__price"))
        .order_by("product_id", "-stock_quantity", "id")
        .values_list("product_id", "unit_price", "id")
    )
    first_per_product: dict[int, tuple[int, Decimal, int]] = {}
    for product_id, price, pk in rows:
        first_per_product.setdefault(product_id, (product_id, price, pk))
    candidates = list(first_per_product.values())
    rng = random.Random(7)  # noqa: S311 - the same carts every run, not a secret
    carts = Cart.objects.bulk_create(Cart() for _ in range(count))
    lines, subtotals = [], []
    for cart in carts:
        chosen = rng.sample(candidates, LINES_PER_ORDER)
        lines += [CartLine(cart=cart, product_id=pk, variant_id=variant, quantity=1) for pk, _, variant in chosen]
        subtotals.append(sum((price for _, price, _ in chosen), Decimal("0.00")))
    CartLine.objects.bulk_create(lines)
    sessions = []
    for cart, subtotal in zip(carts, subtotals, strict=True):
        store = store_class()
        store[CART_SESSION_KEY] = cart.pk
        store.create()
        sessions.append({"session_key": store.session_key, "subtotal": str(subtotal)})
    return sessions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--order-carts", type=int, default=3000)
    args = parser.parse_args()

    available = Product.objects.available()
    first_page = list(
        available.sorted_by("featured").values("id", "slug", "stock_quantity")[: settings.CATALOG_PAGE_SIZE]
    )
    # Adds to cart name no variant: they use products that sell one (apparel and shoes sell sizes).
    sells_one = available.filter(option_types__isnull=True)
    with_options = set(Product.option_types.through.objects.values_list("product_id", flat=True))
    for row in first_page:
        row["sells_one"] = row["id"] not in with_options
    # Products whose line a shopper can raise to the 99 cap: add-to-cart stays a real add.
    high_stock = list(sells_one.filter(stock_quantity__gte=99).order_by("id").values_list("id", flat=True)[:200])
    cart_products = list(
        sells_one.filter(stock_quantity__gte=20)
        .exclude(pk__in=high_stock)
        .order_by("-id")
        .values_list("id", flat=True)[:100]
    )
    slugs = list(available.order_by("id").values_list("slug", flat=True)[::40][:250])
    exclude = {row["id"] for row in first_page} | set(high_stock) | set(cart_products)
    facts = {
        "database": database_description(),
        "products": Product.objects.count(),
        "available": available.count(),
        "first_page": first_page,
        "high_stock": high_stock,
        "cart_products": cart_products,
        "product_slugs": slugs,
        "order_sessions": order_carts(args.order_carts, exclude),
    }
    if connection.vendor == "postgresql":
        # What autovacuum does a minute after the seed (statistics, and the visibility map that index-only
        # scans need), done now so that no plan changes in the middle of a run.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    json.dump(facts, sys.stdout)


if __name__ == "__main__":
    main()
