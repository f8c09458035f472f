"""`{% product_picture picture "card" %}`: a product picture as <picture> with WebP and fallback
srcsets, sizes, and the width and height of its box (no layout shift), all read from the row."""

from typing import Any

from django import template

from storefront.models import ProductPicture

register = template.Library()

# Where pictures are shown: the width of the box in CSS pixels and the `sizes` the browser picks by.
SIZES: dict[str, tuple[int, str]] = {
    "card": (320, "(max-width: 40rem) 50vw, 320px"),
    "detail": (640, "(max-width: 50rem) 100vw, 640px"),
    "thumb": (80, "80px"),
    "line": (64, "4rem"),
}


@register.inclusion_tag("storefront/includes/picture.html")
def product_picture(
    picture: ProductPicture | None, size: str, *, alt: str = "", eager: bool = False, priority: bool = False
) -> dict[str, Any]:
    if not isinstance(picture, ProductPicture):
        picture = None  # a product without pictures, or a missing key of `lookup`
    width, sizes = SIZES[size]
    box = picture.size_for(width) if picture is not None else (width, width * 3 // 4)
    return {
        "picture": picture,
        "size": size,
        "sizes": sizes,
        "width": box[0],
        "height": box[1],
        "alt": alt,
        "eager": eager,
        "priority": priority,
    }
