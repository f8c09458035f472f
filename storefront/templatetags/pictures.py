"""`{% product_picture picture "card" %}`: a product picture as <picture> with WebP and fallback
srcsets, sizes, and the width and height of its box (no layout shift), all read from the row.

Written in Python rather than as an included template: a catalog page shows 24 of them, and an
inclusion tag's own context and template cost more than the rest of the card."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from storefront.models import ProductPicture, media_url

register = template.Library()

# Where pictures are shown: the width of the box in CSS pixels and the `sizes` the browser picks by.
SIZES: dict[str, tuple[int, str]] = {
    "card": (320, "(max-width: 40rem) 50vw, 320px"),
    "detail": (640, "(max-width: 50rem) 100vw, 640px"),
    "thumb": (80, "80px"),
    "line": (64, "4rem"),
}


@register.simple_tag
def product_picture(
    picture: ProductPicture | None, size: str, *, alt: str = "", eager: bool = False, priority: bool = False
) -> SafeString:
    width, sizes = SIZES[size]
    if not isinstance(picture, ProductPicture):  # a product without pictures, or a missing key of `lookup`
        return format_html(
            '<div class="product-image product-image-{} product-image-missing" aria-hidden="true"></div>', size
        )
    box_width, box_height = picture.size_for(width)
    webp = picture.srcset("WEBP", width)
    sources = format_html('<source type="image/webp" srcset="{}" sizes="{}">', webp, sizes) if webp else ""
    fallback = format_html(' srcset="{}" sizes="{}"', picture.srcset("FALLBACK", width), sizes) if webp else ""
    return format_html(
        '<picture class="product-image product-image-{size}">{sources}<img src="{src}"{fallback} width="{width}"'
        ' height="{height}" alt="{alt}" loading="{loading}" decoding="async"{priority}></picture>',
        size=size,
        sources=sources,
        src=media_url(picture.image.name or ""),
        fallback=fallback,
        width=box_width,
        height=box_height,
        alt=alt,
        loading="eager" if eager else "lazy",
        priority=mark_safe(' fetchpriority="high"') if priority else "",
    )
