"""Cart lines point at a variant: each existing line at its product's default variant."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
import django.db.models.deletion


def forwards(apps, schema_editor):
    CartLine = apps.get_model("cart", "CartLine")  # noqa: N806
    Variant = apps.get_model("storefront", "Variant")  # noqa: N806
    default = Variant.objects.filter(product_id=OuterRef("product_id")).order_by("position", "pk").values("pk")[:1]
    CartLine.objects.using(schema_editor.connection.alias).update(variant_id=Subquery(default))


class Migration(migrations.Migration):
    dependencies = [
        ("cart", "0002_cart_last_add_token"),
        ("storefront", "0007_default_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="cartline",
            name="variant",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="storefront.variant"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="cartline",
            name="variant",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="storefront.variant"),
        ),
        migrations.RemoveConstraint(model_name="cartline", name="cart_line_one_per_product"),
        migrations.AddConstraint(
            model_name="cartline",
            constraint=models.UniqueConstraint(fields=("cart", "variant"), name="cart_line_one_per_variant"),
        ),
    ]
