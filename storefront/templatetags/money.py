from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


@register.filter
def money(value: object) -> str:
    """Format an amount in the store currency: 1234.5 -> "€1,234.50"."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ""
    symbol = SYMBOLS.get(settings.STORE_CURRENCY, f"{settings.STORE_CURRENCY} ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"
