"""The product page's gallery: its pictures in order (the chosen colour's first), which one is shown,
and the query string its thumbnails keep (the chosen variant's), so that without JavaScript a
thumbnail is a link to the page showing that picture with the same variant."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from .models import Product, ProductPicture, pictures_for_variant
from .picker import Picker

MAX_PARAM_LENGTH = 20


@dataclass
class Gallery:
    pictures: list[ProductPicture]
    shown: ProductPicture | None
    link: str  # the product's URL with the variant's parameters, ending so that a picture id can follow
    asked_for_unknown: bool  # ?picture= named no picture of this product (a 404 for a fragment)


def product_gallery(product: Product, picker: Picker | None, params: Mapping[str, str]) -> Gallery:
    """One query: the product's pictures. `?picture=<id>` chooses the one shown (else the first); an id
    that is not a number or not one of this product's pictures shows the first."""
    pictures = pictures_for_variant(list(product.pictures.all()), picker.variant if picker else None)
    wanted = str(params.get("picture", ""))[:MAX_PARAM_LENGTH]
    shown = next((p for p in pictures if wanted.isascii() and wanted.isdigit() and p.pk == int(wanted)), None)
    kept = urlencode(picker.params()) if picker else ""
    return Gallery(
        pictures=pictures,
        shown=shown or (pictures[0] if pictures else None),
        link=f"{product.get_absolute_url()}?{kept}{'&' if kept else ''}picture=",
        asked_for_unknown="picture" in params and shown is None,
    )
