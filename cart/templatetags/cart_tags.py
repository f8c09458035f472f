import uuid
from collections.abc import Mapping

from django import template

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
