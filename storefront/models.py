import functools
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import FileExtensionValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LOW_STOCK_THRESHOLD = 5
# A product combines at most this many option types (Size, Colour, Material) and sells at most this
# many variants; the services and the admin refuse more.
MAX_OPTION_TYPES = 3
MAX_VARIANTS = 100


def stock_availability(quantity: int) -> str:
    """What the shopper reads about stock: "In stock", "Only 3 left" or "Out of stock"."""
    if quantity <= 0:
        return gettext("Out of stock")
    if quantity <= LOW_STOCK_THRESHOLD:
        return gettext("Only %(stock)s left") % {"stock": quantity}
    return gettext("In stock")


def validate_image_size(image: File[Any]) -> None:
    """A product picture of at most MAX_IMAGE_SIZE bytes."""
    if image.size > settings.MAX_IMAGE_SIZE:
        raise ValidationError(
            _("This picture is %(size)s MB; at most %(limit)s MB are accepted."),
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


class OptionType(models.Model):
    """A way products differ: Size, Colour, Material. Colour values may carry a swatch."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        COLOUR = "colour", _("Colour (values have a swatch)")

    name = models.CharField(max_length=50, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class OptionValue(models.Model):
    option_type = models.ForeignKey(OptionType, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField(default=0)
    swatch = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour as #rrggbb."))],
        help_text=_("For colours: the swatch as #rrggbb."),
    )

    class Meta:
        ordering = ["option_type__position", "option_type__name", "position", "value"]
        constraints = [
            models.UniqueConstraint(fields=["option_type", "value"], name="option_value_unique_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.option_type.name} {self.value}"


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

    def with_option_flag(self) -> "ProductQuerySet":
        """`has_option_types` (read by Product.has_options) in the same query."""
        through = Product.option_types.through.objects.filter(product_id=models.OuterRef("pk"))
        return self.annotate(has_option_types=models.Exists(through))

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
    brand = models.CharField(max_length=100, blank=True, db_index=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    # The sum of the stock of the product's active variants (Variant.stock_quantity is the truth),
    # kept by storefront.services in the transaction of every stock write: the catalog filters and
    # sorts on it (out_of_stock below) without touching the variants.
    stock_quantity = models.PositiveIntegerField(default=0)
    option_types = models.ManyToManyField(OptionType, blank=True, related_name="products")
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
            # The brand facet: brand IN (…) and active, two equalities, preferred to an ordering index.
            models.Index(fields=["brand", "is_active"], name="product_brand_active"),
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
        return stock_availability(self.stock_quantity)

    @property
    def has_options(self) -> bool:
        """Whether the shopper chooses a variant: annotated by with_option_flag or products_card_facts,
        else one query."""
        flag = getattr(self, "has_option_types", None)
        return bool(flag) if flag is not None else self.option_types.exists()


class Variant(models.Model):
    """One article a product sells: the default one of a product without options, or one combination
    of option values (Size M, Colour Blue). Its stock is the truth; the product's is their sum."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=255, unique=True)
    # NULL: the product's price (the data migration leaves every default variant so).
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: the product's price."),
    )
    stock_quantity = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    option_values = models.ManyToManyField(OptionValue, blank=True, related_name="variants")
    # describe_options() kept beside the values (storefront.services.variant_set_options), so that a
    # cart or an order shows a variant's options without a query per line; "" for a default variant.
    options_text = models.CharField(max_length=200, blank=True, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock_quantity__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(price__gte=0) | Q(price__isnull=True), name="variant_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def in_stock(self) -> bool:
        return self.stock_quantity > 0

    @property
    def availability(self) -> str:
        return stock_availability(self.stock_quantity)

    @property
    def unit_price(self) -> Decimal:
        return self.product.price if self.price is None else self.price

    def describe_options(self) -> str:
        """ "Size M, Colour Blue" from the option values, in the option types' order ("" for none)."""
        values = sorted(
            self.option_values.select_related("option_type"),
            key=lambda v: (v.option_type.position, v.option_type.name, v.option_type_id),
        )
        return ", ".join(f"{value.option_type.name} {value.value}" for value in values)

    @property
    def display_name(self) -> str:
        """What the shopper reads in messages: the product's name, with the options when there are."""
        options = self.options_text
        return f"{self.product.name} ({options})" if options else self.product.name

    def clean(self) -> None:
        if self.pk is None:
            return  # the option values of a new variant are checked by variant_option_problem on save
        problem = variant_option_problem(self.product, list(self.option_values.all()))
        if problem:
            raise ValidationError(problem)


def variant_option_problem(product: Product, values: list[OptionValue]) -> str:
    """Why these option values cannot make a variant of `product`, or "". One value per option type,
    only the product's option types (at most MAX_OPTION_TYPES)."""
    types = [value.option_type_id for value in values]
    if len(types) != len(set(types)):
        return str(_("A variant takes at most one value of each option type."))
    if product.pk is not None and values:
        allowed = set(product.option_types.values_list("pk", flat=True))
        if not set(types) <= allowed:
            return str(_("A variant takes values only of its product's option types."))
    if len(set(types)) > MAX_OPTION_TYPES:
        return str(_("A product combines at most %(count)s option types.") % {"count": MAX_OPTION_TYPES})
    return ""


class ProductPictureQuerySet(models.QuerySet["ProductPicture"]):
    def firsts(self) -> "ProductPictureQuerySet":
        """Only each product's first picture (by position), in one query: a lookup of the
        picture_product_position index per product (a third cheaper to build and run than a window)."""
        first = ProductPicture.objects.filter(product=models.OuterRef("product")).order_by("position", "id")
        return self.filter(pk=models.Subquery(first.values("pk")[:1]))


class ProductPicture(models.Model):
    """One picture of a product, in its order, with its alt text. A picture with a colour belongs to
    that colour's variants: choosing Blue shows the Blue pictures first (`pictures_for_variant`).

    `renditions` records the scaled copies made by storefront.pictures (name, width, height, format),
    so that a page builds its srcset from the row it already loaded, without asking the storage."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="pictures")
    position = models.PositiveSmallIntegerField(default=0)
    image = models.FileField(
        upload_to="products/",
        max_length=200,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "svg"]), validate_image_size],
    )
    alt_text = models.CharField(
        max_length=200,
        help_text=_("What the picture shows, for people who cannot see it: “Blue Trail Runner, side view”."),
    )
    # A colour option value rather than variants: every variant of that colour shares the pictures,
    # and the picker already holds the chosen variant's values, so ordering costs no query.
    colour = models.ForeignKey(
        OptionValue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pictures",
        limit_choices_to={"option_type__kind": OptionType.Kind.COLOUR},
        help_text=_("Empty: the picture shows every variant."),
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    renditions = models.JSONField(default=list, blank=True, editable=False)

    objects = ProductPictureQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "position", "id"]
        indexes = [models.Index(fields=["product", "position", "id"], name="picture_product_position")]

    def __str__(self) -> str:
        return self.alt_text

    @property
    def is_raster(self) -> bool:
        return not (self.image.name or "").lower().endswith(".svg")

    def srcset(self, format_: str, box: int = 0) -> str:
        """ "…-320.webp 320w, …-640.webp 640w" from the recorded renditions of `format_` ("" if none).

        With `box` (the CSS width the picture is shown at), only the widths a browser would pick for
        it: from the box to twice the box (high-density screens), else the widest one below the box;
        the fallback's widest is the original itself, at its own width."""
        found = [(r["width"], r["name"]) for r in self.renditions if r["format"] == format_]
        if format_ == "FALLBACK" and self.width:
            found.append((self.width, self.image.name))
        if box:
            wanted = [item for item in found if box <= item[0] <= 2 * box]
            below = [item for item in found if item[0] < box]
            found = wanted or sorted(below)[-1:]
        return ", ".join(f"{media_url(name)} {width}w" for width, name in sorted(found))

    def size_for(self, width: int) -> tuple[int, int]:
        """The width and height attributes for a picture shown `width` pixels wide (its ratio kept)."""
        if not self.width or not self.height:
            return width, width * 3 // 4
        return width, round(width * self.height / self.width)


@functools.lru_cache(maxsize=4096)
def _media_url(base: object, name: str) -> str:
    return default_storage.url(name)


def media_url(name: str) -> str:
    """The storage's URL of a stored file, remembered: pictures share files (the demo's drawings, and
    every card's renditions), and building a URL is a good part of a catalog page's time otherwise."""
    return _media_url(getattr(default_storage, "base_url", None), name)


def pictures_for_variant(pictures: list[ProductPicture], variant: "Variant | None") -> list[ProductPicture]:
    """`pictures` (in position order) with those of the variant's colour first."""
    if variant is None:
        return pictures
    values = {value.pk for value in variant.option_values.all()}
    return sorted(pictures, key=lambda picture: picture.colour_id not in values)


def first_pictures(products: list[Product]) -> None:
    """Each product's first picture as `product.first_picture` (None without), for a page in one query."""
    if not products:
        return
    firsts = {p.product_id: p for p in ProductPicture.objects.filter(product__in=[p.pk for p in products]).firsts()}
    for product in products:
        product.first_picture = firsts.get(product.pk)  # type: ignore[attr-defined]  # for the card template


def variants_first_pictures(variants: list["Variant"], *, by: list[int]) -> dict[int, ProductPicture]:
    """The picture that shows each variant best (the first of its colour, else its product's first), keyed
    by `by` (one key per variant: cart line ids, say). Two queries for any number of variants."""
    if not variants:
        return {}
    values: dict[int, set[int]] = {}
    through = Variant.option_values.through.objects.filter(variant_id__in=[v.pk for v in variants])
    for variant_id, value_id in through.values_list("variant_id", "optionvalue_id"):
        values.setdefault(variant_id, set()).add(value_id)
    pictures: dict[int, list[ProductPicture]] = {}
    for picture in ProductPicture.objects.filter(product_id__in={v.product_id for v in variants}):
        pictures.setdefault(picture.product_id, []).append(picture)
    found = {}
    for key, variant in zip(by, variants, strict=True):
        own = pictures.get(variant.product_id, [])
        chosen = next((p for p in own if p.colour_id in values.get(variant.pk, set())), own[0] if own else None)
        if chosen is not None:
            found[key] = chosen
    return found


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
    # The variant whose stock moved (NULL only for a variant deleted since).
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="stock_movements"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    change = models.IntegerField(help_text="Items added (positive) or taken (negative).")
    stock_after = models.PositiveIntegerField(help_text="The variant's stock right after this movement.")
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


def products_card_facts(products: list[Product]) -> None:
    """What the catalog's cards show beyond a product's row, for a whole page in one query: the
    lowest and highest price of its active variants (`min_price`, `max_price`), its number of
    colours (`colour_count`) and whether the shopper chooses options (`has_option_types`)."""
    if not products:
        return
    rows = (
        Variant.objects.filter(product__in=[p.pk for p in products], is_active=True)
        .values("product_id")
        .annotate(
            # A variant without a price sells at the product's: counted here, priced below, so
            # that the query needs no join with the products (nor reads their table again).
            min_price=models.Min("price"),
            max_price=models.Max("price"),
            at_product_price=models.Count("pk", distinct=True, filter=Q(price__isnull=True)),
            option_count=models.Count("option_values", distinct=True),
            colour_count=models.Count(
                "option_values", distinct=True, filter=Q(option_values__option_type__kind=OptionType.Kind.COLOUR)
            ),
        )
        .order_by()
    )
    facts: dict[int, dict[str, Any]] = {row["product_id"]: dict(row) for row in rows}
    for product in products:
        row = facts.get(product.pk, {})
        prices = [row[key] for key in ("min_price", "max_price") if row.get(key) is not None]
        if row.get("at_product_price", 1) or not prices:
            prices.append(product.price)
        card = {
            "min_price": min(prices),
            "max_price": max(prices),
            "has_option_types": row.get("option_count", 0) > 0,
            "colour_count": row.get("colour_count", 0),
        }
        for name, value in card.items():  # attributes for the card template, not fields
            setattr(product, name, value)
