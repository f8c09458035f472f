"""Shipping and payment methods the order form offers.

A payment method is a small object with a code, a label and what the customer must do after
ordering; a card gateway added later is one more `PaymentMethod` subclass in `PAYMENT_METHODS`
whose `after_order` starts the payment.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings

from storefront.money import format_money

if TYPE_CHECKING:
    from .models import Order

COUNTRY_NAMES = {
    "AT": "Austria",
    "BE": "Belgium",
    "CH": "Switzerland",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "IT": "Italy",
    "LU": "Luxembourg",
    "NL": "Netherlands",
    "NO": "Norway",
    "PL": "Poland",
    "PT": "Portugal",
    "SE": "Sweden",
    "US": "United States",
}


def country_choices() -> list[tuple[str, str]]:
    codes = [code for code in settings.SHIPPING_COUNTRIES if code in COUNTRY_NAMES]
    return sorted(((code, COUNTRY_NAMES[code]) for code in codes), key=lambda choice: choice[1])


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)


@dataclass(frozen=True)
class ShippingMethod:
    code: str
    label: str
    delivery_time: str
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
        ShippingMethod("standard", "Standard delivery", "3–5 working days", free_from_threshold=True),
        ShippingMethod("express", "Express delivery", "next working day", free_from_threshold=False),
    )
}
DEFAULT_SHIPPING_METHOD = "standard"


class PaymentMethod:
    code: str = ""
    label: str = ""
    description: str = ""

    def instructions(self, order: "Order") -> str:
        """What the customer must do now, shown on the order page and in the confirmation email."""
        raise NotImplementedError

    def after_order(self, order: "Order") -> None:
        """Hook run once the order is committed; an online gateway would start its payment here."""


class BankTransfer(PaymentMethod):
    code = "bank_transfer"
    label = "Bank transfer"
    description = "Pay by bank transfer; we ship as soon as the money arrives."

    def instructions(self, order: "Order") -> str:
        return (
            f"Please transfer {format_money(order.total_amount)} to {settings.STORE_NAME}, "
            f"IBAN {settings.STORE_BANK_IBAN}, BIC {settings.STORE_BANK_BIC}, "
            f"with the reference {order.reference}. We ship your order when the payment arrives."
        )


class CashOnDelivery(PaymentMethod):
    code = "cash_on_delivery"
    label = "Cash on delivery"
    description = "Pay the courier in cash when your parcel arrives."

    def instructions(self, order: "Order") -> str:
        return f"Please have {format_money(order.total_amount)} ready in cash for the courier."


PAYMENT_METHODS: dict[str, PaymentMethod] = {method.code: method for method in (BankTransfer(), CashOnDelivery())}
DEFAULT_PAYMENT_METHOD = "bank_transfer"
