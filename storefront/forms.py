import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from .models import Category, ProductQuerySet

SORT_CHOICES = [
    ("featured", "Featured"),
    ("price", "Price: low to high"),
    ("-price", "Price: high to low"),
    ("name", "Name: A to Z"),
    ("newest", "Newest first"),
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

    q = forms.CharField(label="Search", required=False, max_length=100)
    category = forms.ModelChoiceField(
        label="Category",
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All categories",
        error_messages={"invalid_choice": "There is no such category."},
    )
    min_price = forms.DecimalField(
        label="Min price",
        required=False,
        min_value=0,
        max_value=settings.CATALOG_MAX_PRICE,
        decimal_places=2,
        widget=NumberInput,
    )
    max_price = forms.DecimalField(
        label="Max price",
        required=False,
        min_value=0,
        max_value=settings.CATALOG_MAX_PRICE,
        decimal_places=2,
        widget=NumberInput,
    )
    in_stock = forms.BooleanField(label="In stock only", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        choices=SORT_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose one of the listed sort orders."},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        minimum, maximum = cleaned.get("min_price"), cleaned.get("max_price")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error("max_price", "Max price must not be below min price.")
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
        shown: list[tuple[str, str, str]] = []
        if data.get("q"):
            shown.append(("q", "Search", data["q"]))
        if data.get("category"):
            shown.append(("category", "Category", data["category"].name))
        for name in ("min_price", "max_price"):
            if data.get(name) is not None:
                shown.append((name, str(self.fields[name].label), _plain_amount(data[name])))
        if data.get("in_stock"):
            shown.append(("in_stock", "Availability", "In stock only"))
        return [ActiveFilter(label, value, self._query_without(name)) for name, label, value in shown]

    def _query_without(self, name: str) -> str:
        query: QueryDict = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        for key in (name, "page"):
            query.pop(key, None)
        encoded = query.urlencode()
        url = reverse("storefront:product_list")
        return f"{url}?{encoded}" if encoded else url


def _plain_amount(value: Decimal) -> str:
    return f"{value:,.2f}"
