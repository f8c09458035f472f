"""Order lines keep their variant (each existing line its product's default variant) and its SKU."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
import django.db.models.deletion


def forwards(apps, schema_editor):
    OrderLine = apps.get_model("orders", "OrderLine")  # noqa: N806
    Variant = apps.get_model("storefront", "Variant")  # noqa: N806
    default = Variant.objects.filter(product_id=OuterRef("product_id")).order_by("position", "pk")
    OrderLine.objects.using(schema_editor.connection.alias).update(
        variant_id=Subquery(default.values("pk")[:1]), sku=Subquery(default.values("sku")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_order_language"),
        ("storefront", "0007_default_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="variant",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                to="storefront.variant",
            ),
        ),
        migrations.AddField(
            model_name="orderline",
            name="options_text",
            field=models.CharField(blank=True, help_text="The variant's options: Size M, Colour Blue.", max_length=200),
        ),
        migrations.AddField(
            model_name="orderline",
            name="sku",
            field=models.CharField(blank=True, max_length=255, verbose_name="SKU"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="orderline", name="order_line_one_per_product"),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.UniqueConstraint(fields=("order", "variant"), name="order_line_one_per_variant"),
        ),
    ]
