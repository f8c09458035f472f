import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from storefront.models import Product, Variant

# Crockford's base 32 without look-alikes (no I, L, O, U): easy to read out on the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_access_key() -> str:
    return secrets.token_urlsafe(24)


class OrderQuerySet(models.QuerySet["Order"]):
    def for_customer(self, user: User) -> "OrderQuerySet":
        return self.filter(customer=user).order_by("-created_at", "-id")


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    Status = OrderStatus

    # The only moves an order's status may make; anything else is refused.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({Status.PAID, Status.CANCELLED}),
        Status.PAID: frozenset({Status.SHIPPED, Status.CANCELLED}),
        Status.SHIPPED: frozenset({Status.DELIVERED}),
        Status.DELIVERED: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    reference = models.CharField(max_length=REFERENCE_LENGTH, unique=True, default=new_reference, editable=False)
    # The secret in a guest's order link; never shown to anyone but the order's holder.
    access_key = models.CharField(max_length=40, unique=True, default=new_access_key, editable=False)
    # One order per order form: a second submission of the same form finds this one.
    submission_key = models.UUIDField(unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    shipping_name = models.CharField("full name", max_length=100)
    shipping_address = models.CharField("address", max_length=200)
    shipping_city = models.CharField("city", max_length=100)
    shipping_postcode = models.CharField("postcode", max_length=12)
    shipping_country = models.CharField("country", max_length=2)
    shipping_method = models.CharField(max_length=20)
    shipping_cost = models.DecimalField(max_digits=10, decimal_places=2)
    payment_method = models.CharField(max_length=30)
    # Room for the largest cart the shop allows (MAX_CART_LINES lines of 99 at the highest price a
    # product can have) plus shipping, and no wider: SQLite keeps 15 significant digits exactly.
    subtotal = models.DecimalField(max_digits=15, decimal_places=2)
    total_amount = models.DecimalField(max_digits=15, decimal_places=2)
    # The language the order was placed in: its emails are written in it (orders/tasks.py).
    language = models.CharField(max_length=10, default="en")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="order_customer_created")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Order {self.reference}"

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", kwargs={"reference": self.reference})

    def get_private_url(self) -> str:
        """The order's unguessable link: works for whoever holds it (guests' only way back)."""
        return f"{self.get_absolute_url()}?key={self.access_key}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())

    @property
    def can_be_cancelled(self) -> bool:
        """Customers may cancel only until the order is paid; staff may cancel paid ones too."""
        return self.status == self.Status.PENDING

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines.all())


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # PROTECT: an ordered product is withdrawn (is_active=False), not deleted, so a cancellation can restock it.
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    # SET_NULL: the snapshots below say what was bought even when the variant is gone.
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product_name = models.CharField(max_length=200)
    options_text = models.CharField(max_length=200, blank=True, help_text="The variant's options: Size M, Colour Blue.")
    sku = models.CharField("SKU", max_length=255, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.UniqueConstraint(fields=["order", "variant"], name="order_line_one_per_variant"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"


class OrderStatusChange(models.Model):
    """The order's history: every status it took, when, and who moved it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Order.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Order.Status.choices)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.order}: {self.from_status or 'new'} → {self.to_status}"
