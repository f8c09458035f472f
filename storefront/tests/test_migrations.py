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


@pytest.mark.django_db(transaction=True)
def test_pictures_migration_backwards_and_forwards_on_the_demo_catalog():
    """Backwards each product's first picture becomes its `image`; forwards every `image` becomes the
    product's one picture, its alt text the name, its size read from the file."""
    from io import StringIO

    from django.core.management import call_command

    from storefront.models import ProductPicture

    call_command("seed_catalog", products=12, stdout=StringIO())
    firsts = {p.product_id: p.image.name for p in ProductPicture.objects.firsts()}
    assert len(firsts) == 12
    try:
        old = migrate([("storefront", "0007_default_variants")])
        images = dict(old.get_model("storefront", "Product").objects.values_list("pk", "image"))
        assert images == firsts

        new = migrate([("storefront", "0008_product_pictures")])
        Product = new.get_model("storefront", "Product")
        pictures = new.get_model("storefront", "ProductPicture").objects.values_list(
            "product_id", "image", "position", "alt_text", "width", "height", "colour_id"
        )
        names = dict(Product.objects.values_list("pk", "name"))
        assert sorted(pictures) == sorted((pk, firsts[pk], 0, names[pk], 640, 480, None) for pk in firsts)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
