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

from cart.tests.factories import make_cart, make_line, put_in_session
from config.fragments import fragments
from storefront.tests.factories import make_product

ROOT = Path(__file__).resolve().parents[2]
PARTIALS = ROOT / "partials"
TEMPLATES = ROOT / "templates"
SOURCES = [p for p in ROOT.glob("*/**/*.py") if ".venv" not in p.parts and "tests" not in p.parts]


def partial_names() -> list[str]:
    return sorted(str(p.relative_to(PARTIALS)) for p in PARTIALS.rglob("*.html"))


def all_templates() -> list[Path]:
    return [*TEMPLATES.rglob("*.html"), *PARTIALS.rglob("*.html")]


FRAGMENTS = fragments()


def test_the_catalogue_lists_every_partial():
    assert sorted(f.template for f in FRAGMENTS) == partial_names()


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda f: f.template)
def test_every_partial_has_its_sample_by_the_convention(fragment):
    """partials/<app>/_<name>.html has `<name>` in <app>/fragments.py, marked @sample (config/fragments.py)."""
    app, _, name = fragment.template.partition("/")
    assert fragment.sample is not None, f"no @sample function {name[1:-5]!r} in {app}/fragments.py"
    assert fragment.target


def test_no_template_name_is_both_a_page_and_a_fragment():
    pages = {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")}
    assert not pages & set(partial_names())


BARE_HTMX_ATTRIBUTE = re.compile(r"""(?<![\w-])hx-[a-z-]+\s*=""")


@pytest.mark.parametrize("template", [str(p.relative_to(ROOT)) for p in all_templates()])
def test_htmx_attributes_are_written_as_valid_html(template):
    """`data-hx-*`, which htmx reads the same: bare `hx-*` attributes are invalid HTML."""
    text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", (ROOT / template).read_text(), flags=re.S)
    assert BARE_HTMX_ATTRIBUTE.findall(text) == []


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
    """Top-level elements, and every element with data-hx-get/data-hx-post with its form ancestry."""

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
        if "data-hx-get" in attributes or "data-hx-post" in attributes:
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
    assert fragment.sample is not None, f"{fragment.template} has no sample (config/fragments.py)"
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
    """Elements with data-hx-get/data-hx-post that would do nothing without JavaScript."""
    parsed = parse(html)
    broken = []
    for tag, attributes, forms in parsed.htmx:
        if "data-hx-get" in attributes and tag == "a" and attributes.get("href"):
            continue
        if tag == "form" and attributes.get("action"):
            continue
        owner = parsed.forms.get(attributes.get("form") or "")
        if any(form.get("action") for form in forms) or (owner and owner.get("action")):
            continue
        if "data-hx-get" in attributes and attributes.get("href"):
            continue
        broken.append(f"<{tag} {attributes}>")
    return broken


def test_htmx_sits_on_real_links_and_forms_on_every_page(client, catalog):
    cart = make_cart()
    for product in catalog[:2]:
        make_line(cart=cart, product=product, quantity=1)
    put_in_session(client, cart)
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


class References(HTMLParser):
    """Every id in a document, and every id an aria-describedby or aria-labelledby points at."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, id)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"] or "")
        for name in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for target in (attributes.get(name) or "").split():
                self.references.append((tag, name, target))


def dangling_references(html: str) -> list[str]:
    parser = References()
    parser.feed(html)
    return [f"<{tag} {name}={target!r}>" for tag, name, target in parser.references if target not in parser.ids]


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda f: f.template)
def test_every_aria_reference_in_a_fragment_resolves(fragment, catalog):
    assert dangling_references(render_sample(fragment)) == []


def test_every_aria_reference_on_every_page_resolves_with_and_without_errors(client, catalog):
    """Pages as shoppers see them, and as they come back with errors on every kind of field."""
    cart = make_cart()
    make_line(cart=cart, product=catalog[0], quantity=2)
    put_in_session(client, cart)
    catalog_url = reverse("storefront:product_list")
    answers = [
        client.get(catalog_url),
        client.get(catalog_url, {"q": "k" * 101, "min_price": "abc", "max_price": "-1", "category": "nope"}),
        client.get(catalog[0].get_absolute_url()),
        client.post(reverse("cart:cart_add", args=[catalog[0].pk]), {"quantity": "0"}),
        client.get(reverse("cart:cart_detail")),
        client.post(reverse("cart:cart_line_update", args=[cart.lines.get().pk]), {"quantity": "abc"}),
        client.get(reverse("orders:place_order")),
        client.post(reverse("orders:place_order"), {"email": "not-an-address", "shipping_postcode": "!"}),
        client.get(reverse("login")),
        client.post(reverse("login"), {"username": "nobody", "password": "wrong"}),
        client.get(reverse("signup")),
        client.post(reverse("signup"), {"username": "", "email": "x", "password1": "a", "password2": "b"}),
        client.get(reverse("password_reset")),
        client.post(reverse("password_reset"), {"email": "not-an-address"}),
    ]
    for response in answers:
        assert response.status_code in (200, 422), response.request["PATH_INFO"]
        assert dangling_references(response.content.decode()) == [], response.request["PATH_INFO"]


def test_a_filter_value_that_is_not_a_number_is_not_put_back_into_a_number_box(client, catalog):
    html = client.get(reverse("storefront:product_list"), {"min_price": "abc", "max_price": "1e400x"}).content.decode()
    for name in ("min_price", "max_price"):
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]
        assert 'type="number"' in box
        assert "value=" not in box
        assert 'aria-invalid="true"' in box
        assert f'aria-describedby="id_{name}_error"' in box
    assert 'id="id_min_price_error"' in html
    # A valid number is kept.
    html = client.get(reverse("storefront:product_list"), {"min_price": "3.50"}).content.decode()
    assert re.search(r'<input[^>]*name="min_price"[^>]*value="3.50"', html)
