"""Small factory functions for tests: make_category(), make_product(), make_user()."""

from decimal import Decimal
from itertools import count
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from storefront.models import Category, Product

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
    return Product.objects.create(**values)


def make_user(username: str = "shopper", password: str = "correct-horse-battery", **fields: Any) -> User:
    return get_user_model().objects.create_user(username=username, password=password, **fields)
