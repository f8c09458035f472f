"""Small factory functions for tests: make_category(), make_product(), make_variant(), make_user()."""

from decimal import Decimal
from itertools import count
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from storefront.models import Category, OptionType, OptionValue, Product, Variant
from storefront.services import product_stock_sync, variant_refresh_options_text

_sequence = count(1)


def make_category(**fields: object) -> Category:
    n = next(_sequence)
    values: dict[str, object] = {"name": f"Category {n}", "slug": f"category-{n}", "description": "A category."}
    values.update(fields)
    return Category.objects.create(**values)


def make_product(**fields: object) -> Product:
    n = next(_sequence)
    values: dict[str, object] = {
        "name": f"Product {n}",
        "slug": f"product-{n}",
        "description": "A sturdy everyday product.",
        "price": Decimal("10.00"),
        "stock_quantity": 10,
        "is_active": True,
    }
    values.update(fields)
    if "category" not in values:
        values["category"] = make_category()
    product = Product.objects.create(**values)
    # A product without options sells exactly one variant, its default one, which holds its stock.
    Variant.objects.create(product=product, sku=product.slug, stock_quantity=product.stock_quantity)
    return product


def make_option_value(option_type: str, value: str, *, swatch: str = "") -> OptionValue:
    kind = OptionType.Kind.COLOUR if swatch else OptionType.Kind.TEXT
    # Option types are ordered as first made: ("Size", …) before ("Colour", …) reads "Size M, Colour Blue".
    position = OptionType.objects.count()
    found = OptionType.objects.get_or_create(name=option_type, defaults={"kind": kind, "position": position})[0]
    return OptionValue.objects.get_or_create(option_type=found, value=value, defaults={"swatch": swatch})[0]


def make_variant(
    product: Product, *options: tuple[str, str], stock_quantity: int = 10, price: Decimal | None = None, **fields: Any
) -> Variant:
    """One more variant of `product` with option values such as ("Size", "M"), ("Colour", "Blue").

    The product's default variant (made by make_product) is withdrawn with its stock the first time:
    a product with options sells only its combinations."""
    values = [make_option_value(name, value) for name, value in options]
    product.option_types.add(*{value.option_type for value in values})
    n = next(_sequence)
    Variant.objects.filter(product=product, option_values__isnull=True).delete()
    variant = Variant.objects.create(
        product=product,
        sku=fields.pop("sku", f"{product.slug}-{n}"),
        stock_quantity=stock_quantity,
        price=price,
        position=n,
        **fields,
    )
    variant.option_values.set(values)
    variant_refresh_options_text(variant)
    product_stock_sync([product.pk])
    product.refresh_from_db(fields=["stock_quantity"])
    return variant


def set_stock(product: Product | Variant, quantity: int) -> None:
    """Set the stock in the database as a sale or staff would (the default variant's for a product),
    unlogged: for arranging a test, not for the code under test."""
    variants = Variant.objects.filter(pk=product.pk) if isinstance(product, Variant) else product.variants.all()
    variant = variants.get()
    Variant.objects.filter(pk=variant.pk).update(stock_quantity=quantity)
    product_stock_sync([variant.product_id])
    product.stock_quantity = quantity


def make_user(username: str = "shopper", password: str = "correct-horse-battery", **fields: Any) -> User:
    return get_user_model().objects.create_user(username=username, password=password, **fields)
