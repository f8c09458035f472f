import ast
from pathlib import Path

import pytest
from django.conf import settings
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


# --- Views decide by codes and render through config/rendering.py --------------------------------

VIEW_MODULES = sorted(
    path
    for app in ("storefront", "cart", "accounts", "orders")
    for path in (Path(settings.BASE_DIR) / app).glob("*.py")
    if path.name == "views.py"
)


def _decisions(tree: ast.AST) -> list[ast.expr]:
    """Every expression a view branches on."""
    return [node.test for node in ast.walk(tree) if isinstance(node, ast.If | ast.IfExp | ast.While)]


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_view_branches_on_request_htmx_itself(path):
    """Page or fragment is decided by config.rendering (wants_fragment, render_page_or_fragment), so
    a boosted link or a history restore is never answered with a fragment by one view's own test."""
    tree = ast.parse(path.read_text())
    for test in _decisions(tree):
        for node in ast.walk(test):
            assert not (isinstance(node, ast.Attribute) and node.attr == "htmx"), (
                f"{path}:{test.lineno} branches on request.htmx; use config.rendering"
            )


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_view_decides_by_comparing_a_message(path):
    """Refusals carry a code (OrderError.code, Problem); their wording may change or be translated."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                where = f"{path}:{node.lineno} compares a message; compare a code"
                assert not (isinstance(side, ast.Attribute) and side.attr == "message"), where
                assert not (isinstance(side, ast.Subscript) and getattr(side.value, "id", "") == "MESSAGES"), where
