"""The catalog's facets (storefront/facets.py): exact, disjunctive counts of products, the same-variant
rule, the cache kept in step with catalog writes, and the page and fragment that show them."""

import re
from decimal import Decimal

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse

from config.tests.helpers import HTMX
from storefront import catalog_version as version_module
from storefront import facets as facets_module
from storefront.models import Product, Variant
from storefront.services import stock_set, variant_set_active

from .factories import make_category, make_product, make_variant

pytestmark = pytest.mark.django_db

LIST_URL = reverse("storefront:product_list")


@pytest.fixture
def shop() -> dict[str, Product]:
    """Four shirts of two brands in sizes and colours, one lamp without options."""
    apparel, home = make_category(slug="apparel"), make_category(slug="home")
    tee = make_product(category=apparel, name="Tee", brand="Acme", price=Decimal("20"))
    make_variant(tee, ("Size", "M"), ("Colour", "Blue"))
    make_variant(tee, ("Size", "L"), ("Colour", "Red"))
    hoodie = make_product(category=apparel, name="Hoodie", brand="Acme", price=Decimal("60"))
    make_variant(hoodie, ("Size", "M"), ("Colour", "Red"))
    polo = make_product(category=apparel, name="Polo", brand="Borealis", price=Decimal("30"))
    make_variant(polo, ("Size", "S"), ("Colour", "Blue"))
    make_variant(polo, ("Size", "M"), ("Colour", "Blue"), stock_quantity=0)
    knit = make_product(category=apparel, name="Knit", brand="Borealis", price=Decimal("80"))
    make_variant(knit, ("Size", "L"), ("Colour", "Blue"))
    lamp = make_product(category=home, name="Lamp", brand="Lumen", price=Decimal("40"))
    return {"tee": tee, "hoodie": hoodie, "polo": polo, "knit": knit, "lamp": lamp}


def facets(response) -> dict[str, dict[str, str]]:
    """{group: {value: label}} as the page shows them."""
    return {
        group.param: {option.value: option.label for option in group.options + group.more}
        for group in response.context["facet_groups"]
    }


def disabled(response) -> set[str]:
    return {
        f"{group.param}={option.value}"
        for group in response.context["facet_groups"]
        for option in group.options + group.more
        if option.disabled
    }


def names(response) -> list[str]:
    return sorted(product.name for product in response.context["page_obj"])


def test_counts_products_not_variants(client, shop):
    response = client.get(LIST_URL)
    assert facets(response) == {
        "brand": {"acme": "Acme (2)", "borealis": "Borealis (2)", "lumen": "Lumen (1)"},
        "size": {"m": "M (3)", "l": "L (2)", "s": "S (1)"},
        "colour": {"blue": "Blue (3)", "red": "Red (2)"},
    }


def test_values_of_one_group_or_and_groups_and(client, shop):
    response = client.get(LIST_URL, {"size": ["s", "l"], "brand": "borealis"})
    assert names(response) == ["Knit", "Polo"]
    response = client.get(LIST_URL, {"size": ["s", "l"], "brand": "acme"})
    assert names(response) == ["Tee"]


def test_counts_are_disjunctive(client, shop):
    """A group's counts leave its own choice out and apply every other group's."""
    response = client.get(LIST_URL, {"brand": "acme", "size": "m"})
    shown = facets(response)
    assert shown["brand"] == {"acme": "Acme (2)", "borealis": "Borealis (1)", "lumen": "Lumen (0)"}
    assert shown["size"] == {"m": "M (2)", "l": "L (1)", "s": "S (0)"}
    assert shown["colour"] == {"blue": "Blue (1)", "red": "Red (1)"}
    assert disabled(response) == {"brand=lumen", "size=s"}
    assert names(response) == ["Hoodie", "Tee"]


def test_size_and_colour_match_on_one_variant(client, shop):
    """Tee is M/Blue and L/Red: it has an M and it has a red, but no red M... the Hoodie has one."""
    response = client.get(LIST_URL, {"size": "m", "colour": "red"})
    assert names(response) == ["Hoodie"]
    shown = facets(response)
    assert shown["size"]["l"] == "L (1)"  # the red L of the Tee
    assert shown["colour"]["blue"] == "Blue (2)"  # blue Ms: Tee and Polo (sold out, still offered)


def test_inactive_variants_and_products_do_not_count(client, shop):
    variant_set_active(variant_id=Variant.objects.get(product=shop["hoodie"]).pk, is_active=False)
    Product.objects.filter(pk=shop["knit"].pk).update(is_active=False)
    response = client.get(LIST_URL, {"brand": "acme"})
    shown = facets(response)
    assert shown["size"] == {"m": "M (1)", "l": "L (1)", "s": "S (0)"}  # the Knit's L and the Hoodie's M are gone
    # The Hoodie is still an active product (sold out): it stays in the list and in its brand's count.
    assert shown["brand"] == {"acme": "Acme (2)", "borealis": "Borealis (1)", "lumen": "Lumen (1)"}
    assert names(client.get(LIST_URL, {"brand": "acme", "size": "m"})) == ["Tee"]


def test_other_filters_narrow_the_counts_and_the_category_scopes_the_values(client, shop):
    response = client.get(LIST_URL, {"category": "apparel", "max_price": "50"})
    shown = facets(response)
    assert shown["brand"] == {"acme": "Acme (1)", "borealis": "Borealis (1)"}  # no Lumen in apparel
    assert shown["size"] == {"m": "M (2)", "l": "L (1)", "s": "S (1)"}
    response = client.get(LIST_URL, {"category": "home"})
    assert list(facets(response)) == ["brand"]  # no sizes or colours in the home category


def test_a_chosen_value_without_products_stays_listed_and_enabled(client, shop):
    response = client.get(LIST_URL, {"category": "home", "size": "m"})
    assert facets(response)["size"] == {"m": "M (0)"}
    assert "size=m" not in disabled(response)
    assert 'id="id_size_m" checked' in response.text


def test_a_catalog_write_refreshes_the_cached_counts(client, shop, django_capture_on_commit_callbacks):
    assert facets(client.get(LIST_URL))["size"]["s"] == "S (1)"
    with django_capture_on_commit_callbacks(execute=True):
        variant_set_active(
            variant_id=Variant.objects.get(product=shop["polo"], option_values__value="S").pk, is_active=False
        )
    assert "s" not in facets(client.get(LIST_URL))["size"]


@pytest.mark.parametrize(
    ("before", "after", "counted_afresh"), [(10, 12, False), (12, 10, False), (0, 5, True), (5, 0, True)]
)
def test_staff_stock_changes_count_the_facets_afresh_only_when_a_variant_sells_out_or_comes_back(
    client, shop, django_capture_on_commit_callbacks, before, after, counted_afresh
):
    lamp = Variant.objects.get(product=shop["lamp"])
    Variant.objects.filter(pk=lamp.pk).update(stock_quantity=before)
    Product.objects.filter(pk=shop["lamp"].pk).update(stock_quantity=before)
    seen = facets(client.get(LIST_URL, {"in_stock": "on"}))["brand"]
    version = version_module.catalog_version()

    with django_capture_on_commit_callbacks(execute=True):
        stock_set(variant_id=lamp.pk, seen=before, quantity=after, by=None)

    assert (version_module.catalog_version() != version) is counted_afresh
    shown = facets(client.get(LIST_URL, {"in_stock": "on"}))["brand"]
    assert (shown != seen) is counted_afresh  # the Lamp left or joined the in-stock count of Lumen


@pytest.mark.parametrize("version_file", [True, False])
def test_without_redis_every_worker_sees_a_write_through_the_version_file(
    client, shop, settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch, version_file
):
    """On one machine each worker caches counts in its own memory; the catalog's version is a file
    they all read, so a write made by another worker is seen at once. Without the file (the version in
    each worker's own memory) this worker would go on showing what it counted before."""
    settings.CATALOG_VERSION_FILE = tmp_path / "db.sqlite3.catalog-version" if version_file else None
    assert facets(client.get(LIST_URL))["size"]["s"] == "S (1)"  # counted, and cached by this worker
    polo_s = Variant.objects.get(product=shop["polo"], option_values__value="S")
    with monkeypatch.context() as other_worker:
        memory = LocMemCache("other-worker", {})  # its own memory, for counts and (without the file) the version
        other_worker.setattr(facets_module, "cache", memory)
        other_worker.setattr(version_module, "cache", memory)
        with django_capture_on_commit_callbacks(execute=True):
            variant_set_active(variant_id=polo_s.pk, is_active=False)
    shown = facets(client.get(LIST_URL))["size"]
    if version_file:
        assert "s" not in shown
        assert list(tmp_path.iterdir()) == [settings.CATALOG_VERSION_FILE]  # written aside, then renamed
    else:
        assert shown["s"] == "S (1)"  # stale: why the version is not kept in a per-process cache


def test_page_shows_the_facets_in_the_filter_form_with_accessible_names(client, shop):
    response = client.get(LIST_URL, {"size": "m"})
    html = response.text
    assert response.status_code == 200
    form = html[html.index('<form id="filters"') : html.index("</form>")]
    assert '<div id="facets" class="facets">' in form
    assert form.index('id="facets"') < form.index("Apply filters")
    assert "<legend>Size</legend>" in form
    assert re.search(
        r'<input type="checkbox" name="size" value="m" id="id_size_m" checked><label for="id_size_m">M \(3\)', form
    )
    assert "Size: M" in html  # the chip that removes it


def test_fragment_brings_results_and_facets_but_not_the_search_box(client, shop):
    response = client.get(LIST_URL, {"brand": "acme"}, headers=HTMX)
    html = response.text
    assert "<html" not in html
    assert 'id="results"' in html
    assert '<div id="facets" class="facets" data-hx-swap-oob="true">' in html
    assert 'name="q"' not in html
    assert "HX-Request" in response["Vary"]


def test_chip_removes_one_value_of_a_facet(client, shop):
    response = client.get(LIST_URL, {"size": ["m", "l"], "page": "1"})
    chips = {chip.value: chip.remove_url for chip in response.context["active_filters"]}
    assert chips["M"] == f"{LIST_URL}?size=l"
    assert chips["L"] == f"{LIST_URL}?size=m"


def test_unknown_value_is_reported_and_ignored(client, shop):
    response = client.get(LIST_URL, {"size": "xxl", "brand": "acme"})
    assert response.status_code == 422
    assert "“xxl” is not one of the listed values." in response.text
    assert names(response) == ["Hoodie", "Tee"]  # the brand still applies


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_too_many_values_for_one_parameter_is_refused(client, shop, headers):
    response = client.get(LIST_URL, {"size": ["m"] * 50}, headers=headers)
    assert response.status_code == 400
    assert "Choose at most 20 values." in response.text


@pytest.mark.parametrize("value", ["1", "-1", "0x10", "m" * 5000, "\x00", "%00"])
def test_odd_values_are_a_clear_message(client, shop, value):
    response = client.get(LIST_URL, {"colour": value})
    assert response.status_code == 422
    assert "is not one of the listed values." in response.text


def test_the_phone_panel_holds_the_facets(client, shop):
    html = client.get(LIST_URL).text
    panel = html[html.index('<details class="filters-disclosure"') : html.index("</details>\n  </form>")]
    assert 'id="facets"' in panel
    assert "<legend>Brand</legend>" in panel


def test_an_option_type_named_like_a_filter_gets_a_parameter_of_its_own(client, shop):
    tee = shop["tee"]
    make_variant(tee, ("Size", "XL"), ("Colour", "Blue"), ("Category", "Sale"))
    response = client.get(LIST_URL, {"category": "apparel"})
    group = next(group for group in response.context["facet_groups"] if group.label == "Category")
    assert re.fullmatch(r"option-\d+", group.param)
    assert names(client.get(LIST_URL, {group.param: "sale"})) == ["Tee"]
    assert response.context["filter_form"].cleaned_data["category"].slug == "apparel"


def test_the_german_catalog_names_the_brand_group_in_german(client, shop):
    html = client.get("/de/products/", {"size": "xxl"}).text
    assert "<legend>Marke</legend>" in html
    assert "„xxl“ ist keiner der aufgeführten Werte." in html


def test_the_facets_markup_is_cached_for_its_state_language_and_the_catalogs_version(
    client, shop, monkeypatch, django_capture_on_commit_callbacks
):
    from storefront.forms import ProductFilterForm

    built = []
    facet_groups = ProductFilterForm.facet_groups

    def counted(form):
        built.append(form)
        return facet_groups(form)

    monkeypatch.setattr(ProductFilterForm, "facet_groups", counted)

    def markup(path=LIST_URL, params=None):
        html = client.get(path, params or {"size": "m"}, headers=HTMX).text
        return html[html.index('<div id="facets"') : html.index("</div>", html.index('<div id="facets"'))]

    first = markup()
    assert markup() == first
    assert len(built) == 1  # the second answer is the cached markup
    assert "<legend>Marke</legend>" in markup("/de/products/")  # another language
    assert len(built) == 2
    assert markup(params={"size": "l"}) != first  # another filter state
    assert len(built) == 3
    assert 'class="facet facet-size has-error"' in markup(params={"size": ["m", "xxl"]})  # its error with it
    assert "has-error" not in markup()
    with django_capture_on_commit_callbacks(execute=True):
        variant_set_active(variant_id=Variant.objects.get(product=shop["hoodie"]).pk, is_active=False)
    assert markup() != first  # the catalog changed: counted and drawn afresh
