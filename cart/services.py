"""Every write to a cart. Each function is one transaction and raises CartError with a
message for the shopper when it refuses."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefront.models import Product, Variant

from .availability import item_name
from .models import MAX_CART_LINES, MAX_LINE_QUANTITY, Cart, CartContents, CartLine

CART_SESSION_KEY = "cart_id"

Visitor = User | AnonymousUser


class CartError(Exception):
    """A cart change was refused; str(error) is the message for the shopper."""


MESSAGES = {
    "unavailable": _("Sorry, {product} is no longer sold."),
    "out_of_stock": _("Sorry, {product} is out of stock."),
    "at_limit": _("You already have {quantity} of {product} in your cart, the most we can sell you."),
    "capped": _("Only {quantity} of {product} can be ordered: your cart now has {quantity}."),
    "added": _("Added {product} to your cart: {quantity} in cart."),
    "updated": _("{product}: quantity set to {quantity}."),
    "removed": _("Removed {product} from your cart."),
    "line_missing": _("That item is no longer in your cart."),
    "cart_full": _("Your cart already holds {limit} different products, the most one order can take."),
}
# The refusals of variants, translatable (kept apart so that the messages above keep their wording).
CHOOSE_OPTIONS = _("Choose options first.")
UNKNOWN_VARIANT = _("Sorry, that choice of %(product)s is not sold.")


@dataclass(frozen=True)
class CartChange:
    product: Product
    quantity: int  # the variant's quantity in the cart afterwards (0 when removed)
    message: str
    capped: bool = False
    variant: Variant | None = None  # the variant added (its stock as read after its product was locked)


def _owner(user: Visitor) -> User | None:
    return None if isinstance(user, AnonymousUser) or not user.is_authenticated else user


def cart_find(*, user: Visitor, session: SessionBase) -> Cart | None:
    """The visitor's cart, or None. Costs no query when the session holds no cart."""
    cart_id = session.get(CART_SESSION_KEY)
    if not cart_id:
        return None
    return Cart.objects.filter(pk=cart_id, user=_owner(user)).first()


def cart_contents(*, user: Visitor, session: SessionBase) -> CartContents:
    """The lines of the visitor's cart in one query (none when there is no cart)."""
    cart_id = session.get(CART_SESSION_KEY)
    if not cart_id:
        return CartContents([])
    lines = CartLine.objects.filter(cart_id=cart_id, cart__user=_owner(user)).for_display()
    return CartContents(list(lines))


def cart_get_or_create(*, user: Visitor, session: SessionBase) -> Cart:
    """The visitor's cart, created on first use (never on a plain page view)."""
    cart = cart_find(user=user, session=session)
    if cart is None:
        owner = _owner(user)
        cart = Cart.objects.get_or_create(user=owner)[0] if owner else Cart.objects.create()
        session[CART_SESSION_KEY] = cart.pk
    return cart


def _limit(variant: Variant) -> int:
    return min(variant.stock_quantity, MAX_LINE_QUANTITY)


def _variant_to_add(product_id: int, variant_id: int | None) -> Variant:
    """The variant an add means, with its product, the product's row locked: the one named, or the
    product's only variant. Raises CartError for anything that cannot be added."""
    # The product's row is locked first, in a statement of its own (it guards its variants,
    # storefront.services.variants_lock), and the variants are read in the next one: read in the
    # statement that waited for the lock, a variant would miss a sale committed meanwhile (PostgreSQL).
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None or not product.is_active:
        raise CartError(MESSAGES["unavailable"].format(product=product or _("this product")))
    variants = Variant.objects.filter(product_id=product_id)
    if variant_id is not None:
        variants = variants.filter(pk=variant_id)
    found = list(variants.order_by("position", "id")[:2])
    if not found:
        raise CartError(UNKNOWN_VARIANT % {"product": product})
    if len(found) > 1:
        raise CartError(str(CHOOSE_OPTIONS))
    variant = found[0]
    variant.product = product
    if not variant.is_active:
        raise CartError(MESSAGES["unavailable"].format(product=item_name(variant, product)))
    if variant.stock_quantity <= 0:
        raise CartError(MESSAGES["out_of_stock"].format(product=item_name(variant, product)))
    return variant


@transaction.atomic
def cart_add_product(
    *, cart: Cart, product_id: int, quantity: int, token: UUID | None = None, variant_id: int | None = None
) -> CartChange:
    """Add `quantity` of a product's variant (`variant_id`, or the product's only variant). `token` names
    the form it came from: the same form again (a double click) changes nothing and answers as the first
    time did."""
    variant = _variant_to_add(product_id, variant_id)
    product = variant.product
    name = item_name(variant, product)
    # Touching the cart first locks its row: two adds to one cart run one after the other, so
    # neither can slip a line past the other's count, and the second of a form sent twice finds
    # the first's token.
    touched = Cart.objects.filter(pk=cart.pk)
    if token is not None:
        touched = touched.exclude(last_add_token=token)
    if not touched.update(updated_at=timezone.now(), last_add_token=token):
        line = CartLine.objects.filter(cart=cart, variant=variant).first()
        current = line.quantity if line else 0
        return CartChange(product, current, MESSAGES["added"].format(product=name, quantity=current), variant=variant)
    line = CartLine.objects.filter(cart=cart, variant=variant).first()
    if line is None and CartLine.objects.filter(cart=cart).count() >= MAX_CART_LINES:
        raise CartError(MESSAGES["cart_full"].format(limit=MAX_CART_LINES))
    current = line.quantity if line else 0
    limit = _limit(variant)
    if current >= limit:
        raise CartError(MESSAGES["at_limit"].format(quantity=current, product=name))
    wanted = current + quantity
    new_quantity = min(wanted, limit)
    if line:
        line.quantity = new_quantity
        line.save(update_fields=["quantity"])
    else:
        CartLine.objects.create(cart=cart, product=product, variant=variant, quantity=new_quantity)
    capped = new_quantity < wanted
    key = "capped" if capped else "added"
    message = MESSAGES[key].format(product=name, quantity=new_quantity)
    return CartChange(product, new_quantity, message, capped, variant=variant)


def _line_for_update(cart: Cart, line_id: int) -> CartLine:
    line = CartLine.objects.select_related("product", "variant").filter(cart=cart, pk=line_id).first()
    if line is None:
        raise CartError(MESSAGES["line_missing"])
    return line


@transaction.atomic
def cart_set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartChange:
    line = _line_for_update(cart, line_id)
    product, variant = line.product, line.variant
    name = item_name(variant, product)
    if not product.is_active or not variant.is_active:
        raise CartError(MESSAGES["unavailable"].format(product=name))
    if variant.stock_quantity <= 0:
        raise CartError(MESSAGES["out_of_stock"].format(product=name))
    new_quantity = min(quantity, _limit(variant))
    line.quantity = new_quantity
    line.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    capped = new_quantity < quantity
    key = "capped" if capped else "updated"
    return CartChange(product, new_quantity, MESSAGES[key].format(product=name, quantity=new_quantity), capped)


@transaction.atomic
def cart_remove_line(*, cart: Cart, line_id: int) -> CartChange:
    line = _line_for_update(cart, line_id)
    line.delete()
    cart.save(update_fields=["updated_at"])
    name = item_name(line.variant, line.product)
    return CartChange(line.product, 0, MESSAGES["removed"].format(product=name))


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> None:
    """Move a guest cart's lines into a customer's cart: quantities add up, capped by stock; new products
    join while the cart has room (MAX_CART_LINES), oldest guest lines first."""
    existing = {line.variant_id: line for line in target.lines.select_related("variant")}
    room = MAX_CART_LINES - len(existing)
    for line in source.lines.select_related("variant").order_by("added_at", "id"):
        limit = _limit(line.variant)
        if line.variant_id in existing:
            kept = existing[line.variant_id]
            merged = min(kept.quantity + line.quantity, max(limit, kept.quantity))
            CartLine.objects.filter(pk=kept.pk).update(quantity=merged)
        elif min(line.quantity, limit) >= 1 and room > 0:
            CartLine.objects.filter(pk=line.pk).update(cart=target, quantity=min(line.quantity, limit))
            room -= 1
    source.delete()
    target.save(update_fields=["updated_at"])


def cart_adopt_on_login(*, user: User, session: SessionBase) -> None:
    """After sign-in: merge the guest cart into the customer's cart and remember it."""
    guest_id = session.get(CART_SESSION_KEY)
    guest = Cart.objects.filter(pk=guest_id, user__isnull=True).first() if guest_id else None
    own = Cart.objects.filter(user=user).first()
    if guest and own:
        cart_merge(source=guest, target=own)
    elif guest:
        guest.user = user
        guest.save(update_fields=["user", "updated_at"])
        own = guest
    if own:
        session[CART_SESSION_KEY] = own.pk
    else:
        session.pop(CART_SESSION_KEY, None)


def cart_prune(*, older_than: datetime, include_customers: bool = False) -> int:
    """Delete carts untouched since `older_than`; returns how many were deleted."""
    carts = Cart.objects.filter(updated_at__lt=older_than)
    if not include_customers:
        carts = carts.filter(user__isnull=True)
    return carts.delete()[1].get("cart.Cart", 0)
