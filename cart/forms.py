import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import MAX_LINE_QUANTITY

QUANTITY_ERRORS = {
    "required": _("Enter a quantity."),
    "invalid": _("Enter a whole number."),
    "min_value": _("The quantity must be at least 1. To take an item out, use Remove."),
    "max_value": _("At most %(limit_value)s of one product per order."),
}
ASCII_DIGITS = re.compile(r"[0-9]+")


class QuantityField(forms.IntegerField):
    """A whole number in the digits 0 to 9 only: int() alone would also read "٣" as 3, "1_0" as 10,
    "+5" and "5.0" as 5."""

    def to_python(self, value: object) -> int | None:
        if isinstance(value, str) and value.strip() and not ASCII_DIGITS.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class QuantityForm(forms.Form):
    quantity = QuantityField(
        label=_("Quantity"), min_value=1, max_value=MAX_LINE_QUANTITY, error_messages=QUANTITY_ERRORS
    )


class AddToCartForm(QuantityForm):
    # Where a shopper without JavaScript returns to; checked by the view before use.
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    # One per rendering of the form: sent twice, it adds once (cart.services.cart_add_product).
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Which variant of the product (optional for a product that sells one): an id, in ASCII digits.
    variant = forms.RegexField(
        regex=r"^[0-9]{1,18}$",
        required=False,
        max_length=18,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Choose one of the offered options.")},
    )
