from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext

from storefront.models import Product

MAX_LINE_QUANTITY = 99
# Different products in one cart: with 99 of each at the highest price staff can set, the total still fits
# the order's amount fields exactly (orders.models.Order.total_amount).
MAX_CART_LINES = 100


class Cart(models.Model):
    """A shopper's cart: a guest's is found through the session, a signed-in customer's by user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # The token of the last "Add to cart" form this cart took: the same form sent again (a double
    # click without JavaScript) is recognised and adds nothing.
    last_add_token = models.UUIDField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Cart {self.pk} ({self.user or 'guest'})"


class CartLineQuerySet(models.QuerySet["CartLine"]):
    def for_display(self) -> "CartLineQuerySet":
        # FETCH_PEERS: a relation the page reaches for without select_related costs one query for
        # all the lines, not one per line.
        return self.select_related("product").fetch_mode(models.FETCH_PEERS).order_by("added_at", "id")


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    objects = CartLineQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_one_per_product"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_LINE_QUANTITY), name="cart_line_quantity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"

    @property
    def subtotal(self) -> Decimal:
        # Always the product's current price: the browser never tells us a price.
        return self.product.price * self.quantity

    @property
    def max_quantity(self) -> int:
        return max(1, min(self.product.stock_quantity, MAX_LINE_QUANTITY))

    @property
    def problem(self) -> str:
        """Why this line cannot be ordered as it is, or "" when it can."""
        product = self.product
        if not product.is_active:
            return gettext("This product is no longer sold. Please remove it.")
        if product.stock_quantity <= 0:
            return gettext("This product is now out of stock. Please remove it.")
        if self.quantity > product.stock_quantity:
            return gettext("Only %(stock)s left. Please lower the quantity.") % {"stock": product.stock_quantity}
        return ""


class CartContents:
    """A read-only view of a cart's lines with the figures the pages show."""

    def __init__(self, lines: list[CartLine]) -> None:
        self.lines = lines

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), Decimal("0.00"))

    @property
    def has_problems(self) -> bool:
        return any(line.problem for line in self.lines)

    @property
    def quantities(self) -> dict[int, int]:
        return {line.product_id: line.quantity for line in self.lines}
