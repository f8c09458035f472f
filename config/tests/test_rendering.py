import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from config.rendering import render_page_or_fragment, wants_fragment


def request_with(**headers: str):
    request = RequestFactory().get("/", headers=headers)
    request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]  # HtmxMiddleware's job, done by hand
    return request


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
        ({"HX-History-Restore-Request": "true"}, False),
    ],
)
def test_only_plain_htmx_requests_get_a_fragment(headers, fragment):
    assert wants_fragment(request_with(**headers)) is fragment


def test_every_answer_varies_on_the_headers_it_reads():
    response = render_page_or_fragment(request_with(), "storefront/_announcer.html", "storefront/_announcer.html", {})
    assert {"HX-Request", "HX-Boosted", "HX-History-Restore-Request"} <= {
        value.strip() for value in response["Vary"].split(",")
    }
