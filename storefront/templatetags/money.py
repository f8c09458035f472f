from django import template

from storefront.money import format_money

register = template.Library()


@register.filter
def money(value: object) -> str:
    """`{{ product.price|money }}`: the amount in the store currency, in the page's language."""
    return format_money(value)
