"""Several pictures per product: every product's `image` becomes its first ProductPicture (alt text
the product's name, size read from the file), then `Product.image` goes. Backwards, each product's
first picture becomes its `image` again (its other pictures are lost with the table).

Self-contained: the size is read here, not with the app's code, which may change after this."""

import re

import django.core.validators
import django.db.models.deletion
import storefront.models
from django.db import migrations, models

SVG_BOX = re.compile(rb'viewBox="[\d.]+[ ,]+[\d.]+[ ,]+([\d.]+)[ ,]+([\d.]+)"')


def picture_size(storage, name):
    """(width, height) of a stored picture; (0, 0) when it cannot be read (the pages then assume 4:3)."""
    try:
        with storage.open(name) as file:
            data = file.read()
    except OSError:
        return 0, 0
    if name.lower().endswith(".svg"):
        match = SVG_BOX.search(data[:2000])
        return (round(float(match[1])), round(float(match[2]))) if match else (640, 480)
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return 0, 0


def images_to_pictures(apps, schema_editor):
    from django.core.files.storage import default_storage

    Product = apps.get_model("storefront", "Product")  # noqa: N806
    ProductPicture = apps.get_model("storefront", "ProductPicture")  # noqa: N806
    pictures = []
    for product_id, name, image in Product.objects.exclude(image="").values_list("pk", "name", "image").iterator():
        width, height = picture_size(default_storage, image)
        pictures.append(
            ProductPicture(product_id=product_id, position=0, image=image, alt_text=name[:200], width=width, height=height)
        )
    ProductPicture.objects.bulk_create(pictures, batch_size=500)


def pictures_to_images(apps, schema_editor):
    Product = apps.get_model("storefront", "Product")  # noqa: N806
    ProductPicture = apps.get_model("storefront", "ProductPicture")  # noqa: N806
    firsts = {}
    for product_id, image in ProductPicture.objects.order_by("product_id", "-position", "-id").values_list(
        "product_id", "image"
    ):
        firsts[product_id] = image  # the last one written per product is its first by position
    products = list(Product.objects.filter(pk__in=firsts).only("pk"))
    for product in products:
        product.image = firsts[product.pk][:100]
    Product.objects.bulk_update(products, ["image"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('storefront', '0007_default_variants'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProductPicture',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('image', models.FileField(max_length=200, upload_to='products/', validators=[django.core.validators.FileExtensionValidator(['jpg', 'jpeg', 'png', 'webp', 'svg']), storefront.models.validate_image_size])),
                ('alt_text', models.CharField(help_text='What the picture shows, for people who cannot see it: “Blue Trail Runner, side view”.', max_length=200)),
                ('width', models.PositiveIntegerField(default=0, editable=False)),
                ('height', models.PositiveIntegerField(default=0, editable=False)),
                ('renditions', models.JSONField(blank=True, default=list, editable=False)),
                ('colour', models.ForeignKey(blank=True, help_text='Empty: the picture shows every variant.', limit_choices_to={'option_type__kind': 'colour'}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='pictures', to='storefront.optionvalue')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pictures', to='storefront.product')),
            ],
            options={
                'ordering': ['product_id', 'position', 'id'],
                'indexes': [models.Index(fields=['product', 'position', 'id'], name='picture_product_position')],
            },
        ),
        migrations.RunPython(images_to_pictures, pictures_to_images, elidable=False),
        migrations.RemoveField(
            model_name='product',
            name='image',
        ),
    ]
