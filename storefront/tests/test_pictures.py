"""Product pictures: the model, the renditions (real Pillow output), the job, make_thumbnails, the
gallery on the product page (page and fragment), the cards and the cart lines, the admin's upload
check (hostile files among them)."""

import struct
import zlib
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django_tasks_db.models import DBTaskResult
from PIL import EpsImagePlugin, Image

from config.tests.helpers import HTMX
from storefront.admin import PictureForm
from storefront.models import OptionValue, ProductPicture, pictures_for_variant
from storefront.pictures import picture_renditions_make, renditions_make
from storefront.tasks import picture_renditions_enqueue, picture_renditions_make_job

from .factories import make_category, make_option_value, make_product, make_variant

pytestmark = pytest.mark.django_db


def png(width: int = 640, height: int = 480, *, alpha: int = 255, format_: str = "PNG") -> bytes:
    buffer = BytesIO()
    mode = "RGBA" if format_ == "PNG" else "RGB"
    colour = (30, 60, 200, alpha) if mode == "RGBA" else (30, 60, 200)
    Image.new(mode, (width, height), colour).save(buffer, format=format_)
    return buffer.getvalue()


def big_png(width: int, height: int) -> bytes:
    """A black PNG of width by height pixels that is tiny on disk (its rows of zeros compress a
    thousandfold): at 20000 by 20000 a decompression bomb of a few dozen kilobytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + (width + 7) // 8)  # the filter byte, then one bit per pixel
    compressor = zlib.compressobj(9)
    rows = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def stored(content: bytes, name: str = "products/photo.png") -> str:
    return default_storage.save(name, ContentFile(content))


def make_picture(product, *, position=0, colour=None, content=None, name="products/photo.png", alt="A picture"):
    return ProductPicture.objects.create(
        product=product, position=position, image=stored(content or png(), name), alt_text=alt, colour=colour
    )


def opened(name: str) -> Image.Image:
    with default_storage.open(name) as file:
        image = Image.open(BytesIO(file.read()))
        image.load()
        return image


# --- Renditions ----------------------------------------------------------------------------------


def test_renditions_are_webp_and_a_jpeg_fallback_in_the_widths_the_source_allows():
    renditions, size = renditions_make(stored(png(640, 480)))
    assert size == (640, 480)
    webp = [(r["width"], r["height"]) for r in renditions if r["format"] == "WEBP"]
    fallback = [(r["width"], r["height"]) for r in renditions if r["format"] == "FALLBACK"]
    assert webp == [(640, 480), (320, 240), (160, 120), (80, 60)]
    assert fallback == [(320, 240), (160, 120), (80, 60)]  # at 640 the original is the fallback
    for rendition in renditions:
        image = opened(rendition["name"])
        assert image.size == (rendition["width"], rendition["height"])
        assert image.format == ("WEBP" if rendition["format"] == "WEBP" else "JPEG")


def test_a_picture_that_uses_transparency_falls_back_to_png_and_a_large_one_gets_1280():
    renditions, _ = renditions_make(stored(png(2000, 1000, alpha=100)))
    assert max(r["width"] for r in renditions) == 1280
    fallbacks = [r for r in renditions if r["format"] == "FALLBACK"]
    assert {opened(r["name"]).format for r in fallbacks} == {"PNG"}
    assert (fallbacks[0]["width"], fallbacks[0]["height"]) == (1280, 640)


def test_a_small_picture_is_never_upscaled():
    renditions, size = renditions_make(stored(png(100, 50, format_="JPEG"), "products/small.jpg"))
    assert size == (100, 50)
    assert {r["width"] for r in renditions} == {80}


def test_the_job_records_renditions_and_size_on_the_row():
    picture = make_picture(make_product())
    assert picture.renditions == []
    picture_renditions_make_job.call(picture_id=picture.pk)
    picture.refresh_from_db()
    assert (picture.width, picture.height) == (640, 480)
    assert len(picture.renditions) == 7
    assert "320w" in picture.srcset("WEBP")
    assert picture.srcset("FALLBACK").endswith(f"{picture.image.url} 640w")


def test_the_job_is_enqueued_once_the_save_commits(django_capture_on_commit_callbacks):
    picture = make_picture(make_product())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        picture_renditions_enqueue(picture)
    assert not DBTaskResult.objects.exists()
    callbacks[0]()
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["kwargs"] == {"picture_id": picture.pk}


def test_the_job_for_a_picture_deleted_meanwhile_does_nothing():
    picture_renditions_make_job.call(picture_id=12345)


def test_an_svg_picture_stored_before_uploads_were_drawn_is_shown_as_it_is():
    picture = make_picture(
        make_product(), content=b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>', name="products/a.svg"
    )
    assert picture_renditions_make(picture) == []
    assert picture.srcset("WEBP") == ""


def test_make_thumbnails_makes_the_missing_renditions_once_per_file():
    product = make_product()
    first = make_picture(product, name="products/shared.png")
    second = ProductPicture.objects.create(product=product, position=1, image=first.image.name, alt_text="Again")
    done = make_picture(product, position=2, name="products/done.png")
    picture_renditions_make(done)
    out = StringIO()
    call_command("make_thumbnails", stdout=out)
    assert "2 pictures (1 files, 0 failed)" in out.getvalue()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.renditions == second.renditions
    assert len(first.renditions) == 7


# --- Model and order -----------------------------------------------------------------------------


def test_choosing_a_colour_puts_its_pictures_first_in_their_order():
    make_option_value("Colour", "Red", swatch="#cc0000")
    make_option_value("Colour", "Blue", swatch="#0000cc")
    product = make_product()
    red, blue = make_variant(product, ("Colour", "Red")), make_variant(product, ("Colour", "Blue"))
    red_value, blue_value = (OptionValue.objects.get(value=v) for v in ("Red", "Blue"))
    pictures = [
        make_picture(product, position=0, colour=red_value, alt="red front"),
        make_picture(product, position=1, alt="any"),
        make_picture(product, position=2, colour=blue_value, alt="blue front"),
        make_picture(product, position=3, colour=blue_value, alt="blue side"),
    ]
    assert [p.alt_text for p in pictures_for_variant(pictures, blue)] == ["blue front", "blue side", "red front", "any"]
    assert [p.alt_text for p in pictures_for_variant(pictures, red)] == ["red front", "any", "blue front", "blue side"]


def test_an_upload_that_is_not_a_picture_is_refused_with_a_clear_message():
    form = PictureForm(
        data={"alt_text": "Broken", "position": 0},
        files=MultiValueDict({"image": [SimpleUploadedFile("photo.png", b"not a picture at all")]}),
        instance=ProductPicture(product=make_product()),
    )
    assert not form.is_valid()
    assert form.errors["image"] == ["This file is not a picture (JPEG, PNG, WebP or SVG)."]


def test_an_uploaded_picture_records_its_size():
    form = PictureForm(
        data={"alt_text": "Front", "position": 0},
        files=MultiValueDict({"image": [SimpleUploadedFile("photo.png", png(300, 200))]}),
        instance=ProductPicture(product=make_product()),
    )
    assert form.is_valid(), form.errors
    picture = form.save()
    assert (picture.width, picture.height) == (300, 200)


def upload_errors(content: bytes, name: str):
    form = PictureForm(
        data={"alt_text": "Upload", "position": 0},
        files=MultiValueDict({"image": [SimpleUploadedFile(name, content)]}),
        instance=ProductPicture(product=make_product()),
    )
    assert not form.is_valid()
    return form.errors["image"]


def in_format(format_: str) -> bytes:
    if format_ == "EPS":
        return b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\n%%EndComments\n0 0 moveto 8 8 lineto stroke\n%%EOF\n"
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=format_)
    return buffer.getvalue()


TOO_LARGE = "This picture has more than 40 million pixels: scale it down and upload it again."


def test_a_decompression_bomb_is_refused_from_its_header():
    bomb = big_png(20_000, 20_000)
    assert len(bomb) < 100_000
    assert upload_errors(bomb, "bomb.png") == [TOO_LARGE]


def test_a_picture_over_the_pixel_limit_is_refused():
    assert upload_errors(big_png(8000, 6000), "large.png") == [TOO_LARGE]


@pytest.mark.parametrize("format_", ["TIFF", "BMP", "GIF", "EPS"])
@pytest.mark.parametrize("name", ["photo.jpg", "photo.png"])
def test_other_formats_under_a_picture_name_are_refused_and_pillow_never_tries_eps(monkeypatch, format_, name):
    def never(*args, **kwargs):
        pytest.fail("Pillow was asked to read an EPS file")

    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", never)
    assert upload_errors(in_format(format_), name) == ["This file is not a picture (JPEG, PNG, WebP or SVG)."]


def test_a_picture_whose_name_says_another_format_is_refused():
    assert upload_errors(png(), "photo.jpg") == ["This file is a PNG picture, but its name ends in .jpg: name it .png."]
    assert upload_errors(in_format("JPEG"), "photo.webp") == [
        "This file is a JPEG picture, but its name ends in .webp: name it .jpg."
    ]


HOSTILE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 64 48" onload="alert(document.cookie)">
  <script>alert(document.domain)</script>
  <rect width="64" height="48" fill="#1e3cc8"/>
  <foreignObject width="64" height="48"><body xmlns="http://www.w3.org/1999/xhtml">
    <iframe src="javascript:alert(1)"></iframe></body></foreignObject>
  <image href="{secret}" width="64" height="48"/>
  <image xlink:href="https://tracker.example/pixel.png" width="64" height="48"/>
  <a href="javascript:alert(1)"><circle cx="32" cy="24" r="8" fill="#ffffff"/></a>
</svg>"""


def test_an_svg_is_stored_as_a_png_without_its_scripts_and_references(tmp_path):
    secret = tmp_path / "secret.png"  # a file on the server the drawing must not read
    Image.new("RGB", (64, 48), (0, 255, 0)).save(secret)
    form = PictureForm(
        data={"alt_text": "Logo", "position": 0},
        files=MultiValueDict({"image": [SimpleUploadedFile("logo.svg", HOSTILE_SVG.format(secret=secret).encode())]}),
        instance=ProductPicture(product=make_product()),
    )
    assert form.is_valid(), form.errors
    picture = form.save()
    assert picture.image.name.endswith(".png")
    assert picture.is_raster
    assert (picture.width, picture.height) == (1280, 960)
    content = picture.image.read()
    assert b"<script" not in content
    assert b"alert" not in content
    drawn = Image.open(BytesIO(content))
    assert drawn.format == "PNG"
    assert drawn.size == (1280, 960)
    colours = {colour for _, colour in drawn.convert("RGB").getcolors(maxcolors=1_000_000)}
    assert (30, 60, 200) in colours  # the rectangle, drawn
    assert (0, 255, 0) not in colours  # the server's file, not read


def test_an_svg_with_a_document_type_is_refused():
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>&b;</text></svg>"""
    assert upload_errors(laughs, "laughs.svg") == ["This file is not a picture (JPEG, PNG, WebP or SVG)."]


def test_the_job_refuses_a_stored_picture_over_the_pixel_limit():
    with pytest.raises(ValidationError, match="more than 40 million pixels"):
        renditions_make(stored(big_png(8000, 6000), "products/large.png"))


def test_renditions_follow_the_cameras_orientation():
    buffer = BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the camera on its side: shown turned a quarter clockwise
    Image.new("RGB", (400, 200), (30, 60, 200)).save(buffer, format="JPEG", exif=exif)
    renditions, size = renditions_make(stored(buffer.getvalue(), "products/turned.jpg"))
    assert size == (200, 400)
    assert {(r["width"], r["height"]) for r in renditions} == {(160, 320), (80, 160)}


# --- Pages ---------------------------------------------------------------------------------------


@pytest.fixture
def gallery_product():
    product = make_product(name="Kettle", slug="kettle", price=Decimal("20.00"))
    pictures = [make_picture(product, position=i, alt=f"Kettle, view {i + 1}") for i in range(3)]
    for picture in pictures:
        picture_renditions_make(picture)
    return product, pictures


def test_the_product_page_shows_the_first_picture_eagerly_and_the_thumbnails_as_links(client, gallery_product):
    product, pictures = gallery_product
    response = client.get(product.get_absolute_url())
    html = response.text
    assert 'id="gallery"' in html
    assert 'alt="Kettle, view 1"' in html
    assert 'fetchpriority="high"' in html
    assert 'loading="eager"' in html
    assert '<source type="image/webp" srcset="' in html
    assert 'width="640" height="480"' in html
    assert "Show picture 2 of 3" in html
    assert f'href="/products/kettle/?picture={pictures[1].pk}"' in html
    assert html.count('aria-current="true"') == 1  # the first thumbnail


def test_a_thumbnail_link_shows_that_picture(client, gallery_product):
    product, pictures = gallery_product
    response = client.get(product.get_absolute_url(), {"picture": pictures[2].pk})
    assert response.status_code == 200
    assert "<html" in response.text
    assert 'alt="Kettle, view 3"' in response.text
    assert (
        f'id="gallery-thumb-{pictures[2].pk}" href="/products/kettle/?picture={pictures[2].pk}" data-hx-get'
        in response.text
    )


def test_htmx_gets_only_the_gallery(client, gallery_product):
    product, pictures = gallery_product
    with CaptureQueriesContext(connection) as queries:
        response = client.get(product.get_absolute_url(), {"picture": pictures[1].pk}, headers=HTMX)
    assert "<html" not in response.text
    assert response.text.strip().startswith('<div id="gallery"')
    assert 'alt="Kettle, view 2"' in response.text
    assert "HX-Request" in response["Vary"]
    assert len(queries) == 2  # the product, its pictures


@pytest.mark.parametrize("picture", ["abc", "", "-1", "999999", "<other>"])
def test_a_bad_picture_shows_the_first_on_the_page_and_is_a_404_for_htmx(client, gallery_product, picture):
    product, _ = gallery_product
    if picture == "<other>":
        picture = str(make_picture(make_product(), name="products/other.png").pk)
    page = client.get(product.get_absolute_url(), {"picture": picture})
    assert page.status_code == 200
    assert 'alt="Kettle, view 1"' in page.text
    assert client.get(product.get_absolute_url(), {"picture": picture}, headers=HTMX).status_code == 404


def test_the_pickers_answer_brings_the_gallery_with_the_colour_first(client):
    make_option_value("Colour", "Red", swatch="#cc0000")
    make_option_value("Colour", "Blue", swatch="#0000cc")
    product = make_product(name="Shirt", slug="shirt")
    make_variant(product, ("Colour", "Red"))
    make_variant(product, ("Colour", "Blue"))
    make_picture(product, position=0, colour=OptionValue.objects.get(value="Red"), alt="Red Shirt, front view")
    make_picture(product, position=1, colour=OptionValue.objects.get(value="Blue"), alt="Blue Shirt, front view")
    response = client.get(product.get_absolute_url(), {"colour": "blue"}, headers=HTMX)
    assert response.text.strip().startswith('<div id="variant"')
    gallery = response.text[response.text.index('<div id="gallery"') :]
    assert 'data-hx-swap-oob="true"' in gallery[:80]
    assert gallery.index("Blue Shirt, front view") < gallery.index("Show picture 2 of 2")
    assert "?colour=blue&amp;picture=" in gallery  # the thumbnails keep the chosen variant


def test_cards_show_the_first_picture_with_srcset_and_sizes(client, gallery_product):
    response = client.get(reverse("storefront:product_list"))
    html = response.text
    assert 'class="product-image product-image-card"' in html
    assert 'sizes="(max-width: 40rem) 50vw, 320px"' in html
    assert 'width="320" height="240"' in html


def test_a_picture_without_renditions_yet_shows_the_original_at_its_size(client):
    product = make_product(category=make_category())
    picture = make_picture(product, content=png(400, 300))
    ProductPicture.objects.filter(pk=picture.pk).update(width=400, height=300)
    html = client.get(product.get_absolute_url()).text
    assert f'src="{picture.image.url}"' in html
    assert "srcset" not in html.split('id="gallery"')[1].split("</div>")[0]
    assert 'width="640" height="480"' in html


def test_each_place_lists_only_the_widths_a_browser_would_pick_for_its_box():
    picture = make_picture(make_product())
    picture_renditions_make_job.call(picture_id=picture.pk)
    picture.refresh_from_db()

    def widths(format_, box):
        return [part.rsplit(" ", 1)[1] for part in picture.srcset(format_, box).split(", ")]

    assert widths("WEBP", 320) == ["320w", "640w"]  # the card, at 1x and 2x
    assert widths("WEBP", 80) == ["80w", "160w"]  # the thumbnail strip
    assert widths("FALLBACK", 640) == ["640w"]  # the detail picture: the original is the widest fallback
    assert picture.srcset("FALLBACK", 640) == f"{picture.image.url} 640w"
    assert widths("WEBP", 1000) == ["640w"]  # a box wider than the source: its widest
