"""The one declaration of the page regions that show cart state, and what a cart change re-renders.

Each region is a fragment in partials/ whose root element carries `data-cart-region` and an id, and
states which cart facts it shows. A change says which facts it altered (`altered_facts`); its answer
is the region the shopper acted on, then every region that is on every page (the header's) and shows
an altered fact, out of band. No region is refreshed that shows nothing the change altered, and the
browser never has to say which regions its page holds.

A region that is not on every page (the cart's lines, one product's add-to-cart form) is refreshed
only as the region acted on: a change touches one product, from its own form or its cart line, and
no page shows a second region of the same product. config/tests/test_cart_regions.py proves both
halves over every page and every kind of change.
"""

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string

from storefront.models import Product

from .forms import AddToCartForm
from .models import CartContents
from .services import CartChange


class Fact(enum.Enum):
    COUNT = "the number of items"
    TOTALS = "the subtotal"
    LINES = "the lines"
    QUANTITY = "one product's quantity"  # the product named by the region's id


@dataclass(frozen=True)
class Region:
    pattern: re.Pattern[str]
    template: str
    shows: frozenset[Fact]
    everywhere: bool = False  # in base.html's header, so on every page


REGIONS: list[Region] = [
    Region(re.compile(r"cart-count"), "cart/_cart_count.html", frozenset({Fact.COUNT}), everywhere=True),
    # Open or closed, its container is in the header; out of band only its contents are replaced
    # (innerHTML), so a closed panel stays closed.
    Region(re.compile(r"mini-cart"), "cart/_mini_cart.html", frozenset({Fact.COUNT, Fact.TOTALS, Fact.LINES}), True),
    Region(re.compile(r"cart"), "cart/_cart.html", frozenset({Fact.COUNT, Fact.TOTALS, Fact.LINES})),
    Region(
        re.compile(r"add-to-cart-(?P<layout>card|detail)-(?P<pk>\d{1,18})"),
        "cart/_add_to_cart.html",
        frozenset({Fact.QUANTITY}),
    ),
]
ANNOUNCER = "storefront/_announcer.html"
MAX_REGIONS = 50


def altered_facts(change: CartChange | None) -> frozenset[Fact]:
    """What a change altered: an add, a new quantity or a removal alters every fact of the cart (and
    its product's quantity); a refused change alters nothing."""
    if change is None:
        return frozenset()
    return frozenset(Fact)


def region_for(region_id: str) -> tuple[Region, re.Match[str]] | None:
    for region in REGIONS:
        match = region.pattern.fullmatch(region_id)
        if match:
            return region, match
    return None


def _header_regions_showing(facts: frozenset[Fact], *, besides: str) -> list[str]:
    """The templates of the header's regions (other than `besides`) that show one of `facts`."""
    return [
        region.template
        for region in REGIONS
        if region.everywhere and region.shows & facts and not region.pattern.fullmatch(besides)
    ]


def out_of_band(change: CartChange | None, *, acted_on: str) -> list[str]:
    """The templates to send out of band beside the region acted on: the header's regions that show
    what the change altered, then the announcement."""
    return [*_header_regions_showing(altered_facts(change), besides=acted_on), ANNOUNCER]


def neighbours(region_id: str) -> list[str]:
    """The templates of the header's other regions that show a fact the given region shows: sent with
    a region read afresh (the mini-cart opened after another tab changed the cart), so that no region
    shows a newer cart than its neighbours."""
    found = region_for(region_id)
    return _header_regions_showing(found[0].shows if found else frozenset(), besides=region_id)


def render_listed_regions(
    request: HttpRequest, contents: CartContents, region_ids: Iterable[str], *, next_url: str
) -> str:
    """The named regions, out of band, as the cart is now: for a page the browser shows again from
    its memory or cache (Back), which names the regions it holds. `next_url` is that page's."""
    found = []
    for region_id in list(dict.fromkeys(region_ids))[:MAX_REGIONS]:
        hit = region_for(region_id)
        if hit is not None:
            found.append(hit)
    pks = {int(match["pk"]) for region, match in found if "pk" in match.re.groupindex}
    products = Product.objects.available().fetch_mode(models.FETCH_PEERS).in_bulk(pks) if pks else {}
    parts = []
    for region, match in found:
        context: dict[str, object] = {"cart": contents, "oob": True, "next_url": next_url}
        if "pk" in match.re.groupindex:
            product = products.get(int(match["pk"]))
            if product is None:
                continue
            form = AddToCartForm(initial={"quantity": 1})
            context |= {"product": product, "layout": match["layout"], "form": form}
            context["next_url"] = next_url or product.get_absolute_url()
        parts.append(render_to_string(region.template, context, request=request))
    return "".join(parts)
