"""The variants migrations (storefront 0006-0007, cart 0003, orders 0004) backwards and forwards on
the demo catalog with a cart and an order. Here, since it needs all three apps' factories."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cart.tests.factories import make_cart, make_line
from orders.tests.factories import make_order
from storefront.models import Product
from storefront.tests.test_migrations import migrate

BEFORE_VARIANTS = [
    ("storefront", "0005_product_image_size"),
    ("cart", "0002_cart_last_add_token"),
    ("orders", "0004_order_language"),
]
WITH_VARIANTS = [
    ("storefront", "0007_default_variants"),
    ("cart", "0003_cart_line_variant"),
    ("orders", "0005_order_line_variant"),
]


def stock_figures(apps):
    Product = apps.get_model("storefront", "Product")
    return dict(Product.objects.values_list("pk", "stock_quantity")), list(
        Product.objects.order_by("pk").values_list("pk", "price", "slug")
    )


@pytest.mark.django_db(transaction=True)
def test_the_demo_catalog_survives_the_variants_migration_backwards_and_forwards():
    """Every product gets one default variant holding its stock at the product's price; a cart line
    and an order line move to it; going back puts the variants' stock on the products, nothing lost."""
    call_command("seed_catalog", products=40, no_images=True, stdout=StringIO())
    kettle, mug = Product.objects.filter(is_active=True, stock_quantity__gte=5).order_by("pk")[:2]
    make_order(lines=[(kettle, 2)])
    make_line(cart=make_cart(), product=mug, quantity=3)
    try:
        stock_now, products_now = stock_figures(migrate(WITH_VARIANTS))

        old = migrate(BEFORE_VARIANTS)
        assert stock_figures(old) == (stock_now, products_now)  # the default variants' stock is back on the products
        assert old.get_model("cart", "CartLine").objects.get().product_id == mug.pk
        assert old.get_model("orders", "OrderLine").objects.get().product_id == kettle.pk

        new = migrate(WITH_VARIANTS)
        Variant = new.get_model("storefront", "Variant")
        assert stock_figures(new) == (stock_now, products_now)
        variants = list(Variant.objects.values_list("product_id", "sku", "price", "stock_quantity", "is_active"))
        assert len(variants) == len(products_now)  # one default variant for every product
        slugs = {pk: slug for pk, _, slug in products_now}
        assert {(pk, sku, price, stock, active) for pk, sku, price, stock, active in variants} == {
            (pk, slugs[pk], None, stock_now[pk], True) for pk in stock_now
        }
        assert not Variant.objects.filter(option_values__isnull=False).exists()
        default = dict(Variant.objects.values_list("product_id", "pk"))
        line = new.get_model("cart", "CartLine").objects.get()
        assert line.variant_id == default[mug.pk]
        ordered = new.get_model("orders", "OrderLine").objects.get()
        assert (ordered.variant_id, ordered.sku) == (default[kettle.pk], slugs[kettle.pk])
        movements = new.get_model("storefront", "StockMovement").objects.all()
        assert movements.exists()
        assert all(movement.variant_id == default[movement.product_id] for movement in movements)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
