import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("storefront", "0003_product_category_index")]
AFTER = [("storefront", "0004_stock_movement")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_stock_log_starts_with_every_existing_products_stock():
    old = migrate(BEFORE)
    Category, Product = old.get_model("storefront", "Category"), old.get_model("storefront", "Product")  # noqa: N806
    tools = Category.objects.create(name="Tools", slug="tools")
    kettle = Product.objects.create(category=tools, name="Kettle", slug="kettle", price="10.00", stock_quantity=7)
    Product.objects.create(category=tools, name="Mug", slug="mug", price="3.00", stock_quantity=0)
    try:
        new = migrate(AFTER)
        movements = new.get_model("storefront", "StockMovement").objects.values_list(
            "product_id", "kind", "change", "stock_after", "note"
        )
        assert list(movements) == [(kettle.pk, "adjustment", 7, 7, "Opening stock")]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
