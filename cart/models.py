from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q

from storefront.models import Product, ProductPicture, Variant, variants_first_pictures

from .availability import line_problem

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
        return self.select_related("product", "variant").fetch_mode(models.FETCH_PEERS).order_by("added_at", "id")


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    # The variant is what is bought; its product is kept beside it (always variant.product) so that
    # the pages reach the product without a join through the variant.
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    objects = CartLineQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_one_per_variant"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_LINE_QUANTITY), name="cart_line_quantity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"

    @property
    def subtotal(self) -> Decimal:
        # Always the variant's current price: the browser never tells us a price.
        return self.unit_price * self.quantity

    @property
    def unit_price(self) -> Decimal:
        return self.product.price if self.variant.price is None else self.variant.price

    @property
    def options_text(self) -> str:
        """ "Size M, Colour Blue" under the product's name, or "" for a product without options."""
        return self.variant.options_text

    @property
    def max_quantity(self) -> int:
        return max(1, min(self.variant.stock_quantity, MAX_LINE_QUANTITY))

    @property
    def problem(self) -> str:
        """Why this line cannot be ordered as it is (cart/availability.py), or "" when it can."""
        found = line_problem(self.variant, self.quantity, product=self.product)
        return found.message if found else ""


class CartContents:
    """A read-only view of a cart's lines with the figures the pages show."""

    def __init__(self, lines: list[CartLine]) -> None:
        self.lines = lines

    @cached_property
    def pictures(self) -> dict[int, ProductPicture]:
        """Each line's picture (its variant's colour first), by line id: two queries, only when read."""
        return variants_first_pictures([line.variant for line in self.lines], by=[line.pk for line in self.lines])

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
        """Items in the cart by product (all its variants together)."""
        found: dict[int, int] = {}
        for line in self.lines:
            found[line.product_id] = found.get(line.product_id, 0) + line.quantity
        return found
