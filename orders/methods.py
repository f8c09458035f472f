"""Shipping and payment methods the order form offers.

A payment method is a small object with a code, a label and what the customer must do after
ordering; a card gateway added later is one more `PaymentMethod` subclass in `PAYMENT_METHODS`
whose `after_order` starts the payment.
"""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from storefront.money import format_money

if TYPE_CHECKING:
    from .models import Order

COUNTRY_NAMES = {
    "AT": _("Austria"),
    "BE": _("Belgium"),
    "CH": _("Switzerland"),
    "CZ": _("Czechia"),
    "DE": _("Germany"),
    "DK": _("Denmark"),
    "ES": _("Spain"),
    "FI": _("Finland"),
    "FR": _("France"),
    "GB": _("United Kingdom"),
    "IE": _("Ireland"),
    "IT": _("Italy"),
    "LU": _("Luxembourg"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "SE": _("Sweden"),
    "US": _("United States"),
}


def country_choices() -> list[tuple[str, str]]:
    codes = [code for code in settings.SHIPPING_COUNTRIES if code in COUNTRY_NAMES]
    return sorted(((code, str(COUNTRY_NAMES[code])) for code in codes), key=lambda choice: _sort_key(choice[1]))


def _sort_key(name: str) -> str:
    # Alphabetical in the page's language, near enough: "Österreich" between "Niederlande" and "Polen".
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)).casefold()


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get(code, code))


@dataclass(frozen=True)
class ShippingMethod:
    code: str
    label: StrOrPromise  # translatable (gettext_lazy): shown in the page's or the email's language
    delivery_time: StrOrPromise
    free_from_threshold: bool

    @property
    def price(self) -> Decimal:
        return settings.SHIPPING_EXPRESS_PRICE if self.code == "express" else settings.SHIPPING_STANDARD_PRICE

    def cost(self, subtotal: Decimal) -> Decimal:
        if self.free_from_threshold and subtotal >= settings.FREE_SHIPPING_THRESHOLD:
            return Decimal("0.00")
        return self.price


SHIPPING_METHODS: dict[str, ShippingMethod] = {
    method.code: method
    for method in (
        ShippingMethod("standard", _("Standard delivery"), _("3–5 working days"), free_from_threshold=True),
        ShippingMethod("express", _("Express delivery"), _("next working day"), free_from_threshold=False),
    )
}
DEFAULT_SHIPPING_METHOD = "standard"


class PaymentMethod:
    code: str = ""
    label: StrOrPromise = ""
    description: StrOrPromise = ""

    def instructions(self, order: "Order") -> str:
        """What the customer must do now, shown on the order page and in the confirmation email."""
        raise NotImplementedError

    def after_order(self, order: "Order") -> None:
        """Hook run once the order is committed; an online gateway would start its payment here."""


class BankTransfer(PaymentMethod):
    code = "bank_transfer"
    label = _("Bank transfer")
    description = _("Pay by bank transfer; we ship as soon as the money arrives.")

    def instructions(self, order: "Order") -> str:
        return gettext(
            "Please transfer %(total)s to %(store)s, IBAN %(iban)s, BIC %(bic)s, with the reference "
            "%(reference)s. We ship your order when the payment arrives."
        ) % {
            "total": format_money(order.total_amount),
            "store": settings.STORE_NAME,
            "iban": settings.STORE_BANK_IBAN,
            "bic": settings.STORE_BANK_BIC,
            "reference": order.reference,
        }


class CashOnDelivery(PaymentMethod):
    code = "cash_on_delivery"
    label = _("Cash on delivery")
    description = _("Pay the courier in cash when your parcel arrives.")

    def instructions(self, order: "Order") -> str:
        return gettext("Please have %(total)s ready in cash for the courier.") % {
            "total": format_money(order.total_amount)
        }


PAYMENT_METHODS: dict[str, PaymentMethod] = {method.code: method for method in (BankTransfer(), CashOnDelivery())}
DEFAULT_PAYMENT_METHOD = "bank_transfer"
