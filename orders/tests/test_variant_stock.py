"""Stock per variant: every write keeps the product's stock the sum of its active variants' stock,
and every variant's stock the sum of its movements."""

import tempfile
import uuid
from pathlib import Path

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from orders.models import Order
from orders.services import OrderError, order_change_status, order_place
from orders.tasks import order_send_confirmation
from storefront.models import Product, StockMovement, Variant
from storefront.services import StockError, stock_set, variant_create, variant_set_active
from storefront.tests.factories import make_option_value, make_product

from .factories import cart_with, order_details

pytestmark = pytest.mark.django_db
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "storefront-hypothesis")


def make_shirt(stocks: tuple[int, ...]) -> tuple[Product, list[Variant]]:
    """A product with one variant per stock figure (Size 1, Size 2, …), each with its opening stock."""
    product = make_product(name="T-shirt", stock_quantity=0)
    product.variants.all().delete()
    values = [make_option_value("Size", str(n)) for n in range(1, len(stocks) + 1)]
    product.option_types.add(values[0].option_type)
    variants = [
        variant_create(product=product, sku=f"{product.slug}-{n}", values=[value], stock_quantity=stock)
        for n, (value, stock) in enumerate(zip(values, stocks, strict=True), start=1)
    ]
    return product, variants


def assert_stock_adds_up(product: Product) -> None:
    product.refresh_from_db()
    active = Variant.objects.filter(product=product, is_active=True).aggregate(total=Sum("stock_quantity"))
    assert product.stock_quantity == (active["total"] or 0)
    for variant in Variant.objects.filter(product=product):
        logged = StockMovement.objects.filter(variant=variant).aggregate(total=Sum("change"))["total"] or 0
        assert variant.stock_quantity == logged, variant
        assert variant.stock_quantity >= 0


def sell(variant: Variant, quantity: int) -> Order | None:
    try:
        return order_place(
            cart=cart_with((variant, quantity)), customer=None, details=order_details(), submission_key=uuid.uuid4()
        )
    except OrderError:
        return None


def test_selling_one_variant_takes_its_stock_only():
    product, (small, medium) = make_shirt((5, 3))
    order = sell(medium, 2)
    assert order is not None
    for row in (small, medium):
        row.refresh_from_db()
    assert (small.stock_quantity, medium.stock_quantity) == (5, 1)
    line = order.lines.get()
    assert (line.variant, line.sku, line.options_text, line.product_name) == (medium, medium.sku, "Size 2", "T-shirt")
    assert_stock_adds_up(product)


def test_a_variant_is_never_sold_beyond_its_stock_even_when_the_product_has_more():
    product, (_small, medium) = make_shirt((5, 1))
    assert sell(medium, 2) is None
    assert_stock_adds_up(product)
    assert product.stock_quantity == 6


def test_cancelling_puts_the_stock_back_on_the_variant_sold():
    product, (_small, medium) = make_shirt((5, 3))
    order = sell(medium, 3)
    assert order is not None
    order_change_status(order=order, status=Order.Status.CANCELLED)
    medium.refresh_from_db()
    assert medium.stock_quantity == 3
    assert_stock_adds_up(product)


def test_a_withdrawn_variant_leaves_the_products_stock_and_comes_back_with_it():
    product, (_small, medium) = make_shirt((5, 3))
    variant_set_active(variant_id=medium.pk, is_active=False)
    product.refresh_from_db()
    assert product.stock_quantity == 5
    variant_set_active(variant_id=medium.pk, is_active=True)
    product.refresh_from_db()
    assert product.stock_quantity == 8


def test_staff_set_one_variants_stock_against_what_they_saw():
    product, (_small, medium) = make_shirt((5, 3))
    stock_set(variant_id=medium.pk, seen=3, quantity=10, by=None)
    with pytest.raises(StockError, match="the current stock is 10"):
        stock_set(variant_id=medium.pk, seen=3, quantity=1, by=None)
    with pytest.raises(StockError, match="several variants"):
        stock_set(product_id=product.pk, seen=15, quantity=1, by=None)
    assert_stock_adds_up(product)
    assert product.stock_quantity == 15


WRITES = st.lists(
    st.tuples(
        st.sampled_from(["sell", "cancel", "set", "withdraw", "offer"]),
        st.integers(min_value=0, max_value=2),  # which variant (or which order, for a cancellation)
        st.integers(min_value=0, max_value=8),  # how many
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(stocks=st.tuples(*[st.integers(min_value=0, max_value=6)] * 3), writes=WRITES)
def test_no_sequence_of_stock_writes_lets_the_products_stock_drift_from_its_variants(stocks, writes):
    product, variants = make_shirt(stocks)
    orders: list[Order] = []
    for action, which, quantity in writes:
        variant = Variant.objects.get(pk=variants[which].pk)
        if action == "sell" and quantity:
            if order := sell(variant, quantity):
                orders.append(order)
        elif action == "cancel" and orders:
            order = orders.pop(which % len(orders))
            order_change_status(order=order, status=Order.Status.CANCELLED)
        elif action == "set":
            stock_set(variant_id=variant.pk, seen=variant.stock_quantity, quantity=quantity, by=None)
        elif action in {"withdraw", "offer"}:
            variant_set_active(variant_id=variant.pk, is_active=action == "offer")
        assert_stock_adds_up(product)


def test_the_confirmation_email_names_the_options_of_a_variant_only(mailoutbox):
    _, (small, _medium) = make_shirt((5, 3))
    order = sell(small, 1)
    assert order is not None
    order_send_confirmation(order=order, site_url="http://testserver")
    assert "1 x T-shirt (Size 1):" in mailoutbox[-1].body
    plain = make_order_of_kettle()
    order_send_confirmation(order=plain, site_url="http://testserver")
    assert "1 x Kettle:" in mailoutbox[-1].body


def make_order_of_kettle() -> Order:
    order = sell(make_product(name="Kettle").variants.get(), 1)
    assert order is not None
    return order
