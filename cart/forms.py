from django import forms

from .models import MAX_LINE_QUANTITY

QUANTITY_ERRORS = {
    "required": "Enter a quantity.",
    "invalid": "Enter a whole number.",
    "min_value": "The quantity must be at least 1. To take an item out, use Remove.",
    "max_value": f"At most {MAX_LINE_QUANTITY} of one product per order.",
}


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label="Quantity", min_value=1, max_value=MAX_LINE_QUANTITY, error_messages=QUANTITY_ERRORS
    )


class AddToCartForm(QuantityForm):
    # Where a shopper without JavaScript returns to; checked by the view before use.
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
