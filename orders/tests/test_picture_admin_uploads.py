"""Hostile picture uploads in the admin answer the product's page with the reason, never a server error
(beside test_picture_admin.py, whose form helpers it uses)."""

import pytest
from django_tasks_db.models import DBTaskResult

from storefront.models import ProductPicture
from storefront.tests.factories import make_product
from storefront.tests.test_pictures import HOSTILE_SVG, big_png

from .test_picture_admin import upload, with_picture
from .test_stock_admin import change_url, form_of

pytestmark = pytest.mark.django_db


def test_a_decompression_bomb_is_refused_on_the_page_not_with_a_server_error(client, staff):
    product = make_product()
    form = form_of(client.get(change_url(product)))
    response = client.post(change_url(product), with_picture(form, upload(big_png(20_000, 20_000), "bomb.png")))
    assert response.status_code == 200
    assert "This picture has more than 40 million pixels: scale it down and upload it again." in response.text
    assert not ProductPicture.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_an_svg_is_stored_as_a_png_and_its_renditions_are_queued(
    client, staff, tmp_path, django_capture_on_commit_callbacks
):
    product = make_product()
    form = form_of(client.get(change_url(product)))
    svg = HOSTILE_SVG.format(secret=tmp_path / "nothing.png").encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(product), with_picture(form, upload(svg, "logo.svg")))
    assert response.status_code == 302, response.text
    picture = ProductPicture.objects.get(product=product)
    assert picture.image.name.endswith(".png")
    assert picture.image.read().startswith(b"\x89PNG")
    assert DBTaskResult.objects.get().args_kwargs["kwargs"] == {"picture_id": picture.pk}
