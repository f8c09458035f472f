"""The bench (make bench) serves the shop through its own URLconf and settings: they must keep
loading as the shop changes, or the bench fails only when someone runs it."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.urls("bench.urls")
@pytest.mark.parametrize("path", ["/bench/baseline/", "/products/", "/de/products/", "/cart/"])
def test_the_bench_urlconf_serves_the_baseline_and_the_shop_in_every_language(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.urls("bench.urls")
def test_the_baseline_answers_through_the_shop_s_middleware(client):
    response = client.get("/bench/baseline/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "Content-Security-Policy" in response.headers
