"""Facets of the catalog: brand and every option type (Size, Colour…) as checkbox groups, each value
with the number of products it would give together with the other active filters.

- The URL names them like the variant picker does (storefront/picker.py): `?brand=ironhearth&size=m
  &colour=navy`, the key the slug of the option type's name, each value a slug. Values of one group OR,
  groups AND with each other and with search, category, price and stock.
- A product matches the chosen option values when ONE of its active variants has them all ("a navy M
  exists"), not when one variant is navy and another is M: that is what a shopper filtering by size
  and colour means, and what the product page can then sell.
- Counts are disjunctive: a group's counts are taken with that group's own choice left out, so a
  value says what ticking it would give. One grouped query per group, never one per value.
- Counts and the vocabulary (brands, option values) are cached under the catalog's version
  (storefront/catalog_version.py), which what changes them bumps; the results themselves are never
  cached.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.text import slugify

from .catalog_version import catalog_version
from .models import OptionValue, Product, ProductQuerySet, Variant

MAX_FACET_VALUES = 20  # more values for one parameter is refused (400)
MAX_FACET_VALUE_LENGTH = 50
BRANDS_SHOWN = 8  # the rest behind "More brands"
FACET_CACHE_SECONDS = 300
# Parameters of the filter form: an option type whose slug is one of them is named option-<id>.
RESERVED_PARAMS = frozenset({"q", "category", "min_price", "max_price", "in_stock", "sort", "page", "brand"})


@dataclass(frozen=True)
class FacetType:
    """An option type as a filter: its URL parameter and its values as (slug, value id, label)."""

    param: str
    option_type_id: int
    name: str
    values: tuple[tuple[str, int, str], ...]


@dataclass(frozen=True)
class Vocabulary:
    """Every value a facet parameter may name: brands of active products (slug → name), option types."""

    brands: tuple[tuple[str, str], ...]
    types: tuple[FacetType, ...]


@dataclass(frozen=True)
class FacetOption:
    """One checkbox: `label` is "<value> (<count>)"; disabled when it would give no products and is
    not ticked (a ticked one stays enabled so that it can be unticked). Its id is made of the slug, so
    that a swap which lists other values keeps the keyboard focus on the same checkbox."""

    id: str
    value: str
    label: str
    checked: bool
    disabled: bool


@dataclass
class FacetGroup:
    """One checkbox group as the template shows it (a fieldset whose legend is `label`)."""

    param: str
    label: str
    errors: list[str]
    options: list[FacetOption] = field(default_factory=list)
    more: list[FacetOption] = field(default_factory=list)  # behind "More brands"
    more_open: bool = False


def _cached(name: str, key: str, compute: Any) -> Any:
    full_key = f"catalog-facets:{name}:{catalog_version()}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    found = cache.get(full_key)
    if found is None:
        found = compute()
        cache.set(full_key, found, FACET_CACHE_SECONDS)
    return found


def _unique_slugs(labels: list[str], fallback: list[str]) -> list[str]:
    slugs: list[str] = []
    for label, other in zip(labels, fallback, strict=True):
        slug = slugify(label) or other
        slugs.append(slug if slug not in slugs else f"{slug}-{other}")
    return slugs


def _load_vocabulary() -> Vocabulary:
    """Two queries: the active products' brands, every option value with its type."""
    names = list(
        Product.objects.available().exclude(brand="").order_by("brand").values_list("brand", flat=True).distinct()
    )
    brands = tuple(zip(_unique_slugs(names, [str(n) for n in range(len(names))]), names, strict=True))
    by_type: dict[int, list[OptionValue]] = {}
    for value in OptionValue.objects.select_related("option_type"):
        by_type.setdefault(value.option_type_id, []).append(value)
    types = []
    for type_id, values in by_type.items():
        option_type = values[0].option_type
        param = slugify(option_type.name)
        if not param or param in RESERVED_PARAMS:
            param = f"option-{type_id}"
        slugs = _unique_slugs([v.value for v in values], [str(v.pk) for v in values])
        types.append(
            FacetType(
                param, type_id, option_type.name, tuple((s, v.pk, v.value) for s, v in zip(slugs, values, strict=True))
            )
        )
    return Vocabulary(brands, tuple(types))


def vocabulary() -> Vocabulary:
    result: Vocabulary = _cached("vocabulary", "", _load_vocabulary)
    return result


@dataclass(frozen=True)
class Selection:
    """What the facet parameters chose: brand names, and value ids per option type id."""

    brands: tuple[str, ...] = ()
    options: tuple[tuple[int, tuple[int, ...]], ...] = ()

    def without_type(self, option_type_id: int) -> "Selection":
        return Selection(self.brands, tuple((t, ids) for t, ids in self.options if t != option_type_id))


def variants_having(options: tuple[tuple[int, tuple[int, ...]], ...], *, probe: bool = False) -> QuerySet[Variant]:
    """Active variants that have one of the chosen values of every option type named.

    probe: ask each variant's values (the (variant, value) index) rather than list every variant that
    has the values first: cheaper when few variants are asked about (a brand's products)."""
    variants = Variant.objects.filter(is_active=True)
    through = Variant.option_values.through.objects
    for _type_id, value_ids in options:
        if probe:
            variants = variants.filter(Exists(through.filter(variant_id=OuterRef("pk"), optionvalue_id__in=value_ids)))
        else:
            variants = variants.filter(pk__in=through.filter(optionvalue_id__in=value_ids).values("variant_id"))
    return variants


def products_matching(products: ProductQuerySet, selection: Selection) -> ProductQuerySet:
    if selection.brands:
        products = products.filter(brand__in=selection.brands)
    if selection.options and selection.brands:
        # A brand narrows to a few hundred products: ask each of them (index on the variants' product).
        products = products.filter(
            Exists(variants_having(selection.options, probe=True).filter(product=OuterRef("pk")))
        )
    elif selection.options:
        # Otherwise the variants with the values are fewer than the products: list them once.
        products = products.filter(pk__in=variants_having(selection.options).values("product_id"))
    return products


def facet_counts(
    *, scope: ProductQuerySet, narrowed: ProductQuerySet, selection: Selection, vocab: Vocabulary
) -> dict[str, dict[str, int]]:
    """{param: {value slug: products}} for every value with products in `scope` (search and category).

    `narrowed` is `scope` with price and stock applied; each group counts `narrowed` with every other
    group's choice, its own left out. One query per group."""
    counts: dict[str, dict[str, int]] = {}
    brand_slugs = {name: slug for slug, name in vocab.brands}
    narrowing = narrowed is not scope  # price or stock narrow the scope
    brand_filter = (
        Q(pk__in=products_matching(narrowed, Selection((), selection.options)).values("pk"))
        if narrowing or selection.options
        else None
    )
    rows = (
        scope.exclude(brand="")
        .order_by()
        .values("brand")
        .annotate(n=Count("pk", filter=brand_filter))
        .values_list("brand", "n")
    )
    counts["brand"] = {brand_slugs[brand]: n for brand, n in rows if brand in brand_slugs}
    through = Variant.option_values.through.objects
    for facet in vocab.types:
        rest = selection.without_type(facet.option_type_id)
        condition = Q()
        if narrowing or rest.brands:
            condition &= Q(variant__product__in=products_matching(narrowed, Selection(rest.brands)).values("pk"))
        if rest.options:
            condition &= Q(variant__in=variants_having(rest.options).values("pk"))
        value_rows = (
            through.filter(
                optionvalue_id__in=[value_id for _, value_id, _ in facet.values],
                variant__is_active=True,
                variant__product__in=scope.values("pk"),
            )
            .order_by()
            .values("optionvalue_id")
            .annotate(
                n=Count(
                    "variant__product_id",
                    distinct=True,
                    filter=condition or None,
                )
            )
        )
        slugs = {value_id: slug for slug, value_id, _ in facet.values}
        counts[facet.param] = {slugs[row["optionvalue_id"]]: row["n"] for row in value_rows}
    return counts


def cached_facet_counts(
    *, state: str, scope: ProductQuerySet, narrowed: ProductQuerySet, selection: Selection, vocab: Vocabulary
) -> dict[str, dict[str, int]]:
    """facet_counts, cached by the filter state (`state`: everything but sort and page)."""
    result: dict[str, dict[str, int]] = _cached(
        "counts",
        state,
        lambda: facet_counts(scope=scope, narrowed=narrowed, selection=selection, vocab=vocab),
    )
    return result
