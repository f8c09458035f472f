"""Staff add pictures inline on a product: the upload is checked, and the renditions job is queued once
the save commits. (Beside test_stock_admin.py, whose form reader it uses.)"""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult
from PIL import Image

from storefront.models import ProductPicture
from storefront.tests.factories import make_product

from .test_stock_admin import change_url, form_of

pytestmark = pytest.mark.django_db


def upload(content: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def a_png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def with_picture(form: dict[str, str], image: SimpleUploadedFile) -> dict[str, object]:
    return {
        **form,
        "pictures-TOTAL_FORMS": "1",
        "pictures-0-image": image,
        "pictures-0-alt_text": "Kettle, front view",
        "pictures-0-position": "0",
        "pictures-0-colour": "",
        "pictures-0-product": form.get("pictures-__prefix__-product", ""),
    }


def test_staff_add_a_picture_and_its_renditions_are_queued(client, staff, django_capture_on_commit_callbacks):
    product = make_product()
    form = form_of(client.get(change_url(product)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(product), with_picture(form, upload(a_png())))
    assert response.status_code == 302, response.content.decode()
    picture = ProductPicture.objects.get(product=product)
    assert (picture.alt_text, picture.width, picture.height) == ("Kettle, front view", 400, 300)
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["kwargs"] == {"picture_id": picture.pk}


def test_a_file_that_is_not_a_picture_is_refused_with_a_clear_message(client, staff):
    product = make_product()
    form = form_of(client.get(change_url(product)))
    response = client.post(change_url(product), with_picture(form, upload(b"%PDF-1.4 not a picture")))
    assert response.status_code == 200
    assert "This file is not a picture (JPEG, PNG, WebP or SVG)." in response.content.decode()
    assert not ProductPicture.objects.exists()
    assert not DBTaskResult.objects.exists()
