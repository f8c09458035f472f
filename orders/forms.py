import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storefront.money import format_money

from .methods import (
    DEFAULT_PAYMENT_METHOD,
    DEFAULT_SHIPPING_METHOD,
    PAYMENT_METHODS,
    SHIPPING_METHODS,
    country_choices,
)
from .services import OrderDetails

postcode_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$", _("Enter a postcode of letters, digits, spaces or hyphens.")
)


def shipping_choices() -> list[tuple[str, str]]:
    choices = []
    for method in SHIPPING_METHODS.values():
        price = format_money(method.price)
        if method.free_from_threshold:
            free_from = gettext("free from %(threshold)s") % {
                "threshold": format_money(settings.FREE_SHIPPING_THRESHOLD)
            }
            price = f"{price}, {free_from}"
        choices.append((method.code, f"{method.label} ({method.delivery_time}): {price}"))
    return choices


def payment_choices() -> list[tuple[str, str]]:
    return [(method.code, f"{method.label}: {method.description}") for method in PAYMENT_METHODS.values()]


class CheckoutForm(forms.Form):
    """The order form. Prices are not in it: the server computes every amount."""

    # Fields validated one by one while the shopper fills the form in (see orders.views.place_order).
    LIVE_FIELDS = (
        "email",
        "shipping_name",
        "shipping_address",
        "shipping_postcode",
        "shipping_city",
        "shipping_country",
    )

    email = forms.EmailField(label=_("Email"), max_length=254, help_text=_("We send your confirmation here."))
    shipping_name = forms.CharField(label=_("Full name"), max_length=100)
    shipping_address = forms.CharField(label=_("Address"), max_length=200, help_text=_("Street, number, flat."))
    # Postcode before city, as the page shows them: the error summary lists the fields in this order.
    shipping_postcode = forms.CharField(label=_("Postcode"), max_length=12, validators=[postcode_validator])
    shipping_city = forms.CharField(label=_("City"), max_length=100)
    shipping_country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    shipping_method = forms.ChoiceField(
        label=_("Shipping method"), choices=shipping_choices, widget=forms.RadioSelect, initial=DEFAULT_SHIPPING_METHOD
    )
    payment_method = forms.ChoiceField(
        label=_("Payment method"), choices=payment_choices, widget=forms.RadioSelect, initial=DEFAULT_PAYMENT_METHOD
    )
    # One key per rendering of the form: submitting it twice finds the first order.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    # The lines the shopper saw ("variant id:quantity:unit price,…"; the price may be missing on a page
    # from before it was added): the order is refused, saying what changed, if the cart changed since
    # (in another tab, say) or a price moved.
    reviewed_lines = forms.RegexField(
        regex=r"^(\d{1,18}:\d{1,3}(:\d{1,13}\.\d{2})?(,\d{1,18}:\d{1,3}(:\d{1,13}\.\d{2})?){0,199})?$",
        widget=forms.HiddenInput,
        required=False,
        max_length=7400,
    )
    # The goods' subtotal the shopper saw; the order is refused if prices moved since.
    reviewed_subtotal = forms.DecimalField(
        widget=forms.HiddenInput, required=False, max_digits=12, decimal_places=2, min_value=0
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        autocomplete = {
            "email": "email",
            "shipping_name": "name",
            "shipping_address": "address-line1",  # one line; street-address is for a multi-line field
            "shipping_city": "address-level2",
            "shipping_postcode": "postal-code",
            "shipping_country": "country",
        }
        for name, token in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = token

    def details(self) -> OrderDetails:
        data = self.cleaned_data
        return OrderDetails(
            email=data["email"],
            shipping_name=data["shipping_name"],
            shipping_address=data["shipping_address"],
            shipping_city=data["shipping_city"],
            shipping_postcode=data["shipping_postcode"].upper(),
            shipping_country=data["shipping_country"],
            shipping_method=data["shipping_method"],
            payment_method=data["payment_method"],
        )

    def _reviewed(self) -> list[list[str]]:
        raw = self.cleaned_data.get("reviewed_lines") or ""
        return [entry.split(":") for entry in raw.split(",")] if raw else []

    def reviewed_cart(self) -> dict[int, int] | None:
        """The quantities the shopper reviewed, by variant, or None when the form did not say."""
        reviewed = self._reviewed()
        return {int(entry[0]): int(entry[1]) for entry in reviewed} if reviewed else None

    def reviewed_prices(self) -> dict[int, Decimal]:
        """The unit prices the shopper was shown, by variant (none from an older page)."""
        return {int(entry[0]): Decimal(entry[2]) for entry in self._reviewed() if len(entry) == 3}

    def chosen_shipping_method(self) -> str:
        """The shipping method to price the summary with, even while the form is invalid."""
        value = self.data.get("shipping_method") if self.is_bound else None
        return value if value in SHIPPING_METHODS else DEFAULT_SHIPPING_METHOD
