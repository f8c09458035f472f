"""Whether a cart line can be ordered as it is: the one rule, worded once.

The cart page, the mini-cart, the checkout and order placement all ask `line_problem`, so the
shopper reads the same sentence wherever a line stands in the way.
"""

import enum
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from storefront.models import Product, Variant
from storefront.money import format_money


class Problem(enum.StrEnum):
    WITHDRAWN = "withdrawn"
    OUT_OF_STOCK = "out_of_stock"
    SHORT = "short"  # fewer left than the line's quantity
    PRICE_CHANGED = "price_changed"  # since the shopper saw it (the order form's summary)


MESSAGES = {
    Problem.WITHDRAWN: _("{product} is no longer sold. Please remove it from your cart."),
    Problem.OUT_OF_STOCK: _("{product} is out of stock. Please remove it from your cart."),
    Problem.SHORT: _("Only {stock} of {product} left, and your cart has {quantity}. Please lower the quantity."),
    Problem.PRICE_CHANGED: _("The price of {product} changed from {seen} to {price}."),
}


@dataclass(frozen=True)
class LineProblem:
    code: Problem
    message: str

    def __str__(self) -> str:
        return self.message


def item_name(variant: Variant, product: Product) -> str:
    """The name of what the shopper buys: "Kettle", or "T-shirt (Size M, Colour Blue)"."""
    return f"{product.name} ({variant.options_text})" if variant.options_text else product.name


def line_problem(
    variant: Variant, quantity: int, *, product: Product | None = None, seen_price: Decimal | None = None
) -> LineProblem | None:
    """Why `quantity` of `variant` cannot be ordered now, or None. `product` is the variant's product
    when the caller has it at hand; `seen_price` is the unit price the shopper was shown, when there is
    one to hold the current price to."""
    product = product or variant.product
    price = product.price if variant.price is None else variant.price
    params: dict[str, object] = {}
    if not product.is_active or not variant.is_active:
        code = Problem.WITHDRAWN
    elif variant.stock_quantity <= 0:
        code = Problem.OUT_OF_STOCK
    elif variant.stock_quantity < quantity:
        code, params = Problem.SHORT, {"stock": variant.stock_quantity, "quantity": quantity}
    elif seen_price is not None and seen_price != price:
        code, params = Problem.PRICE_CHANGED, {"seen": format_money(seen_price), "price": format_money(price)}
    else:
        return None
    return LineProblem(code, MESSAGES[code].format(product=item_name(variant, product), **params))
