"""Every cart region on every page that can change the cart, against every kind of change.

For each (page, change) the page is loaded, the change is sent the way htmx sends it from that page,
and the page is loaded again. The answer must refresh exactly the regions of the page that show a
fact the change altered (by the declarations in cart/regions.py): each such region comes back, and
every region that does not come back reads the same on the page after the change as before it.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from cart.models import CartLine
from cart.regions import REGIONS, Fact, region_for
from cart.services import CART_SESSION_KEY
from storefront.tests.factories import make_product, set_stock

pytestmark = pytest.mark.django_db

# What each kind of change alters, as the shopper sees it. A refused change alters nothing.
EVERY_FACT = frozenset(Fact)
NOTHING: frozenset[Fact] = frozenset()


class _Regions(HTMLParser):
    """The outer HTML of every element carrying data-cart-region, by id (regions do not nest)."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "area", "col", "embed", "track"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self.lines = [0]
        for line in html.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.found: dict[str, str] = {}
        self.oob: dict[str, str] = {}
        self._open: tuple[str, str, int, str | None] | None = None  # id, tag, start, oob
        self._depth = 0
        self.feed(html)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._open is not None:
            if tag == self._open[1] and tag not in self.VOID:
                self._depth += 1
            return
        values = dict(attrs)
        if "data-cart-region" in values and values.get("id"):
            self._open = (values["id"] or "", tag, self._offset(), values.get("data-hx-swap-oob"))
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._open is None or tag != self._open[1]:
            return
        self._depth -= 1
        if self._depth == 0:
            region_id, _, start, oob = self._open
            end = self.html.index(">", self._offset()) + 1
            self.found[region_id] = self.html[start:end]
            if oob:
                self.oob[region_id] = oob
            self._open = None


def _read(client: Client, page: str) -> dict[str, str]:
    """What each region of a page shows, by id. The mini-cart is read open (the page has it closed
    and empty): its contents are what it shows."""
    regions = _Regions(client.get(page).content.decode()).found
    if "mini-cart" in regions:
        opened = client.get(reverse("cart:mini_cart"), headers={"HX-Request": "true"}).content.decode()
        regions["mini-cart"] = _inside(_Regions(opened).found["mini-cart"])
    return regions


def _inside(html: str) -> str:
    return html.split(">", 1)[1].rsplit("<", 1)[0]


def _normal(html: str) -> str:
    """A region's HTML without what differs between two renderings of the same state."""
    html = re.sub(r' data-hx-swap-oob="[^"]*"', "", html)
    html = re.sub(r'name="(csrfmiddlewaretoken|token|next)" value="[^"]*"', r'name="\1"', html)
    return re.sub(r"\s+", " ", html).strip()


@dataclass(frozen=True)
class Change:
    name: str
    page: str  # "catalog", "product" or "cart"
    alters: frozenset[Fact]


CHANGES = [
    Change("add a new product from its card", "catalog", EVERY_FACT),
    Change("add more of a product in the cart from its card", "catalog", EVERY_FACT),
    Change("add a sold-out product from its card", "catalog", NOTHING),
    Change("add from the product page", "product", EVERY_FACT),
    Change("add a bad quantity from the product page", "product", NOTHING),
    Change("set a line's quantity", "cart", EVERY_FACT),
    Change("set a bad quantity", "cart", NOTHING),
    Change("remove a line", "cart", EVERY_FACT),
]


@pytest.fixture
def shop(client: Client):
    kettle = make_product(name="Kettle", stock_quantity=10)
    teapot = make_product(name="Teapot", stock_quantity=10)
    gone = make_product(name="Last Mug", stock_quantity=1)
    client.post(reverse("cart:cart_add", args=[kettle.pk]), {"quantity": "1"})
    client.post(reverse("cart:cart_add", args=[gone.pk]), {"quantity": "1"})
    set_stock(gone, 0)  # sold out since the page was loaded
    line = CartLine.objects.get(cart_id=client.session[CART_SESSION_KEY], product=kettle)
    return {"kettle": kettle, "teapot": teapot, "gone": gone, "line": line}


@dataclass(frozen=True)
class Request:
    page: str  # the page the change is sent from
    acted_on: str  # the region that sends it
    product: object  # the product whose quantity it is about
    url: str
    data: dict[str, str]


def _plan(change: Change, shop: dict) -> Request:
    kettle, teapot, gone, line = shop["kettle"], shop["teapot"], shop["gone"], shop["line"]
    product, quantity, target = {
        "add a new product from its card": (teapot, "1", "card"),
        "add more of a product in the cart from its card": (kettle, "1", "card"),
        "add a sold-out product from its card": (gone, "1", "card"),
        "add from the product page": (kettle, "2", "detail"),
        "add a bad quantity from the product page": (kettle, "abc", "detail"),
        "set a line's quantity": (kettle, "3", "cart"),
        "set a bad quantity": (kettle, "0", "cart"),
        "remove a line": (kettle, None, "cart"),
    }[change.name]
    page = {
        "catalog": reverse("storefront:product_list"),
        "product": product.get_absolute_url(),
        "cart": reverse("cart:cart_detail"),
    }[change.page]
    if target == "cart":
        url = reverse("cart:cart_line_update" if quantity else "cart:cart_line_remove", args=[line.pk])
        return Request(page, "cart", product, url, {"quantity": quantity} if quantity else {})
    url = reverse("cart:cart_add", args=[product.pk])
    return Request(page, f"add-to-cart-{target}-{product.pk}", product, url, {"quantity": quantity or ""})


def _shows_altered_fact(region_id: str, alters: frozenset[Fact], product) -> bool:
    found = region_for(region_id)
    assert found is not None, f"{region_id} carries data-cart-region but cart/regions.py does not declare it"
    region, match = found
    shown = set(region.shows & alters)
    if Fact.QUANTITY in shown and int(match["pk"]) != product.pk:
        shown.discard(Fact.QUANTITY)  # another product's quantity did not change
    return bool(shown)


@pytest.mark.parametrize("change", CHANGES, ids=[change.name for change in CHANGES])
def test_a_change_refreshes_exactly_the_regions_showing_what_it_altered(client, shop, change):
    sent = _plan(change, shop)
    before = _read(client, sent.page)
    headers = {"HX-Request": "true", "HX-Target": sent.acted_on, "HX-Current-URL": f"http://testserver{sent.page}"}
    response = client.post(sent.url, sent.data, headers=headers)
    assert response.status_code == (200 if change.alters else 422)
    answer = response.content.decode()
    after = _read(client, sent.page)
    answered = _Regions(answer)

    assert sent.acted_on in before, "the change is sent from a region of the page"
    assert re.match(rf'<[a-z]+ id="{sent.acted_on}"', answer.lstrip()), "the region acted on comes first, in place"
    assert sent.acted_on not in answered.oob
    expected = {sent.acted_on} | {r for r in after if _shows_altered_fact(r, change.alters, sent.product)}
    assert set(answered.found) == expected
    # A region left out shows nothing the change altered: the page after the change reads the same.
    for region_id in set(after) - expected:
        assert _normal(before[region_id]) == _normal(after[region_id]), f"{region_id} changed but was not sent"
    # A region sent reads as the page now shows it.
    for region_id, html in answered.found.items():
        if region_id == sent.acted_on:
            continue
        if region_id == "mini-cart":
            assert answered.oob[region_id] == "innerHTML"  # only its contents: a closed panel stays closed
            html = _inside(html)
        assert _normal(html) == _normal(after[region_id]), f"{region_id} was sent stale"


def test_every_declared_region_is_on_a_page_the_changes_cover(client, shop):
    seen: set[str] = set()
    for page in {_plan(change, shop).page for change in CHANGES}:
        seen |= set(_Regions(client.get(page).content.decode()).found)
    for region in REGIONS:
        assert any(region.pattern.fullmatch(region_id) for region_id in seen), region.template
