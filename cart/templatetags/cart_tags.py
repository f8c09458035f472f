import uuid
from collections.abc import Mapping

from django import template
from django.template import Context

from cart.forms import AddToCartForm
from storefront.models import Product, Variant

register = template.Library()


@register.filter
def lookup(mapping: Mapping[object, object] | None, key: object) -> object:
    """`{{ cart.quantities|lookup:product.pk }}`: a dictionary entry, or "" when absent."""
    if not mapping:
        return ""
    return mapping.get(key, "")


@register.filter
def add_to_cart_region(product: object, layout: str) -> str:
    """The id of a product's add-to-cart region, in the form cart/regions.py recognises."""
    return f"add-to-cart-{layout}-{getattr(product, 'pk', '')}"


@register.simple_tag
def form_token() -> str:
    """A fresh token for one rendering of a form, which the server uses to recognise it sent twice."""
    return str(uuid.uuid4())


@register.inclusion_tag("cart/_add_to_cart.html", takes_context=True)
def add_to_cart(
    context: Context, product: Product, layout: str, variant: Variant | None = None, unavailable: str = ""
) -> dict[str, object]:
    """`{% add_to_cart product layout="detail" %}`: a product's add-to-cart region, for the catalog's
    pages, which know nothing of the cart (storefront <- cart <- orders). A fresh form, or the refused
    one with its error when cart.views.cart_add shows the product page again without JavaScript.
    `variant`: the one the picker chose (posted with the form); `unavailable`: why it cannot be added
    (sold out, not offered), shown beside the disabled button."""
    form = context.get("form")
    return {
        "cart": context.get("cart"),
        "request": context.get("request"),
        "product": product,
        "layout": layout,
        "form": form if isinstance(form, AddToCartForm) else AddToCartForm(initial={"quantity": 1}),
        "error": context.get("error"),
        "change": context.get("change"),
        "next_url": context.get("next_url"),
        "variant": variant,
        "unavailable": unavailable,
    }
