"""Samples for the fragment catalogue (config/fragments.py): one function per template in
partials/orders/, named after it, returning its sample context."""

import uuid

from django.http import HttpRequest

from cart.fragments import sample_cart
from config.fragments import sample

from .forms import CheckoutForm
from .methods import SHIPPING_METHODS
from .services import order_totals


def _order_form() -> dict[str, object]:
    form = CheckoutForm(initial={"email": "ann@example.com", "submission_key": uuid.UUID(int=1)})
    cart = sample_cart()
    totals = order_totals(subtotal=cart.subtotal, shipping_method="standard")
    return {"form": form, "cart": cart, "totals": totals, "shipping": SHIPPING_METHODS["standard"]}


@sample(
    target="checkout",
    needs="form, cart, totals, shipping, error, problems",
    returned_by="orders:place_order (htmx POST that is refused: 422 with the errors)",
)
def checkout(request: HttpRequest) -> dict[str, object]:
    return _order_form()


@sample(
    target="checkout-field-<field name>",
    needs="field",
    returned_by="orders:place_order with _validate=<field name> (when the shopper leaves a field)",
)
def checkout_field(request: HttpRequest) -> dict[str, object]:
    form = CheckoutForm({"email": "not-an-address"})
    form.is_valid()
    return {"field": form["email"]}


@sample(
    target="checkout-summary",
    needs="cart, totals, shipping",
    returned_by="orders:place_order with _validate=shipping_method",
)
def checkout_summary(request: HttpRequest) -> dict[str, object]:
    return _order_form()
