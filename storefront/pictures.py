"""The scaled copies ("renditions") of product pictures, made by sorl-thumbnail's Pillow engine.

A picture is shown through `<picture>`: WebP renditions in a `<source>`, and a fallback (PNG for a
source that uses transparency, else JPEG) in the `<img>`, each in the widths the pages need
(`WIDTHS`, never wider than the source; the original itself is the widest fallback). The renditions
are made once, when a picture is saved (the job storefront.tasks.picture_renditions_make, or
`manage.py make_thumbnails`), and recorded on the picture row (`ProductPicture.renditions`), so that a
page never asks the storage or a key-value store about them. SVG pictures are shown as they are.

Renditions are named after their source (`products/renditions/<source>-<width>.<ext>`), so pictures
that share one file share its renditions too, and making them again finds them already there.
"""

from io import BytesIO
from pathlib import PurePosixPath
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from sorl.thumbnail import default
from sorl.thumbnail.base import ThumbnailBackend
from sorl.thumbnail.images import ImageFile

from .models import ProductPicture

# Card (320 px, 640 at 2x), detail main picture (640, 1280 at 2x), thumbnail strip and cart line
# (80 and 64 px, 160 at 2x).
WIDTHS = (80, 160, 320, 640, 1280)
RENDITIONS_DIR = PurePosixPath("products/renditions")
QUALITY = {"WEBP": 80, "JPEG": 85, "PNG": 95}
EXTENSIONS = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png"}


class Rendition(TypedDict):
    name: str
    width: int
    height: int
    format: str  # "WEBP" or "FALLBACK" (the <img> one: PNG or JPEG)


def rendition_name(source: str, width: int, extension: str) -> str:
    stem = PurePosixPath(source).with_suffix("")
    parts = stem.parts[1:] if stem.parts[:1] == ("products",) else stem.parts
    return str(RENDITIONS_DIR.joinpath(*parts)) + f"-{width}.{extension}"


def renditions_make(source: str, storage: Storage | None = None) -> tuple[list[Rendition], tuple[int, int]]:
    """Make (or find) every rendition of the raster file `source`; return them and the source's size.
    Raises ValidationError when the file is not a picture Pillow can read."""
    storage = storage or default_storage
    source_file = ImageFile(source, storage)
    try:
        image = default.engine.get_image(source_file)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValidationError(_("This file is not a picture we can read.")) from error
    width, height = image.size
    transparent = uses_transparency(image)
    formats = (("WEBP", "WEBP"), ("PNG" if transparent else "JPEG", "FALLBACK"))
    made: list[Rendition] = []
    scaled = image
    # Widest first, each scaled from the one before: four small resizes instead of four of the source.
    for target in sorted((w for w in WIDTHS if w <= width), reverse=True):
        geometry = (target, max(1, round(target * height / width)))
        names = {kind: rendition_name(source, target, EXTENSIONS[format_]) for format_, kind in formats}
        wanted = list(formats) if target < width else [formats[0]]  # at its own width the original is the fallback
        missing = [(f, k) for f, k in wanted if not storage.exists(names[k])]
        if target < width and missing:
            scaled = default.engine.create(scaled, geometry, _options("WEBP"))
            geometry = default.engine.get_image_size(scaled)
        for format_, kind in missing:
            default.engine.write(scaled, _options(format_), ImageFile(names[kind], storage))
        made.extend({"name": names[k], "width": geometry[0], "height": geometry[1], "format": k} for _, k in wanted)
    return made, (width, height)


def uses_transparency(image: Image.Image) -> bool:
    """Whether any pixel is see-through: then the fallback is a PNG, else a JPEG (far smaller and
    quicker to make; the demo drawings have an alpha channel that is opaque everywhere)."""
    if image.mode in ("RGBA", "LA", "PA"):
        lowest = image.getchannel("A").getextrema()[0]
        return isinstance(lowest, int | float) and lowest < 255
    return image.mode == "P" and "transparency" in image.info


def _options(format_: str) -> dict[str, Any]:
    return {**ThumbnailBackend.default_options, "format": format_, "quality": QUALITY[format_], "upscale": False}


def picture_renditions_make(picture: ProductPicture) -> list[Any]:
    """Make the picture's renditions and record them (and its size) on its row; none for an SVG."""
    if not picture.is_raster:
        picture.renditions = []
    else:
        renditions, (picture.width, picture.height) = renditions_make(picture.image.name or "")
        picture.renditions = list(renditions)
    ProductPicture.objects.filter(pk=picture.pk).update(
        renditions=picture.renditions, width=picture.width, height=picture.height
    )
    return list(picture.renditions)


def image_size(upload: File[Any]) -> tuple[int, int]:
    """The width and height of an uploaded picture; an SVG's from its viewBox (else 640 by 480).
    Raises ValidationError for a file that is not a picture."""
    upload.seek(0)
    head = upload.read()
    upload.seek(0)
    if (upload.name or "").lower().endswith(".svg"):
        return svg_size(head)
    try:
        with Image.open(BytesIO(head)) as image:
            image.verify()
            return image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("This file is not a picture (JPEG, PNG, WebP or SVG)."), code="not_an_image") from error


def svg_size(data: bytes) -> tuple[int, int]:
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(data)  # noqa: S314  # staff uploads, size-limited; no entities resolved
    except ElementTree.ParseError as error:
        raise ValidationError(_("This file is not a picture (JPEG, PNG, WebP or SVG)."), code="not_an_image") from error
    if not root.tag.endswith("svg"):
        raise ValidationError(_("This file is not a picture (JPEG, PNG, WebP or SVG)."), code="not_an_image")
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        return round(float(box[2])), round(float(box[3]))
    except (IndexError, ValueError):
        return 640, 480
