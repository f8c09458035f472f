"""The JavaScript budget: every script the shop's pages load, gzipped as it is shipped, fits in 20 KB.

The files are collected once for the module the way production collects them (collectstatic with
the storage config/settings.py uses when DJANGO_DEBUG is off: hashed names, a .gz written next to
each file), and the pages are rendered with DEBUG off, so they reference exactly the files a
browser downloads: htmx from django-htmx's {% htmx_script %} and static/js/storefront.js.
"""

import os
import re
import runpy
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from cart.tests.factories import put_in_session
from orders.tests.factories import cart_with
from storefront.tests.factories import make_product

JS_BUDGET = 20 * 1024  # bytes, gzipped

pytestmark = pytest.mark.django_db


def production_storages() -> dict:
    """STORAGES as config/settings.py sets it with DJANGO_DEBUG=0."""
    environment = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 50, "DJANGO_ALLOWED_HOSTS": "testserver"}
    with mock.patch.dict(os.environ, environment):
        production = runpy.run_path(str(Path(django_settings.BASE_DIR, "config", "settings.py")))
    return production["STORAGES"]


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> dict:
    """The settings of a production shop whose static files were collected into a temporary folder."""
    production = {
        "DEBUG": False,
        "STORAGES": production_storages(),
        "STATIC_ROOT": tmp_path_factory.mktemp("staticfiles"),
    }
    with override_settings(**production):
        call_command("collectstatic", interactive=False, verbosity=0)
    return production


@pytest.fixture
def production(settings, collected) -> Path:
    for name, value in collected.items():
        setattr(settings, name, value)
    return collected["STATIC_ROOT"]


def shop_pages(client: Client) -> list[str]:
    """The catalog, a product, the cart and the checkout, as a shopper with a cart sees them."""
    product = make_product()
    put_in_session(client, cart_with((product, 1)))
    urls = [
        reverse("storefront:product_list"),
        product.get_absolute_url(),
        reverse("cart:cart_detail"),
        reverse("orders:place_order"),
    ]
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.text)
    return pages


def test_the_javascript_the_pages_ship_fits_the_budget_gzipped(client, production):
    static_url = "/" + django_settings.STATIC_URL.lstrip("/")
    sources = {src for page in shop_pages(client) for src in re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', page)}
    names = sorted(urlsplit(src).path.removeprefix(static_url) for src in sources)

    assert any(re.fullmatch(r"django_htmx/htmx-2\.min\.[0-9a-f]{12}\.js", name) for name in names), names
    assert any(re.fullmatch(r"js/storefront\.[0-9a-f]{12}\.js", name) for name in names), names
    shipped = {name: production / f"{name}.gz" for name in names}
    missing = [name for name, path in shipped.items() if not path.is_file()]
    assert not missing, f"no collected .gz for {missing}"
    sizes = {name: path.stat().st_size for name, path in shipped.items()}
    total = sum(sizes.values())
    assert total <= JS_BUDGET, f"{total} bytes of gzipped JavaScript, over the {JS_BUDGET}-byte budget: {sizes}"
