"""The contract that keeps fragments honest (docs/partials.md): one source for each fragment, one
root element whose id is its swap target, and htmx only on elements that work without it."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from cart.services import CART_SESSION_KEY
from cart.tests.factories import make_cart, make_line
from config.fragments import FRAGMENTS
from storefront.tests.factories import make_product

ROOT = Path(__file__).resolve().parents[2]
PARTIALS = ROOT / "partials"
TEMPLATES = ROOT / "templates"
SOURCES = [p for p in ROOT.glob("*/**/*.py") if ".venv" not in p.parts and "tests" not in p.parts]


def partial_names() -> list[str]:
    return sorted(str(p.relative_to(PARTIALS)) for p in PARTIALS.rglob("*.html"))


def all_templates() -> list[Path]:
    return [*TEMPLATES.rglob("*.html"), *PARTIALS.rglob("*.html")]


def test_the_catalogue_lists_every_partial():
    assert sorted(f.template for f in FRAGMENTS) == partial_names()


def test_no_template_name_is_both_a_page_and_a_fragment():
    pages = {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")}
    assert not pages & set(partial_names())


@pytest.mark.parametrize("name", partial_names())
def test_every_partial_is_included_by_a_template(name):
    include = re.compile(r'{%\s*include\s+"' + re.escape(name) + '"')
    includers = [p for p in all_templates() if include.search(p.read_text())]
    assert includers, f"{name} is never included: the full page must include the fragment it returns"


@pytest.mark.parametrize("name", partial_names())
def test_every_partial_is_returned_by_code(name):
    users = [p for p in SOURCES if p.name != "fragments.py" and f'"{name}"' in p.read_text()]
    assert users, f"no view or region returns {name}"


class Elements(HTMLParser):
    """Top-level elements, and every element with hx-get/hx-post with its form ancestry."""

    VOID = frozenset({"input", "img", "br", "hr", "meta", "link", "source", "wbr", "area", "col", "embed"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.roots: list[tuple[str, dict[str, str | None]]] = []
        self.htmx: list[tuple[str, dict[str, str | None], list[dict[str, str | None]]]] = []
        self.forms: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if not self.stack:
            self.roots.append((tag, attributes))
        if tag == "form" and attributes.get("id"):
            self.forms[attributes["id"] or ""] = attributes
        if "hx-get" in attributes or "hx-post" in attributes:
            ancestors = [a for t, a in self.stack if t == "form"]
            self.htmx.append((tag, attributes, ancestors))
        if tag not in self.VOID:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def render_sample(fragment) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    return render_to_string(fragment.template, fragment.sample(request), request=request)


@pytest.fixture
def catalog(db):
    return [make_product(name=f"Kettle {n}", slug=f"kettle-{n}", stock_quantity=5) for n in range(4)]


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda f: f.template)
def test_every_fragment_has_one_root_whose_id_is_its_target(fragment, catalog):
    roots = parse(render_sample(fragment)).roots
    assert len(roots) == 1, f"{fragment.template} has {len(roots)} root elements"
    target = re.escape(fragment.target).replace(r"<", "<").replace(r">", ">")
    pattern = re.sub(r"<[^>]+>", "[a-z0-9_-]+", target)
    assert re.fullmatch(pattern, roots[0][1].get("id") or ""), (fragment.template, roots[0][1].get("id"))


def htmx_without_fallback(html: str) -> list[str]:
    """Elements with hx-get/hx-post that would do nothing without JavaScript."""
    parsed = parse(html)
    broken = []
    for tag, attributes, forms in parsed.htmx:
        if "hx-get" in attributes and tag == "a" and attributes.get("href"):
            continue
        if tag == "form" and attributes.get("action"):
            continue
        owner = parsed.forms.get(attributes.get("form") or "")
        if any(form.get("action") for form in forms) or (owner and owner.get("action")):
            continue
        if "hx-get" in attributes and attributes.get("href"):
            continue
        broken.append(f"<{tag} {attributes}>")
    return broken


def test_htmx_sits_on_real_links_and_forms_on_every_page(client, catalog):
    cart = make_cart()
    for product in catalog[:2]:
        make_line(cart=cart, product=product, quantity=1)
    session = client.session
    session[CART_SESSION_KEY] = cart.pk
    session.save()
    urls = [
        reverse("storefront:product_list"),
        reverse("storefront:product_list") + "?q=kettle&page=1",
        catalog[0].get_absolute_url(),
        reverse("cart:cart_detail"),
        reverse("orders:place_order"),
        reverse("login"),
    ]
    checked = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        checked += len(parse(html).htmx)
        assert htmx_without_fallback(html) == [], url
    assert checked > 10, "the pages carry htmx attributes to check"


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda f: f.template)
def test_htmx_in_every_fragment_has_a_fallback(fragment, catalog):
    html = render_sample(fragment)
    # A fragment is checked inside the form its page wraps it in (the checkout's field wrappers).
    if fragment.template.startswith("orders/_checkout_"):
        html = f'<form action="/checkout/" method="post">{html}</form>'
    assert htmx_without_fallback(html) == []
