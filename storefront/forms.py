import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Category, ProductQuerySet
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

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        minimum, maximum = cleaned.get("min_price"), cleaned.get("max_price")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error("max_price", _("Max price must not be below min price."))
        return cleaned

    def filter(self, products: ProductQuerySet) -> ProductQuerySet:
        """Apply every valid filter and the sort order; call after is_valid()."""
        data = self.cleaned_data
        if data.get("q"):
            products = products.search(data["q"])
        if data.get("category"):
            products = products.filter(category=data["category"])
        products = products.price_between(data.get("min_price"), data.get("max_price"))
        if data.get("in_stock"):
            products = products.in_stock()
        return products.sorted_by(data.get("sort") or "featured")

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
        return [ActiveFilter(str(label), str(value), self._query_without(name)) for name, label, value in shown]

    def _query_without(self, name: str) -> str:
        query: QueryDict = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        for key in (name, "page"):
            query.pop(key, None)
        encoded = query.urlencode()
        url = reverse("storefront:product_list")
        return f"{url}?{encoded}" if encoded else url
