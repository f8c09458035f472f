"""Writes to stock. Every change of `Product.stock_quantity` is logged as a StockMovement beside it."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from .models import Product, StockMovement

MESSAGES = {
    "moved": (
        "The stock of {product} changed from {seen} to {current} since this page was loaded (an order, a "
        "cancellation or another change). Nothing was saved to the stock: the current stock is {current}. "
        "Enter the new stock again if it should still change."
    ),
}


class StockError(Exception):
    """A stock change was refused; str(error) says why, with the current stock."""


def stock_moved_message(product: Product, *, seen: int | None, current: int) -> str:
    return MESSAGES["moved"].format(product=product, seen="?" if seen is None else seen, current=current)


@dataclass(frozen=True)
class StockChange:
    """One product's stock change, made under the product's row lock: by how much and what it left."""

    product_id: int
    change: int
    stock_after: int


def stock_record(
    *,
    kind: StockMovement.Kind,
    changes: Iterable[StockChange],
    reference: str = "",
    by: User | None = None,
    note: str = "",
) -> None:
    """Log stock changes that the caller has just made, in its transaction (one query)."""
    StockMovement.objects.bulk_create(
        StockMovement(
            product_id=change.product_id,
            kind=kind,
            change=change.change,
            stock_after=change.stock_after,
            reference=reference,
            by=by,
            note=note,
        )
        for change in changes
    )


@transaction.atomic
def stock_set(
    *,
    product_id: int,
    seen: int | None,
    quantity: int,
    by: User | None,
    kind: StockMovement.Kind = StockMovement.Kind.ADJUSTMENT,
    note: str = "",
) -> StockChange:
    """Staff set a product's stock to `quantity` after seeing it at `seen`.

    Refused with StockError when the stock is no longer `seen` (sold, cancelled or changed since the
    page was loaded): staff decide again with the current figure, and no sale is ever undone."""
    product = Product.objects.select_for_update().get(pk=product_id)
    if product.stock_quantity != seen:
        raise StockError(stock_moved_message(product, seen=seen, current=product.stock_quantity))
    Product.objects.filter(pk=product_id).update(stock_quantity=quantity)
    change = StockChange(product_id=product_id, change=quantity - product.stock_quantity, stock_after=quantity)
    if change.change:
        stock_record(kind=kind, changes=[change], by=by, note=note)
    return change
