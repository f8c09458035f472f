import math
import statistics
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Sum
from PIL import Image

from storefront.demo_pictures import product_png
from storefront.management.commands.seed_catalog import CATEGORIES, TIERS
from storefront.models import Category, OptionType, OptionValue, Product, ProductPicture, StockMovement, Variant

pytestmark = pytest.mark.django_db

WITH_OPTIONS = ("apparel", "shoes")


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_catalog", stdout=out, **options)
    return out.getvalue()


def catalog() -> list[tuple]:
    return list(
        Product.objects.order_by("slug").values_list(
            "name",
            "slug",
            "category__slug",
            "brand",
            "price",
            "stock_quantity",
            "is_active",
            "created_at",
            "description",
        )
    ) + list(
        Variant.objects.order_by("sku").values_list("sku", "product__slug", "price", "stock_quantity", "options_text")
    )


def test_builds_the_requested_number_of_products_with_pictures_and_renditions():
    assert "60 products" in seed(products=60)
    assert Product.objects.count() == 60
    assert Category.objects.count() >= 5
    product = Product.objects.filter(option_types__isnull=True).order_by("id").first()
    pictures = list(ProductPicture.objects.filter(product=product))
    assert [p.alt_text for p in pictures] == [f"{product.name}, front view", f"{product.name}, side view"]
    first = pictures[0]
    assert first.image.name.startswith("products/demo/")
    assert first.image.name.endswith(".png")
    with default_storage.open(str(first.image.name)) as image, Image.open(image) as drawn:
        assert (drawn.format, drawn.size) == ("PNG", (640, 480))
    assert (first.width, first.height) == (640, 480)
    webp = [r for r in first.renditions if r["format"] == "WEBP"]
    assert [(r["width"], r["height"]) for r in webp] == [(640, 480), (320, 240), (160, 120), (80, 60)]
    with default_storage.open(webp[1]["name"]) as file, Image.open(file) as rendition:
        assert (rendition.format, rendition.size) == ("WEBP", (320, 240))


def test_identical_drawings_are_one_file():
    seed(products=300)
    pictures = ProductPicture.objects.order_by()
    assert pictures.values("image").distinct().count() < pictures.count() / 2


def test_a_product_in_colours_has_front_and_side_views_of_each_colour_belonging_to_it():
    seed(products=18)
    product = Product.objects.filter(category__slug="apparel").first()
    colours = set(OptionValue.objects.filter(variants__product=product, option_type__name="Colour"))
    pictures = list(ProductPicture.objects.filter(product=product).select_related("colour"))
    assert len(pictures) == 2 * len(colours) >= 4
    assert {p.colour for p in pictures} == colours
    assert all(p.alt_text.startswith(f"{p.colour.value} {product.name}, ") for p in pictures)


def test_every_seeded_stock_is_explained_by_its_opening_movement():
    seed(products=60, no_images=True)
    opening = dict(StockMovement.objects.values_list("variant_id", "stock_after"))
    stock = dict(Variant.objects.filter(stock_quantity__gt=0).values_list("id", "stock_quantity"))
    assert stock
    assert opening == stock
    assert all(m.product_id == m.variant.product_id for m in StockMovement.objects.select_related("variant"))


def test_products_without_options_sell_one_default_variant_holding_their_stock():
    seed(products=90, no_images=True)
    plain = Product.objects.exclude(category__slug__in=WITH_OPTIONS)
    variants = list(
        Variant.objects.filter(product__in=plain).values_list(
            "product_id", "sku", "price", "stock_quantity", "is_active"
        )
    )
    products = {pk: (slug, stock) for pk, slug, stock in plain.values_list("pk", "slug", "stock_quantity")}
    assert sorted(pk for pk, *_ in variants) == sorted(products)  # exactly one each
    assert all((sku, stock) == products[pk] and price is None and active for pk, sku, price, stock, active in variants)
    assert not Variant.objects.filter(product__in=plain, option_values__isnull=False).exists()
    assert not plain.filter(option_types__isnull=False).exists()


def test_apparel_and_shoes_sell_sizes_and_colours_with_their_own_skus_and_stock():
    seed(products=180, no_images=True)
    sizes = {"apparel": {"XS", "S", "M", "L", "XL", "XXL"}, "shoes": {str(n) for n in range(38, 47)}}
    colours = dict(OptionValue.objects.filter(option_type__name="Colour").values_list("value", "swatch"))
    assert len(colours) >= 5
    assert all(swatch.startswith("#") for swatch in colours.values())
    for category in WITH_OPTIONS:
        products = Product.objects.filter(category__slug=category).prefetch_related(
            "option_types", "variants__option_values__option_type"
        )
        assert len(products) == 20
        for product in products:
            assert [t.name for t in product.option_types.all()] == ["Size", "Colour"]
            variants = list(product.variants.all())
            assert 1 < len(variants) <= 100
            assert product.stock_quantity == sum(v.stock_quantity for v in variants if v.is_active)
            for variant in variants:
                values = {v.option_type.name: v.value for v in variant.option_values.all()}
                assert set(values) == {"Size", "Colour"}
                assert values["Size"] in sizes[category]
                assert values["Colour"] in colours
                assert variant.sku == f"{product.slug}-{values['Size'].lower()}-{values['Colour'].lower()}"
                assert variant.options_text == variant.describe_options()
                assert variant.price is None or product.price < variant.price <= product.price + 5
    sized = Variant.objects.filter(product__category__slug__in=WITH_OPTIONS)
    assert sized.filter(stock_quantity=0).exists(), "some combinations are sold out"
    assert sized.filter(price__isnull=False).exists(), "some sizes cost more"
    assert sized.filter(stock_quantity__gte=6).exists()
    missing = sum(
        len({v.option_values.get(option_type__name="Size").pk for v in p.variants.all()})
        * len({v.option_values.get(option_type__name="Colour").pk for v in p.variants.all()})
        - p.variants.count()
        for p in Product.objects.filter(category__slug__in=WITH_OPTIONS)
    )
    assert missing > 0, "some products do not sell every combination of their sizes and colours"
    assert Variant.objects.values("sku").distinct().count() == Variant.objects.count()


def test_every_product_stock_is_the_sum_of_its_active_variants():
    seed(products=120, no_images=True)
    sums = dict(
        Variant.objects.filter(is_active=True)
        .values("product_id")
        .annotate(total=Sum("stock_quantity"))
        .values_list("product_id", "total")
    )
    assert dict(Product.objects.values_list("pk", "stock_quantity")) == sums
    assert Variant.objects.count() > Product.objects.count() * 2


def test_seeding_again_reuses_the_option_types_and_values():
    seed(products=20, no_images=True)
    before = list(OptionValue.objects.values_list("pk", "option_type__name", "value", "swatch"))
    seed(products=20, no_images=True, replace=True)
    assert list(OptionValue.objects.values_list("pk", "option_type__name", "value", "swatch")) == before
    assert OptionType.objects.count() == 2


def test_prices_fit_the_kind_of_product_and_its_material():
    seed(products=900, no_images=True)
    kinds = {kind.noun: kind for spec in CATEGORIES for kind in spec.kinds}
    positions: dict[str, list[float]] = {"dear": [], "cheap": []}
    for name, price in Product.objects.values_list("name", "price"):
        noun = next(noun for noun in kinds if name.split(" No. ")[0].endswith(noun))
        low, high = kinds[noun].price_range
        assert low < price <= high, (name, price)
        assert str(price).endswith((".99", ".95", ".00"))
        tier = next((t for material, t in TIERS.items() if material.title() in name), 0.5)
        if tier >= 0.8 or tier <= 0.3:
            position = math.log(float(price) / low) / math.log(high / low)
            positions["dear" if tier >= 0.8 else "cheap"].append(position)
    assert statistics.mean(positions["dear"]) > statistics.mean(positions["cheap"]) + 0.3
    mugs = Product.objects.filter(name__contains="Camping Mug")
    assert all(mug.price <= 40 for mug in mugs)


def test_brands_belong_to_their_category_and_descriptions_vary():
    seed(products=270, no_images=True)
    brands = {spec.name: set(spec.brands) for spec in CATEGORIES}
    seen: dict[str, set[str]] = {}
    for category, brand in Product.objects.values_list("category__name", "brand"):
        assert brand in brands[category]
        seen.setdefault(category, set()).add(brand)
    assert all(len(names) >= 3 for names in seen.values())
    descriptions = list(Product.objects.values_list("description", flat=True))
    assert len(set(descriptions)) > 0.9 * len(descriptions)
    openings = {description.split(".")[0].split(":")[0] for description in descriptions}
    assert len(openings) > 50


def test_pictures_are_drawn_per_kind_and_colour_the_same_every_time():
    assert len({product_png(shape, colour) for shape in ("mug", "tshirt") for colour in ("#b3261e", "#1f3a5f")}) == 4
    assert product_png("mug", "#b3261e") == product_png("mug", "#b3261e")
    assert product_png("mug", "#b3261e") != product_png("mug", "#b3261e", view="side")


def test_the_same_seed_gives_the_same_catalog_and_another_seed_does_not():
    seed(products=40, seed=7)
    first = catalog()
    seed(products=40, seed=7, replace=True)
    assert catalog() == first
    seed(products=40, seed=8, replace=True)
    assert catalog() != first


def test_the_catalog_is_believable():
    seed(products=300, no_images=True)
    products = Product.objects.all()
    assert len({p.slug for p in products}) == 300
    assert len({p.name for p in products}) == 300
    assert products.filter(stock_quantity=0).exists(), "some products are out of stock"
    assert products.filter(stock_quantity__range=(1, 5)).exists(), "some products are nearly gone"
    assert products.filter(is_active=False).count() < 30
    assert all(p.price > 0 and p.description for p in products)
    assert Category.objects.filter(products__isnull=True).count() == 0
    for name in (p.name for p in products):  # "Organic Cotton Cap", never "Organic Organic Cotton Cap"
        words = name.lower().split()
        assert len(set(words)) == len(words), name


def test_if_empty_keeps_an_existing_catalog():
    seed(products=10)
    before = catalog()
    assert "nothing to do" in seed(products=50, if_empty=True)
    assert catalog() == before


def test_refuses_to_add_a_second_catalog_without_replace():
    seed(products=10)
    with pytest.raises(CommandError, match="--replace"):
        seed(products=10)
    assert Product.objects.count() == 10


def test_replace_removes_pictures_of_products_that_are_gone():
    seed(products=20, seed=1)
    old_images = set(ProductPicture.objects.values_list("image", flat=True))
    seed(products=5, seed=2, replace=True)
    new_images = set(ProductPicture.objects.values_list("image", flat=True))
    assert new_images
    assert all(default_storage.exists(name) for name in new_images)
    assert old_images - new_images
    assert not any(default_storage.exists(name) for name in old_images - new_images)


@pytest.mark.parametrize("count", [0, -1, 100_001])
def test_rejects_a_bad_product_count(count):
    with pytest.raises(CommandError, match="--products"):
        seed(products=count)
    assert not Product.objects.exists()
