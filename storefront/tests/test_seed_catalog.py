from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from storefront.models import Category, Product, StockMovement, Variant

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_catalog", stdout=out, **options)
    return out.getvalue()


def catalog() -> list[tuple]:
    return list(
        Product.objects.order_by("slug").values_list(
            "name", "slug", "category__slug", "price", "stock_quantity", "is_active", "created_at", "description"
        )
    )


def test_builds_the_requested_number_of_products_with_images():
    assert "60 products" in seed(products=60)
    assert Product.objects.count() == 60
    assert Category.objects.count() >= 5
    product = Product.objects.order_by("id").first()
    assert product.image.name == f"products/{product.slug}.svg"
    with default_storage.open(product.image.name) as image:
        assert image.read().startswith(b"<svg")


def test_every_seeded_stock_is_explained_by_its_opening_movement():
    seed(products=60, no_images=True)
    opening = dict(StockMovement.objects.values_list("product_id", "stock_after"))
    stock = dict(Product.objects.filter(stock_quantity__gt=0).values_list("id", "stock_quantity"))
    assert stock
    assert opening == stock


def test_every_seeded_product_sells_one_default_variant_holding_its_stock():
    seed(products=60, no_images=True)
    variants = list(Variant.objects.values_list("product_id", "sku", "price", "stock_quantity", "is_active"))
    products = {pk: (slug, stock) for pk, slug, stock in Product.objects.values_list("pk", "slug", "stock_quantity")}
    assert sorted(pk for pk, *_ in variants) == sorted(products)  # exactly one each
    assert all((sku, stock) == products[pk] and price is None and active for pk, sku, price, stock, active in variants)
    assert not Variant.objects.filter(option_values__isnull=False).exists()
    by_variant = dict(StockMovement.objects.values_list("variant__product_id", "stock_after"))
    assert by_variant == {pk: stock for pk, (_, stock) in products.items() if stock}


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


def test_replace_removes_images_of_products_that_are_gone():
    seed(products=20, seed=1)
    old_images = set(Product.objects.values_list("image", flat=True))
    seed(products=5, seed=2, replace=True)
    new_images = set(Product.objects.values_list("image", flat=True))
    assert all(default_storage.exists(name) for name in new_images)
    assert not any(default_storage.exists(name) for name in old_images - new_images)


@pytest.mark.parametrize("count", [0, -1, 100_001])
def test_rejects_a_bad_product_count(count):
    with pytest.raises(CommandError, match="--products"):
        seed(products=count)
    assert not Product.objects.exists()
