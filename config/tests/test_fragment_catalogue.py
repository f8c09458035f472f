import pytest
from django.urls import reverse

from config.fragments import fragments
from storefront.tests.factories import make_product

pytestmark = pytest.mark.django_db

FRAGMENTS = fragments()


@pytest.fixture
def catalog():
    return [make_product(name=f"Lamp {n}", slug=f"lamp-{n}") for n in range(3)]


def test_catalogue_lists_every_fragment_with_its_target_and_views(client, settings, catalog):
    settings.DEBUG = True
    html = client.get(reverse("fragment_catalogue")).content.decode()
    for fragment in FRAGMENTS:
        assert f"partials/{fragment.template}" in html
        assert f"#{fragment.target}" in html.replace("&lt;", "<").replace("&gt;", ">")
        assert reverse("fragment_sample", args=[fragment.template]) in html


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda f: f.template)
def test_each_sample_renders_with_demo_data_and_may_be_framed_by_the_catalogue(client, settings, catalog, fragment):
    settings.DEBUG = True
    response = client.get(reverse("fragment_sample", args=[fragment.template]))
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


def test_the_catalogue_does_not_exist_without_debug(client, settings, catalog):
    settings.DEBUG = False
    assert client.get(reverse("fragment_catalogue")).status_code == 404
    assert client.get(reverse("fragment_sample", args=[FRAGMENTS[0].template])).status_code == 404


def test_an_empty_catalog_or_unknown_fragment_is_a_404_not_an_error(client, settings):
    settings.DEBUG = True
    assert client.get(reverse("fragment_sample", args=["cart/_cart.html"])).status_code == 404
    assert client.get(reverse("fragment_sample", args=["../templates/base.html"])).status_code == 404
