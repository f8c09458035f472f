import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import facets
from .catalog_version import catalog_version
from .models import Category, Product, ProductQuerySet
from .money import format_amount

SORT_CHOICES = [
    ("featured", _("Featured")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
    ("name", _("Name: A to Z")),
    ("newest", _("Newest first")),
]


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    value: str
    remove_url: str


# A valid floating-point number as HTML defines it for <input type="number">.
HTML_NUMBER = re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?")


class NumberInput(forms.NumberInput):
    """A number box that never shows what is not a number: `min_price=abc` would be an invalid
    value for <input type="number">. The error beside it says what was wrong."""

    def format_value(self, value: object) -> str | None:
        formatted = super().format_value(value)
        return formatted if formatted is None or HTML_NUMBER.fullmatch(formatted) else None


class FacetField(forms.MultipleChoiceField):
    """Several values of one facet parameter (`?size=m&size=l`): at most MAX_FACET_VALUES."""

    # Validation only: the catalog draws the checkboxes from facet_groups() (partials/storefront/_facets.html),
    # which is several times cheaper than a widget per value on a page that lists fifty brands.
    widget = forms.CheckboxSelectMultiple
    default_error_messages = {
        "invalid_choice": _("“%(value)s” is not one of the listed values."),
        "too_many": _("Choose at most %(limit)s values."),
    }

    def to_python(self, value: Any) -> list[str]:
        values = super().to_python(value)
        if len(values) > facets.MAX_FACET_VALUES:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": facets.MAX_FACET_VALUES}
            )
        return [item[: facets.MAX_FACET_VALUE_LENGTH] for item in values]


class ProductFilterForm(forms.Form):
    """Validates the catalog's query string. Invalid values are reported and ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
        error_messages={"invalid_choice": _("There is no such category.")},
    )
    min_price = forms.DecimalField(
        label=_("Min price"),
        required=False,
        min_value=0,
        max_value=settings.CATALOG_MAX_PRICE,
        decimal_places=2,
        widget=NumberInput,
    )
    max_price = forms.DecimalField(
        label=_("Max price"),
        required=False,
        min_value=0,
        max_value=settings.CATALOG_MAX_PRICE,
        decimal_places=2,
        widget=NumberInput,
    )
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the listed sort orders.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Brand and every option type, after the category (the vocabulary comes from the cache).
        self.vocabulary = facets.vocabulary()
        fields = list(self.fields.items())
        position = [name for name, _ in fields].index("category") + 1
        self.facet_choices: dict[str, list[tuple[str, str]]] = {"brand": list(self.vocabulary.brands)}
        labels = {"brand": str(_("Brand"))}  # the form is made per request, in its language
        for facet in self.vocabulary.types:
            self.facet_choices[facet.param] = [(slug, label) for slug, _id, label in facet.values]
            labels[facet.param] = facet.name
        added: list[tuple[str, forms.Field]] = [
            (name, FacetField(label=labels[name], required=False, choices=choices))
            for name, choices in self.facet_choices.items()
        ]
        self.fields = dict(fields[:position] + added + fields[position:])
        self.facet_names = [name for name, _ in added]

    def too_many_values(self) -> bool:
        """Whether a facet parameter came more often than allowed (answered 400, not 422)."""
        return any(self.has_error(name, "too_many") for name in self.facet_names)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        minimum, maximum = cleaned.get("min_price"), cleaned.get("max_price")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error("max_price", _("Max price must not be below min price."))
        return cleaned

    def filter(self, products: ProductQuerySet) -> ProductQuerySet:
        """Apply every valid filter and the sort order; call after is_valid()."""
        products = facets.products_matching(self._narrow(self._scope(products)), self.selection())
        return products.sorted_by(self.cleaned_data.get("sort") or "featured")

    def _scope(self, products: ProductQuerySet) -> ProductQuerySet:
        """What the facets list values for: the search and the category."""
        data = self.cleaned_data
        if data.get("q"):
            products = products.search(data["q"])
        if data.get("category"):
            products = products.filter(category=data["category"])
        return products

    def _narrow(self, products: ProductQuerySet) -> ProductQuerySet:
        data = self.cleaned_data
        if data.get("min_price") is None and data.get("max_price") is None and not data.get("in_stock"):
            return products
        products = products.price_between(data.get("min_price"), data.get("max_price"))
        return products.in_stock() if data.get("in_stock") else products

    def selection(self) -> facets.Selection:
        data = self.cleaned_data
        brands = dict(self.vocabulary.brands)
        options = []
        for facet in self.vocabulary.types:
            ids = {slug: value_id for slug, value_id, _ in facet.values}
            chosen = tuple(sorted(ids[slug] for slug in set(data.get(facet.param) or ())))
            if chosen:
                options.append((facet.option_type_id, chosen))
        return facets.Selection(tuple(sorted(brands[slug] for slug in set(data.get("brand") or ()))), tuple(options))

    def facet_state(self) -> str:
        """The filter state the facets' counts depend on: everything but sort and page."""
        data = self.cleaned_data
        return repr(
            (
                data.get("q") or "",
                data["category"].pk if data.get("category") else None,
                str(data.get("min_price")),
                str(data.get("max_price")),
                bool(data.get("in_stock")),
                self.selection(),
            )
        )

    def facets_key(self) -> str:
        """Everything the facets' markup shows (partials/storefront/_facets.html caches it under this):
        the catalog's version, the filter state, the ticks as sent, the facet fields' errors and the
        language of the labels."""
        sent = {
            name: sorted(self.data.getlist(name)) if hasattr(self.data, "getlist") else self.data.get(name)
            for name in self.facet_names
        }
        errors = {name: [str(error) for error in self[name].errors] for name in self.facet_names}
        return repr((catalog_version(), self.facet_state(), sent, errors, get_language()))

    def facet_groups(self) -> list[facets.FacetGroup]:
        """The checkbox groups with their counts (cached per filter state; see storefront/facets.py).
        A group none of whose values gives a product is left out, unless one of its values is ticked."""
        data = self.cleaned_data
        scope = self._scope(Product.objects.available())
        narrowed = self._narrow(scope)
        selection = self.selection()
        counts = facets.cached_facet_counts(
            state=self.facet_state(), scope=scope, narrowed=narrowed, selection=selection, vocab=self.vocabulary
        )
        groups = []
        for name in self.facet_names:
            chosen = set(data.get(name) or ())
            group_counts = counts.get(name, {})
            if not chosen and not any(group_counts.values()):
                continue
            bound = self[name]
            group = facets.FacetGroup(name, str(bound.label), [str(error) for error in bound.errors])
            for slug, label in self.facet_choices[name]:
                if slug in group_counts or slug in chosen:
                    count = group_counts.get(slug, 0)
                    group.options.append(
                        facets.FacetOption(
                            f"id_{name}_{slug}",
                            slug,
                            f"{label} ({count})",
                            slug in chosen,
                            not count and slug not in chosen,
                        )
                    )
            if name == "brand" and len(group.options) > facets.BRANDS_SHOWN + 2:
                group.options, group.more = group.options[: facets.BRANDS_SHOWN], group.options[facets.BRANDS_SHOWN :]
                group.more_open = any(option.checked for option in group.more)
            groups.append(group)
        return groups

    def active_filters(self) -> list[ActiveFilter]:
        """The filters in effect, each with the query string that removes it (and the page)."""
        data = self.cleaned_data
        shown: list[tuple[str, object, object]] = []
        if data.get("q"):
            shown.append(("q", _("Search"), data["q"]))
        if data.get("category"):
            shown.append(("category", _("Category"), data["category"].name))
        for name in ("min_price", "max_price"):
            if data.get(name) is not None:
                shown.append((name, self.fields[name].label, format_amount(data[name])))
        if data.get("in_stock"):
            shown.append(("in_stock", _("Availability"), _("In stock only")))
        chips = [ActiveFilter(str(label), str(value), self._query_without(name)) for name, label, value in shown]
        for name in self.facet_names:  # one chip per ticked value
            labels = dict(self.facet_choices[name])
            for slug in data.get(name) or ():
                label = str(self.fields[name].label)
                chips.append(ActiveFilter(label, str(labels[slug]), self._query_without(name, slug)))
        return chips

    def _query_without(self, name: str, value: str | None = None) -> str:
        query: QueryDict = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        if value is not None:
            query.setlist(name, [item for item in query.getlist(name) if item != value])
            query.pop("page", None)
        else:
            for key in (name, "page"):
                query.pop(key, None)
        encoded = query.urlencode()
        url = reverse("storefront:product_list")
        return f"{url}?{encoded}" if encoded else url
