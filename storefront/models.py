from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

LOW_STOCK_THRESHOLD = 5


def validate_image_size(image: File[Any]) -> None:
    """A product picture of at most MAX_IMAGE_SIZE bytes."""
    if image.size > settings.MAX_IMAGE_SIZE:
        raise ValidationError(
            "This picture is %(size)s MB; at most %(limit)s MB are accepted.",
            params={"size": f"{image.size / 1_000_000:.1f}", "limit": f"{settings.MAX_IMAGE_SIZE / 1_000_000:g}"},
            code="too_large",
        )


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('storefront:product_list')}?category={self.slug}"


class ProductQuerySet(models.QuerySet["Product"]):
    # Each ordering ends on the primary key so that pages never overlap or skip a product.
    SORTS: dict[str, tuple[str, ...]] = {
        "price": ("price", "id"),
        "-price": ("-price", "-id"),
        "name": ("name", "id"),
        "newest": ("-created_at", "-id"),
    }

    def available(self) -> "ProductQuerySet":
        """Products a shopper may see: active ones."""
        return self.filter(is_active=True)

    def in_stock(self) -> "ProductQuerySet":
        # The same rows as stock_quantity > 0, on the indexed column.
        return self.filter(out_of_stock=0)

    def search(self, query: str) -> "ProductQuerySet":
        """Every word of the query must appear in the name or the description."""
        queryset = self
        for word in query.split()[:10]:
            queryset = queryset.filter(Q(name__icontains=word) | Q(description__icontains=word))
        return queryset

    def price_between(self, minimum: Decimal | None, maximum: Decimal | None) -> "ProductQuerySet":
        queryset = self
        if minimum is not None:
            queryset = queryset.filter(price__gte=minimum)
        if maximum is not None:
            queryset = queryset.filter(price__lte=maximum)
        return queryset

    def sorted_by(self, sort: str) -> "ProductQuerySet":
        if sort in self.SORTS:
            return self.order_by(*self.SORTS[sort])
        # "Featured": what can be bought now first, newest first within that; served by the
        # product_active_featured index through the stored out_of_stock column.
        return self.order_by("out_of_stock", "-created_at", "-id")


class Product(models.Model):
    # No index of its own: product_category_active (category, is_active) serves lookups by category.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products", db_index=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    stock_quantity = models.PositiveIntegerField(default=0)
    image = models.FileField(
        upload_to="products/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "svg"]), validate_image_size],
    )
    is_active = models.BooleanField(default=True, help_text="Inactive products are hidden from the shop.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # 0 while the product can be bought, 1 once its stock is gone: kept by the database so that
    # the "featured" order (in stock first, then newest) and the in-stock filter can use an index.
    out_of_stock = models.GeneratedField(
        expression=Case(When(stock_quantity__gt=0, then=Value(0)), default=Value(1)),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["is_active", "price", "id"], name="product_active_price"),
            models.Index(fields=["is_active", "name", "id"], name="product_active_name"),
            models.Index(fields=["is_active", "created_at", "id"], name="product_active_created"),
            models.Index(fields=["is_active", "out_of_stock", "-created_at", "-id"], name="product_active_featured"),
            models.Index(fields=["category", "is_active"], name="product_category_active"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("storefront:product_detail", kwargs={"slug": self.slug})

    @property
    def in_stock(self) -> bool:
        return self.stock_quantity > 0

    @property
    def availability(self) -> str:
        """What the shopper reads about stock: "In stock", "Only 3 left" or "Out of stock"."""
        if self.stock_quantity <= 0:
            return gettext("Out of stock")
        if self.stock_quantity <= LOW_STOCK_THRESHOLD:
            return gettext("Only %(stock)s left") % {"stock": self.stock_quantity}
        return gettext("In stock")


class StockMovement(models.Model):
    """One change of a product's stock: why, by how much, what it left, who made it and when.

    Every write to `Product.stock_quantity` goes through storefront.services or the order services,
    which record one of these beside it, so the current stock can always be explained."""

    class Kind(models.TextChoices):
        SALE = "sale", "Sale"
        CANCEL = "cancel", "Order cancelled"
        RETURN = "return", "Customer return"
        ADJUSTMENT = "adjustment", "Staff adjustment"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_movements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    change = models.IntegerField(help_text="Items added (positive) or taken (negative).")
    stock_after = models.PositiveIntegerField(help_text="The product's stock right after this movement.")
    # The order behind a sale or a cancellation (its reference: the catalog knows nothing of orders).
    reference = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["product", "-at", "-id"], name="stock_movement_product_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.change:+d} → {self.stock_after} ({self.product})"
