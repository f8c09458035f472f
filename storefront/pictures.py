"""Product picture files: what an upload may be, and the scaled copies ("renditions") made of it by
sorl-thumbnail's Pillow engine.

An upload is a JPEG, PNG or WebP named as what it is, of at most MAX_PIXELS pixels, checked from its
header before a pixel is decoded; an SVG is drawn as a PNG by resvg (svg_png) and stored as that PNG,
never as the SVG (docs/pictures.md, "Uploads"). Anything else is refused with the reason
(`picture_upload_clean`, for the admin's form).

A picture is shown through `<picture>`: WebP renditions in a `<source>`, and a fallback (PNG for a
source that uses transparency, else JPEG) in the `<img>`, each in the widths the pages need
(`WIDTHS`, never wider than the source; the original itself is the widest fallback). The renditions
are made once, when a picture is saved (the job storefront.tasks.picture_renditions_make, or
`manage.py make_thumbnails`), and recorded on the picture row (`ProductPicture.renditions`), so that a
page never asks the storage or a key-value store about them. SVG pictures stored before uploads were
drawn as PNGs are shown as they are.

Renditions are named after their source (`products/renditions/<source>-<width>.<ext>`), so pictures
that share one file share its renditions too, and making them again finds them already there. They
are made from a copy of the source reduced while (JPEG) or right after (PNG, WebP) it is decoded, so
the job holds the full-size picture at most once (`reduced`).
"""

import math
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any, TypedDict
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, UnidentifiedImageError
from sorl.thumbnail import default
from sorl.thumbnail.base import ThumbnailBackend
from sorl.thumbnail.images import ImageFile

from .models import ProductPicture, validate_image_size

# Card (320 px, 640 at 2x), detail main picture (640, 1280 at 2x), thumbnail strip and cart line
# (80 and 64 px, 160 at 2x).
WIDTHS = (80, 160, 320, 640, 1280)
RENDITIONS_DIR = PurePosixPath("products/renditions")
QUALITY = {"WEBP": 80, "JPEG": 85, "PNG": 95}
EXTENSIONS = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png"}
# What Pillow may open (it never tries another format: not EPS, which it would hand to Ghostscript,
# nor TIFF, BMP or GIF), and the names each may go by.
FORMATS = {"JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",)}
# The most pixels a picture may have: 40 million is 7750 by 5150 at 3:2, more than the widest rendition
# (1280) needs six times over and more than a phone's photo. Decoding takes 4 bytes a pixel, so the
# renditions job needs at most 160 MB more than when idle (docs/pictures.md has the figures); Pillow
# itself only warns from 89 million and refuses from 179 million.
MAX_PIXELS = 40_000_000
# An SVG is drawn to fit this box: the widest rendition, and twice as tall.
SVG_BOX = (max(WIDTHS), 2 * max(WIDTHS))
# A rendition is scaled from a copy at least this many times its width, reduced by whole factors
# (averaging boxes of pixels) before the fine resampling, as Image.thumbnail's reducing_gap does.
REDUCING_GAP = 2
# Reducing works through the picture in bands of about this many pixels.
BAND_PIXELS = 1_000_000
ORIENTATIONS = {  # EXIF orientation: how to turn the pixels to show them upright (as ImageOps.exif_transpose)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
QUARTER_TURNS = {ORIENTATIONS[number] for number in (5, 6, 7, 8)}  # upright, its width is its height
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
SVG_IMAGES = {"{http://www.w3.org/2000/svg}image", "{http://www.w3.org/2000/svg}feImage"}

NOT_A_PICTURE = _("This file is not a picture (JPEG, PNG, WebP or SVG).")
NOT_READABLE = _("This file is not a picture we can read.")
MISNAMED = _("This file is a %(format)s picture, but its name ends in .%(extension)s: name it .%(expected)s.")
TOO_MANY_PIXELS = _("This picture has more than %(limit)s million pixels: scale it down and upload it again.")


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
    """Make (or find) every rendition of the raster file `source`; return them and the source's size
    (as shown: turned upright). Raises ValidationError when the file is not a picture the shop takes."""
    storage = storage or default_storage
    with storage.open(source) as file:
        image = picture_open(file.read(), source)
    turn, (width, height) = orientation(image), upright_size(image)
    sizes = sorted((w for w in WIDTHS if w <= width), reverse=True)
    if not sizes:
        return [], (width, height)
    try:
        scaled = reduced(image, widest=sizes[0])
    except (OSError, SyntaxError, ValueError) as error:  # truncated or corrupt data
        raise ValidationError(NOT_READABLE, code="not_readable") from error
    if turn is not None:
        scaled = scaled.transpose(turn)
    transparent = uses_transparency(scaled)
    formats = (("WEBP", "WEBP"), ("PNG" if transparent else "JPEG", "FALLBACK"))
    made: list[Rendition] = []
    # Widest first, each scaled from the one before: four small resizes instead of four of the source.
    for target in sizes:
        geometry = (target, max(1, round(target * height / width)))
        names = {kind: rendition_name(source, target, EXTENSIONS[format_]) for format_, kind in formats}
        wanted = list(formats) if target < width else [formats[0]]  # at its own width the original is the fallback
        missing = [(f, k) for f, k in wanted if not storage.exists(names[k])]
        if missing and scaled.size != geometry:
            scaled = default.engine.create(scaled, geometry, _options("WEBP"))
            geometry = default.engine.get_image_size(scaled)
        for format_, kind in missing:
            default.engine.write(scaled, _options(format_), ImageFile(names[kind], storage))
        made.extend({"name": names[k], "width": geometry[0], "height": geometry[1], "format": k} for _, k in wanted)
    return made, (width, height)


def picture_open(data: bytes, name: str) -> Image.Image:
    """`data` opened by Pillow, its header read and no pixel decoded: a JPEG, PNG or WebP named as
    what it is, of at most MAX_PIXELS pixels. Raises ValidationError, with the reason, for anything else."""
    too_large = ValidationError(TOO_MANY_PIXELS, code="too_many_pixels", params={"limit": MAX_PIXELS // 1_000_000})
    try:
        image = Image.open(BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:  # the warning where it is an error
        raise too_large from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(NOT_A_PICTURE, code="not_an_image") from error
    assert image.format is not None  # an opened file's format
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    if extension not in FORMATS[image.format]:
        raise ValidationError(
            MISNAMED,
            code="misnamed",
            params={"format": image.format, "extension": extension, "expected": FORMATS[image.format][0]},
        )
    if image.width * image.height > MAX_PIXELS:
        raise too_large
    return image


def orientation(image: Image.Image) -> Image.Transpose | None:
    """How to turn the pixels to show them upright (a camera's EXIF orientation), from the header only:
    a PNG whose EXIF comes after its pixels counts as upright (Pillow would decode it to look)."""
    if "exif" not in image.info:
        return None
    return ORIENTATIONS.get(image.getexif().get(ExifTags.Base.Orientation, 1))


def upright_size(image: Image.Image) -> tuple[int, int]:
    """The width and height a picture is shown at."""
    return (image.height, image.width) if orientation(image) in QUARTER_TURNS else image.size


def reduced(image: Image.Image, *, widest: int) -> Image.Image:
    """`image` (opened, not yet decoded) as RGB or RGBA, shown no more than REDUCING_GAP times wider
    than `widest` where it was wider: a JPEG decoded at a smaller scale (draft), a PNG or WebP decoded
    whole and reduced a band of rows at a time. Only the decoded picture is ever full-size, once:
    Image.reduce() and convert() would each copy the whole of it."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    ratio = upright_size(image)[0] / (REDUCING_GAP * widest)  # how many times smaller the copy may be
    full_width = image.width
    if image.format == "JPEG" and ratio >= 2:
        image.draft(image.mode, (math.ceil(image.width / ratio), math.ceil(image.height / ratio)))
    image.load()
    factor = max(1, int(ratio * image.width / full_width))  # what the draft left to reduce
    if factor == 1 and image.mode == mode:
        return image
    width, height = image.size
    smaller = Image.new(mode, (math.ceil(width / factor), math.ceil(height / factor)))
    rows = factor * max(1, BAND_PIXELS // (width * factor))
    for top in range(0, height, rows):
        band = image.crop((0, top, width, min(height, top + rows))).convert(mode)
        smaller.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    image.close()  # the full-size pixels go now, before the renditions are made
    return smaller


def uses_transparency(image: Image.Image) -> bool:
    """Whether any pixel is see-through: then the fallback is a PNG, else a JPEG (far smaller and
    quicker to make; the demo drawings have an alpha channel that is opaque everywhere)."""
    if image.mode in ("RGBA", "LA", "PA"):
        lowest = image.getchannel("A").getextrema()[0]
        return isinstance(lowest, int | float) and lowest < 255
    return image.mode == "P" and "transparency" in image.info


def _options(format_: str) -> dict[str, Any]:
    # No "orientation": renditions_make turns the reduced copy upright itself.
    options = {"format": format_, "quality": QUALITY[format_], "upscale": False, "orientation": False}
    return {**ThumbnailBackend.default_options, **options}


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


def picture_upload_clean(upload: File[Any]) -> tuple[File[Any], tuple[int, int]]:
    """The file to store for an uploaded picture, and its width and height: a JPEG, PNG or WebP as it
    is, an SVG drawn as a PNG (`svg_png`). Raises ValidationError, with the reason, for anything else."""
    validate_image_size(upload)  # before anything reads it (the model checks the stored file again)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    name = upload.name or ""
    if name.lower().endswith(".svg"):
        data = svg_png(data)
        upload = ContentFile(data, name=str(PurePosixPath(name).with_suffix(".png")))
        name = upload.name or ""
    image = picture_open(data, name)
    size = upright_size(image)
    try:
        image.verify()  # the file's structure (a PNG's checksums), still without decoding a pixel
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(NOT_A_PICTURE, code="not_an_image") from error
    return upload, size


def svg_png(data: bytes) -> bytes:
    """An SVG drawn as a PNG by resvg, to fit SVG_BOX. A PNG runs no script, whoever serves it; resvg
    runs none either, and draws no foreignObject, but it does read an `<image>`'s file from this
    machine's disk (any path it is given) and decodes an embedded one at its full size: so every
    `<image>` and `<feImage>` loses its reference, and any other reference must point inside the file
    (`#id`). A document type (and so any entity) is refused. Raises ValidationError."""
    import resvg_py

    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except (ElementTree.ParseError, ValueError) as error:  # defusedxml's refusals are ValueErrors
        raise ValidationError(NOT_A_PICTURE, code="not_an_image") from error
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        raise ValidationError(NOT_A_PICTURE, code="not_an_image")
    for element in root.iter():
        for attribute in ("href", XLINK_HREF):
            reference = element.get(attribute)
            if reference is not None and (element.tag in SVG_IMAGES or not reference.startswith("#")):
                del element.attrib[attribute]
    try:
        return bytes(
            resvg_py.svg_to_bytes(
                svg_string=ElementTree.tostring(root, encoding="unicode"), width=SVG_BOX[0], height=SVG_BOX[1]
            )
        )
    except ValueError as error:  # resvg's refusals: no size, too many elements
        raise ValidationError(NOT_A_PICTURE, code="not_an_image") from error
