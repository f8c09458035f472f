"""Money as the shopper reads it, in one place: every page, fragment, email and message calls this.

`format_money(Decimal("1234.5"))` is "€1,234.50" in English and "1.234,50 €" in German; the
language is the active one unless given (an email uses its order's)."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}

# Per language: where the symbol goes, the thousands separator and the decimal mark.
STYLES = {
    "en": ("{sign}{symbol}{number}", ",", "."),
    "de": ("{sign}{number} {symbol}", ".", ","),
}


def _style(language: str | None) -> tuple[str, str, str]:
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower().split("-")[0]
    return STYLES.get(code, STYLES["en"])


def format_amount(amount: Decimal | int | float | str, language: str | None = None) -> str:
    """A number with two decimals and grouped thousands, without a currency: "1,234.50" / "1.234,50"."""
    _, thousands, decimal = _style(language)
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    digits = f"{value:,.2f}"
    return digits.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


def format_money(amount: object, language: str | None = None) -> str:
    """An amount in the store currency, or "" for something that is not an amount."""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ""
    pattern, _, _ = _style(language)
    currency = settings.STORE_CURRENCY
    symbol = SYMBOLS.get(currency, currency)
    if pattern.startswith("{sign}{symbol}") and len(symbol) > 1:
        symbol += " "  # "CHF 12.50" and "EUR 12.50", but "€12.50"
    sign = "-" if value < 0 else ""
    return pattern.format(sign=sign, symbol=symbol, number=format_amount(abs(value), language))
