"""The one list of page regions that show cart state.

Each region is a fragment in partials/ whose root element carries `data-cart-region` and an
id. Before every htmx request, static/js/storefront.js sends the ids of the regions on the
page in the `X-Cart-Regions` header; a cart-changing response renders the main region (the
request's target) and every other listed region as an out-of-band swap, from this list.
A region can therefore never show an older cart than its neighbours.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string

from storefront.models import Product

from .forms import AddToCartForm
from .models import CartContents

REGIONS_HEADER = "X-Cart-Regions"
MAX_REGIONS = 50


@dataclass(frozen=True)
class Region:
    pattern: re.Pattern[str]
    template: str
    # Extra context from the match and the products of the listed regions, loaded together
    # (for example the product of an add-to-cart form).
    context: Callable[[re.Match[str], Mapping[int, Product]], dict[str, object]] = lambda match, products: {}


def _add_to_cart_context(match: re.Match[str], products: Mapping[int, Product]) -> dict[str, object]:
    product = products.get(int(match["pk"]))
    return {"product": product, "layout": match["layout"], "form": AddToCartForm(initial={"quantity": 1})}


REGIONS: list[Region] = [
    Region(re.compile(r"cart-count"), "cart/_cart_count.html"),
    Region(re.compile(r"mini-cart"), "cart/_mini_cart.html", lambda match, products: {"open": True}),
    Region(re.compile(r"cart"), "cart/_cart.html"),
    Region(
        re.compile(r"add-to-cart-(?P<layout>card|detail)-(?P<pk>\d{1,18})"),
        "cart/_add_to_cart.html",
        _add_to_cart_context,
    ),
]


def _region_for(region_id: str) -> tuple[Region, re.Match[str]] | None:
    for region in REGIONS:
        match = region.pattern.fullmatch(region_id)
        if match:
            return region, match
    return None


def requested_regions(request: HttpRequest) -> list[str]:
    """The known cart regions the requesting page says it shows, in a stable order."""
    raw = request.headers.get(REGIONS_HEADER, "")
    ids = [part for part in re.split(r"[\s,]+", raw)[:MAX_REGIONS] if part]
    return [region_id for region_id in dict.fromkeys(ids) if _region_for(region_id)]


def _region_products(region_ids: list[str]) -> dict[int, Product]:
    """The available products the regions show, in one query (a page lists one per card)."""
    pks = set()
    for region_id in region_ids:
        found = _region_for(region_id)
        if found and "pk" in found[1].re.groupindex:
            pks.add(int(found[1]["pk"]))
    return Product.objects.available().fetch_mode(models.FETCH_PEERS).in_bulk(pks) if pks else {}


def render_region(
    request: HttpRequest,
    region_id: str,
    contents: CartContents,
    extra: dict[str, object],
    *,
    oob: bool,
    products: Mapping[int, Product] | None = None,
) -> str:
    found = _region_for(region_id)
    if found is None:
        return ""
    region, match = found
    if products is None:
        products = _region_products([region_id])
    context = {"cart": contents, "oob": oob, **region.context(match, products), **extra}
    if "product" in context and context["product"] is None:
        return ""
    return render_to_string(region.template, context, request=request)


def render_cart_regions(request: HttpRequest, contents: CartContents) -> str:
    """Every region the page lists, out of band: a page shown again from the browser's memory or
    cache is brought up to date with the cart as it is now."""
    listed = requested_regions(request)
    products = _region_products(listed)
    return "".join(render_region(request, region_id, contents, {}, oob=True, products=products) for region_id in listed)


def render_cart_change(
    request: HttpRequest, *, main: str, contents: CartContents, extra: dict[str, object], announcement: str
) -> str:
    """The main region, then every other region on the page out of band, then the announcement."""
    others = [region_id for region_id in requested_regions(request) if region_id != main]
    products = _region_products([main, *others])
    parts = [render_region(request, main, contents, extra, oob=False, products=products)]
    for region_id in others:
        parts.append(render_region(request, region_id, contents, {}, oob=True, products=products))
    parts.append(render_to_string("storefront/_announcer.html", {"message": announcement, "oob": True}))
    return "".join(parts)
