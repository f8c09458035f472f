"""Writes to stock and variants. Every change of a variant's `stock_quantity` is logged as a
StockMovement beside it, and its product's `stock_quantity` (the sum of its active variants' stock) is
brought up to date in the same transaction (`product_stock_sync`)."""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .catalog_version import catalog_changed
from .models import MAX_OPTION_TYPES, MAX_VARIANTS, OptionValue, Product, StockMovement, Variant, variant_option_problem

MESSAGES = {
    "moved": (
        "The stock of {product} changed from {seen} to {current} since this page was loaded (an order, a "
        "cancellation or another change). Nothing was saved to the stock: the current stock is {current}. "
        "Enter the new stock again if it should still change."
    ),
}


class StockError(Exception):
    """A stock change was refused; str(error) says why, with the current stock."""


class VariantError(Exception):
    """A variant could not be made or changed as asked; str(error) says why."""


def stock_moved_message(product: Product | Variant, *, seen: int | None, current: int) -> str:
    return MESSAGES["moved"].format(product=product, seen="?" if seen is None else seen, current=current)


@dataclass(frozen=True)
class StockChange:
    """One variant's stock change, made under its product's row lock: by how much and what it left."""

    product_id: int
    change: int
    stock_after: int
    variant_id: int | None = None

    @property
    def sells_out_or_comes_back(self) -> bool:
        """Whether the variant's stock crossed zero: from some to none, or from none to some."""
        return self.change != 0 and 0 in (self.stock_after, self.stock_after - self.change)


def product_stock_sync(product_ids: Iterable[int], *, changes: Iterable[StockChange] = ()) -> None:
    """Set each product's stock to the sum of its active variants' stock (one query).

    Called by every stock write, in its transaction, after it has locked the products' rows: the
    sum is read after the lock, so a concurrent sale of another variant of the same product is seen.

    `changes` are the stock changes the caller made: when one of them sells a variant out or brings
    it back, the facets count afresh (catalog_changed). No other stock change can move a count: they
    count active products and their active variants, stock only through the product's "in stock",
    and a product's sum crosses zero only when one of its variants' stock does. A sale that leaves
    stock keeps the facets' cache warm. Writers of active flags and option values bump for those."""
    total = (
        Variant.objects.filter(product_id=OuterRef("pk"), is_active=True)
        .order_by()
        .values("product_id")
        .annotate(total=Sum("stock_quantity"))
        .values("total")
    )
    Product.objects.filter(pk__in=set(product_ids)).update(stock_quantity=Coalesce(Subquery(total), 0))
    if any(change.sells_out_or_comes_back for change in changes):
        catalog_changed()


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
            variant_id=change.variant_id,
            kind=kind,
            change=change.change,
            stock_after=change.stock_after,
            reference=reference,
            by=by,
            note=note,
        )
        for change in changes
    )


def products_lock(product_ids: Iterable[int]) -> list[int]:
    """Lock the products' rows, in product id order (one query); returns the ids locked.

    The product's lock guards its variants: every writer of a variant's stock takes it first, so writers
    queue up per product and never wait for each other in a circle (locking the variants' rows as well
    would let two checkouts of different variants of one product deadlock). `product_ids` may be a
    query of variants' `product_id`s (then a subquery, no query of its own).

    The lock is a statement of its own: anything the caller reads after it sees every write committed
    before the lock was granted (see variants_lock)."""
    ids = product_ids if isinstance(product_ids, QuerySet) else set(product_ids)
    locked = Product.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
    return list(locked)


def variants_lock(variant_ids: Iterable[int]) -> dict[int, Variant]:
    """The variants with their products, read after their products' rows are locked (products_lock,
    in product id order): two queries, the lock and then the read.

    Two statements, not one, because of PostgreSQL's READ COMMITTED: a statement that waits for a row
    lock re-reads only the rows it locks, and returns every other row as it was when the statement
    began. A variant read in the statement that waited for its product's lock would be its version
    from before the wait, missing a sale committed meanwhile (staff would then write over the sale,
    and a sale or a cancellation would log a wrong `stock_after`). The read below is a new statement,
    so it sees what every writer before it committed. (SQLite runs one write transaction at a time,
    so there the lock statement selects and waits for nothing.)"""
    ids = set(variant_ids)
    products_lock(Variant.objects.filter(pk__in=ids).values_list("product_id", flat=True))
    variants = Variant.objects.select_related("product").filter(pk__in=ids).order_by("product_id", "id")
    return {variant.pk: variant for variant in variants}


def default_variant(product_id: int) -> Variant | None:
    """The product's only variant (with its product), or None when it has several (or none)."""
    variants = list(
        Variant.objects.select_related("product").filter(product_id=product_id).order_by("position", "id")[:2]
    )
    return variants[0] if len(variants) == 1 else None


@transaction.atomic
def stock_set(
    *,
    seen: int | None,
    quantity: int,
    by: User | None,
    variant_id: int | None = None,
    product_id: int | None = None,
    kind: StockMovement.Kind = StockMovement.Kind.ADJUSTMENT,
    note: str = "",
) -> StockChange:
    """Staff set a variant's stock to `quantity` after seeing it at `seen` (`product_id` names a
    product with a single variant: its default variant).

    Refused with StockError when the stock is no longer `seen` (sold, cancelled or changed since the
    page was loaded): staff decide again with the current figure, and no sale is ever undone."""
    if variant_id is None:
        assert product_id is not None
        products_lock([product_id])
        only = default_variant(product_id)  # read after the lock, as variants_lock reads
        if only is None:
            raise StockError(_("This product has several variants: change the stock of each variant."))
        variant, variant_id = only, only.pk
    else:
        variant = variants_lock([variant_id])[variant_id]
    if variant.stock_quantity != seen:
        raise StockError(stock_moved_message(variant, seen=seen, current=variant.stock_quantity))
    Variant.objects.filter(pk=variant_id).update(stock_quantity=quantity)
    change = StockChange(
        product_id=variant.product_id,
        change=quantity - variant.stock_quantity,
        stock_after=quantity,
        variant_id=variant_id,
    )
    product_stock_sync([variant.product_id], changes=[change])
    if change.change:
        stock_record(kind=kind, changes=[change], by=by, note=note)
    return change


def variant_set_options(*, variant: Variant, values: Iterable[OptionValue]) -> None:
    """Give a variant its option values and keep their text beside them (checked first)."""
    chosen = list(values)
    problem = variant_option_problem(variant.product, chosen)
    if problem:
        raise VariantError(problem)
    variant.option_values.set(chosen)
    variant_refresh_options_text(variant)


def variant_refresh_options_text(variant: Variant) -> None:
    variant.options_text = variant.describe_options()
    Variant.objects.filter(pk=variant.pk).update(options_text=variant.options_text)
    catalog_changed()


@transaction.atomic
def variant_create(
    *,
    product: Product,
    sku: str,
    values: Iterable[OptionValue] = (),
    price: Decimal | None = None,
    stock_quantity: int = 0,
    by: User | None = None,
    note: str = "",
) -> Variant:
    """A new variant of `product` (at most MAX_VARIANTS), its opening stock recorded."""
    products_lock([product.pk])
    if Variant.objects.filter(product=product).count() >= MAX_VARIANTS:
        raise VariantError(_("A product sells at most %(count)s variants.") % {"count": MAX_VARIANTS})
    if Variant.objects.filter(sku=sku).exists():
        raise VariantError(_("The SKU %(sku)s is taken.") % {"sku": sku})
    position = Variant.objects.filter(product=product).count()
    variant = Variant.objects.create(
        product=product, sku=sku, price=price, stock_quantity=stock_quantity, position=position
    )
    variant_set_options(variant=variant, values=values)
    product_stock_sync([product.pk])
    if stock_quantity:
        opening = StockChange(product.pk, stock_quantity, stock_quantity, variant.pk)
        stock_record(kind=StockMovement.Kind.ADJUSTMENT, changes=[opening], by=by, note=note or "New variant")
    return variant


@transaction.atomic
def variant_set_active(*, variant_id: int, is_active: bool) -> None:
    """Withdraw a variant or offer it again; its stock leaves or joins the product's (summed after the
    product's lock, so a sale committed while this waited for it is counted)."""
    product_ids = products_lock(Variant.objects.filter(pk=variant_id).values_list("product_id", flat=True))
    Variant.objects.filter(pk=variant_id).update(is_active=is_active)
    product_stock_sync(product_ids)
    catalog_changed()  # the facets count active variants only


@transaction.atomic
def variants_create_combinations(
    *, product: Product, values: list[list[OptionValue]], by: User | None = None
) -> list[Variant]:
    """Every combination of the chosen values (one list per option type) that `product` does not sell
    yet becomes a variant: SKU from the product's slug and the values, stock 0. The option types join
    the product's (at most MAX_OPTION_TYPES); its default variant, which has no options, is withdrawn."""
    products_lock([product.pk])
    types = {value.option_type_id for group in values for value in group}
    current = set(product.option_types.values_list("pk", flat=True))
    if len(types | current) > MAX_OPTION_TYPES:
        raise VariantError(_("A product combines at most %(count)s option types.") % {"count": MAX_OPTION_TYPES})
    existing = {
        frozenset(variant.option_values.values_list("pk", flat=True))
        for variant in Variant.objects.filter(product=product)
    }
    wanted = [combo for combo in itertools.product(*values) if frozenset(v.pk for v in combo) not in existing]
    if Variant.objects.filter(product=product).count() + len(wanted) > MAX_VARIANTS:
        raise VariantError(_("A product sells at most %(count)s variants.") % {"count": MAX_VARIANTS})
    product.option_types.add(*types)
    Variant.objects.filter(product=product, option_values__isnull=True).update(is_active=False)
    made = []
    for combo in wanted:
        base = slugify("-".join([product.slug, *(value.value for value in combo)]))[:240] or f"variant-{product.pk}"
        sku, n = base, 2
        while Variant.objects.filter(sku=sku).exists():
            sku, n = f"{base}-{n}", n + 1
        made.append(variant_create(product=product, sku=sku, values=combo, by=by))
    product_stock_sync([product.pk])
    catalog_changed()  # the default variant withdrawn, values offered
    return made
