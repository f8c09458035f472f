"""Every product gets its default variant, which takes over the product's stock.

The variant's price stays NULL ("the product's price"), which is the same price, so prices need
not move. The product's stock_quantity stays as it was: from now on it is the sum of its active
variants' stock, and with one variant holding all of it that sum is the same number. The stock
history is attached to the default variant. Backwards, the default variant's stock is put back on
the product (which still holds it) and the variants go.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

BATCH = 1000


def default_sku(slug: str, pk: int, taken: set[str]) -> str:
    return slug if slug not in taken else f"{slug}-{pk}"


def forwards(apps, schema_editor):
    Product = apps.get_model("storefront", "Product")  # noqa: N806
    Variant = apps.get_model("storefront", "Variant")  # noqa: N806
    StockMovement = apps.get_model("storefront", "StockMovement")  # noqa: N806
    db = schema_editor.connection.alias
    taken = set(Variant.objects.using(db).values_list("sku", flat=True))
    without = Product.objects.using(db).filter(variants__isnull=True).order_by("pk")
    batch = []
    for pk, slug, stock in without.values_list("pk", "slug", "stock_quantity").iterator(chunk_size=BATCH):
        sku = default_sku(slug, pk, taken)
        taken.add(sku)
        batch.append(Variant(product_id=pk, sku=sku, price=None, stock_quantity=stock, is_active=True))
        if len(batch) >= BATCH:
            Variant.objects.using(db).bulk_create(batch)
            batch = []
    Variant.objects.using(db).bulk_create(batch)
    first_variant = Variant.objects.using(db).filter(product_id=OuterRef("product_id")).order_by("pk").values("pk")[:1]
    StockMovement.objects.using(db).filter(variant__isnull=True).update(variant_id=Subquery(first_variant))


def backwards(apps, schema_editor):
    Product = apps.get_model("storefront", "Product")  # noqa: N806
    Variant = apps.get_model("storefront", "Variant")  # noqa: N806
    db = schema_editor.connection.alias
    # The product's stock is the sum of its active variants': exactly its default variant's stock
    # for a product that has only that one.
    total = (
        Variant.objects.using(db)
        .filter(product_id=OuterRef("pk"), is_active=True)
        .values("product_id")
        .annotate(total=Sum("stock_quantity"))
        .values("total")
    )
    Product.objects.using(db).update(stock_quantity=Coalesce(Subquery(total), 0))
    Variant.objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("storefront", "0006_variants"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
