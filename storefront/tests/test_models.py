from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from storefront.models import Product

from .factories import make_category, make_product

pytestmark = pytest.mark.django_db


def test_available_hides_inactive_products():
    shown = make_product(is_active=True)
    make_product(is_active=False)
    assert list(Product.objects.available()) == [shown]


def test_search_needs_every_word_in_name_or_description():
    kettle = make_product(name="Copper Kettle", description="Boils water fast")
    make_product(name="Copper Pan", description="Fries eggs")
    assert list(Product.objects.search("copper water")) == [kettle]
    assert list(Product.objects.search("KETTLE")) == [kettle]


def test_price_between_includes_both_bounds():
    low = make_product(price=Decimal("5.00"))
    mid = make_product(price=Decimal("10.00"))
    make_product(price=Decimal("20.00"))
    found = Product.objects.price_between(Decimal("5.00"), Decimal("10.00")).sorted_by("price")
    assert list(found) == [low, mid]


def test_every_sort_is_a_total_order_even_with_equal_values():
    category = make_category()
    now = timezone.now()
    products = [make_product(category=category, name="Same", price=Decimal("1.00"), created_at=now) for _ in range(5)]
    for sort in ("featured", "price", "-price", "name", "newest"):
        first = list(Product.objects.sorted_by(sort).values_list("id", flat=True))
        second = list(Product.objects.sorted_by(sort).values_list("id", flat=True))
        assert first == second
        assert sorted(first) == sorted(p.id for p in products)


def test_featured_puts_products_in_stock_first_then_newest():
    now = timezone.now()
    sold_out_new = make_product(stock_quantity=0, created_at=now)
    old = make_product(stock_quantity=3, created_at=now - timedelta(days=30))
    new = make_product(stock_quantity=3, created_at=now - timedelta(days=1))
    assert list(Product.objects.sorted_by("featured")) == [new, old, sold_out_new]


@pytest.mark.parametrize(
    ("stock", "label"), [(0, "Out of stock"), (1, "Only 1 left"), (5, "Only 5 left"), (6, "In stock")]
)
def test_availability_label(stock, label):
    assert make_product(stock_quantity=stock).availability == label
