from xml.etree import ElementTree

import pytest

from storefront.demo_pictures import SHAPES, product_svg, shade
from storefront.management.commands.seed_catalog import CATEGORIES

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("view", ["front", "side"])
def test_every_shape_is_valid_svg_with_its_size(shape, view):
    svg = product_svg(shape, "#1f3a5f", view=view, label="Kitchen & Co <b>")
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own drawing, not untrusted input
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("640", "480", "0 0 640 480")
    assert len(root) > 2
    assert root.find(f"{SVG}text").text == "Kitchen & Co <b>"


def test_every_kind_in_the_demo_catalog_has_a_shape():
    assert {kind.shape for spec in CATEGORIES for kind in spec.kinds} <= set(SHAPES)


def test_kinds_colours_and_views_give_different_pictures():
    drawings = {product_svg(shape, "#b3261e") for shape in SHAPES}
    assert len(drawings) == len(SHAPES)
    assert product_svg("mug", "#b3261e") != product_svg("mug", "#1f3a5f")
    assert product_svg("mug", "#b3261e") != product_svg("mug", "#b3261e", view="side")
    assert 'fill="#b3261e"' in product_svg("tshirt", "#b3261e")


def test_the_same_arguments_give_the_same_picture_and_unknown_kinds_a_parcel():
    assert product_svg("kettle", "#2e6b3a") == product_svg("kettle", "#2e6b3a")
    assert product_svg("hovercraft", "#2e6b3a") == product_svg("box", "#2e6b3a")


def test_shade_mixes_towards_black_or_white():
    assert shade("#808080", -1.0) == "#000000"
    assert shade("#808080", 1.0) == "#ffffff"
    assert shade("#204060", 0.0) == "#204060"
