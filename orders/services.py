"""Placing, cancelling and moving orders. Every write here is one transaction."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cart.availability import LineProblem, item_name, line_problem
from cart.models import Cart, CartLine
from storefront.models import StockMovement, Variant
from storefront.money import format_money
from storefront.services import StockChange, product_stock_sync, stock_record, variants_lock

from .methods import PAYMENT_METHODS, SHIPPING_METHODS
from .models import Order, OrderLine, OrderStatusChange
from .tasks import order_confirmation_send

MESSAGES = {
    "empty": _("Your cart is empty: add something before checking out."),
    "lines_changed": _(
        "Some items can no longer be ordered as they are. Nothing was ordered; please review your cart."
    ),
    "prices_changed": _(
        "Prices changed while you were checking out: your items now cost {subtotal}. "
        "Please review the new total and place your order again."
    ),
    "cart_changed": _(
        "Your cart changed since this order form was loaded (in another window?): {changes}. Nothing was "
        "ordered; please check the summary and place your order again."
    ),
    "line_added": _("{product} added ({quantity})"),
    "line_quantity": _("{product}: {quantity} instead of {was}"),
    "line_removed": _("{product} removed"),
    "form_expired": _("This order form was out of date. Please check your details and place your order again."),
    "already_placed": _(
        "This order form had already placed order {reference}, so nothing more was ordered. What is in "
        "your cart now was not ordered: it is still waiting for you in your cart."
    ),
    "unknown_shipping": _("Choose one of the offered shipping methods."),
    "unknown_payment": _("Choose one of the offered payment methods."),
    "not_cancellable": _("Order {reference} can no longer be cancelled: it is {status}."),
    "transition": _("Order {reference} cannot go from {old} to {new}."),
}


class OrderError(Exception):
    """A refusal to show the customer. `code` is a key of MESSAGES (what callers decide by), `message`
    its wording for the shopper, and `problems` names each line that stands in the way."""

    def __init__(self, code: str, problems: list[LineProblem] | None = None, **params: object) -> None:
        self.code = code
        self.message = MESSAGES[code].format(**params)
        super().__init__(self.message)
        self.problems = [problem.message for problem in problems or []]
        self.problem_codes = [problem.code for problem in problems or []]


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal
    total: Decimal


@dataclass(frozen=True)
class OrderDetails:
    """What the order form collects (already validated by CheckoutForm)."""

    email: str
    shipping_name: str
    shipping_address: str
    shipping_city: str
    shipping_postcode: str
    shipping_country: str
    shipping_method: str
    payment_method: str


def order_totals(*, subtotal: Decimal, shipping_method: str) -> Totals:
    method = SHIPPING_METHODS.get(shipping_method)
    if method is None:
        raise OrderError("unknown_shipping")
    shipping = method.cost(subtotal)
    return Totals(subtotal=subtotal, shipping=shipping, total=subtotal + shipping)


def _cart_changes(reviewed: dict[int, int], current: dict[int, int], variants: dict[int, Variant]) -> str:
    """What changed in the cart since the order form was loaded: "Kettle: 3 instead of 2; Mug removed"."""
    gone = [pk for pk in reviewed if pk not in current]
    names = {pk: item_name(variant, variant.product) for pk, variant in variants.items()}
    if gone:
        names.update(
            (variant.pk, item_name(variant, variant.product))
            for variant in Variant.objects.select_related("product").filter(pk__in=gone)
        )
    changes = []
    for pk, quantity in current.items():
        if pk not in reviewed:
            changes.append(MESSAGES["line_added"].format(product=names[pk], quantity=quantity))
        elif reviewed[pk] != quantity:
            changes.append(MESSAGES["line_quantity"].format(product=names[pk], quantity=quantity, was=reviewed[pk]))
    changes += [MESSAGES["line_removed"].format(product=names.get(pk, _("an item"))) for pk in gone]
    return "; ".join(changes)


def _order_language() -> str:
    """The active language (the page the order form was sent from), which the order's emails use."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def order_place(
    *,
    cart: Cart | None,
    customer: User | None,
    details: OrderDetails,
    submission_key: UUID,
    reviewed_subtotal: Decimal | None = None,
    reviewed_lines: dict[int, int] | None = None,
    reviewed_prices: dict[int, Decimal] | None = None,
    site_url: str = "",
) -> Order:
    """Turn the cart into an order, or raise OrderError and change nothing.

    Idempotent: a second call with the same `submission_key` and cart returns the first call's order
    (found under the cart's lock). The order view looks for an earlier order of its form first.
    """
    if cart is None:
        raise OrderError("empty")
    try:
        reviewed = (reviewed_subtotal, reviewed_lines, reviewed_prices)
        return _order_place(cart, customer, details, submission_key, reviewed, site_url)
    except IntegrityError:
        # A concurrent submission of the same form won the race; its order is the one.
        existing = Order.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _order_place(
    cart: Cart,
    customer: User | None,
    details: OrderDetails,
    submission_key: UUID,
    reviewed: tuple[Decimal | None, dict[int, int] | None, dict[int, Decimal] | None],
    site_url: str,
) -> Order:
    reviewed_subtotal, reviewed_lines, reviewed_prices = reviewed
    payment = PAYMENT_METHODS.get(details.payment_method)
    if payment is None:
        raise OrderError("unknown_payment")
    # Lock the cart first so that two order forms for one cart run one after the other; then look
    # again for an order from this form, which a concurrent submission may have just committed.
    Cart.objects.select_for_update().filter(pk=cart.pk).first()
    existing = Order.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    lines = list(CartLine.objects.filter(cart=cart).order_by("product_id", "variant_id"))
    if not lines:
        raise OrderError("empty")
    # Lock the products' rows in a fixed order (no deadlocks between checkouts), then re-read every
    # variant and its product: a product's stock is the sum of its variants', kept under its lock.
    variants = variants_lock(line.variant_id for line in lines)
    problems = [problem for line in lines if (problem := line_problem(variants[line.variant_id], line.quantity))]
    if problems:
        raise OrderError("lines_changed", problems)
    current = {line.variant_id: line.quantity for line in lines}
    if reviewed_lines is not None and reviewed_lines != current:
        raise OrderError("cart_changed", changes=_cart_changes(reviewed_lines, current, variants))
    prices = {pk: variant.unit_price for pk, variant in variants.items()}
    subtotal = sum((prices[line.variant_id] * line.quantity for line in lines), Decimal("0.00"))
    seen = reviewed_prices or {}
    repriced = [
        problem
        for line in lines
        if (problem := line_problem(variants[line.variant_id], line.quantity, seen_price=seen.get(line.variant_id)))
    ]
    if repriced or (reviewed_subtotal is not None and reviewed_subtotal != subtotal):
        raise OrderError("prices_changed", repriced, subtotal=format_money(subtotal))
    totals = order_totals(subtotal=subtotal, shipping_method=details.shipping_method)

    for line in lines:
        # The conditional update is what makes overselling impossible, whatever the isolation level. It
        # names the variant's row only (no join: the condition is checked on the row it updates); the
        # product is locked and was found active above.
        sold = Variant.objects.filter(pk=line.variant_id, is_active=True, stock_quantity__gte=line.quantity).update(
            stock_quantity=F("stock_quantity") - line.quantity
        )
        if not sold:
            problem = line_problem(Variant.objects.select_related("product").get(pk=line.variant_id), line.quantity)
            raise OrderError("lines_changed", [problem] if problem else [])
    # The variants were read after their products' locks were taken, so what each sale left is known exactly.
    sales = [
        StockChange(
            line.product_id, -line.quantity, variants[line.variant_id].stock_quantity - line.quantity, line.variant_id
        )
        for line in lines
    ]
    product_stock_sync((line.product_id for line in lines), changes=sales)

    order = Order.objects.create(
        submission_key=submission_key,
        customer=customer,
        email=details.email,
        shipping_name=details.shipping_name,
        shipping_address=details.shipping_address,
        shipping_city=details.shipping_city,
        shipping_postcode=details.shipping_postcode,
        shipping_country=details.shipping_country,
        shipping_method=details.shipping_method,
        shipping_cost=totals.shipping,
        payment_method=payment.code,
        subtotal=totals.subtotal,
        total_amount=totals.total,
        language=_order_language(),
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product_id=line.product_id,
            variant_id=line.variant_id,
            product_name=variants[line.variant_id].product.name,
            options_text=variants[line.variant_id].options_text,
            sku=variants[line.variant_id].sku,
            unit_price=prices[line.variant_id],
            quantity=line.quantity,
            line_total=prices[line.variant_id] * line.quantity,
        )
        for line in lines
    )
    OrderStatusChange.objects.create(order=order, from_status="", to_status=order.status, changed_by=customer)
    stock_record(kind=StockMovement.Kind.SALE, changes=sales, reference=order.reference, by=customer)
    CartLine.objects.filter(cart=cart).delete()
    # The queue is in this database: the confirmation job commits with the order or not at all.
    order_confirmation_send.enqueue(order_id=order.pk, site_url=site_url)
    # A payment provider's call may fail; it must never turn a placed order into an error page.
    transaction.on_commit(lambda: payment.after_order(order), robust=True)
    return order


@transaction.atomic
def order_change_status(
    *, order: Order, status: str, by: User | None = None, only_from: frozenset[str] | None = None
) -> Order:
    """Move an order along its lifecycle; cancelling puts the stock back.

    `only_from` narrows the allowed starting statuses further (a customer may cancel only a pending
    order); it is checked on the locked row, so a change made meanwhile by staff is respected.
    """
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if only_from is not None and locked.status not in only_from:
        raise OrderError("not_cancellable", reference=locked.reference, status=locked.get_status_display().lower())
    if not locked.can_become(status):
        raise OrderError(
            "transition",
            reference=locked.reference,
            old=locked.get_status_display(),
            new=dict(Order.Status.choices).get(status, status),
        )
    if status == Order.Status.CANCELLED:
        # A line whose variant has been deleted since has nowhere to go back to: it is skipped.
        lines = [line for line in locked.lines.order_by("product_id", "variant_id") if line.variant_id is not None]
        stock = variants_lock(line.variant_id for line in lines if line.variant_id is not None)
        returned = []
        for line in lines:
            assert line.variant_id is not None
            Variant.objects.filter(pk=line.variant_id).update(stock_quantity=F("stock_quantity") + line.quantity)
            after = stock[line.variant_id].stock_quantity + line.quantity
            returned.append(StockChange(line.product_id, line.quantity, after, line.variant_id))
        product_stock_sync((line.product_id for line in lines), changes=returned)
        stock_record(kind=StockMovement.Kind.CANCEL, changes=returned, reference=locked.reference, by=by)
    old_status = locked.status
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    OrderStatusChange.objects.create(order=locked, from_status=old_status, to_status=status, changed_by=by)
    return locked


def order_cancel_by_customer(*, order: Order, by: User | None) -> Order:
    """A customer may cancel only an order that is still pending (not yet paid)."""
    if not order.can_be_cancelled:
        raise OrderError("not_cancellable", reference=order.reference, status=order.get_status_display().lower())
    return order_change_status(
        order=order, status=Order.Status.CANCELLED, by=by, only_from=frozenset({Order.Status.PENDING})
    )
