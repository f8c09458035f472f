import pytest

from storefront.models import StockMovement
from storefront.services import StockError, stock_set

from .factories import make_product, make_user

pytestmark = pytest.mark.django_db


def test_setting_the_stock_staff_saw_records_the_difference():
    product, staff = make_product(stock_quantity=10), make_user(is_staff=True)
    change = stock_set(product_id=product.pk, seen=10, quantity=25, by=staff, note="delivery")
    assert (change.change, change.stock_after) == (15, 25)
    product.refresh_from_db()
    assert product.stock_quantity == 25
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.change, movement.stock_after, movement.by, movement.note) == (
        StockMovement.Kind.ADJUSTMENT,
        15,
        25,
        staff,
        "delivery",
    )


@pytest.mark.parametrize("seen", [12, None])
def test_setting_a_stock_that_moved_since_it_was_seen_is_refused_and_changes_nothing(seen):
    product = make_product(name="Kettle", stock_quantity=10)
    with pytest.raises(StockError, match="the current stock is 10"):
        stock_set(product_id=product.pk, seen=seen, quantity=30, by=None)
    product.refresh_from_db()
    assert product.stock_quantity == 10
    assert not StockMovement.objects.exists()
