"""Staff and variants: a product's variants inline, the variants' list, and creating combinations."""

import pytest
from django.urls import reverse

from storefront.models import StockMovement, Variant
from storefront.tests.factories import make_option_value, make_product, make_variant

from .factories import make_order
from .test_stock_admin import change_url, form_of

pytestmark = pytest.mark.django_db

VARIANTS_URL = reverse("admin:storefront_variant_changelist")
PRODUCTS_URL = reverse("admin:storefront_product_changelist")


@pytest.fixture
def shirt():
    product = make_product(name="T-shirt", slug="t-shirt")
    return (
        product,
        make_variant(product, ("Size", "S"), stock_quantity=5),
        make_variant(product, ("Size", "M"), stock_quantity=3),
    )


def row_of(form: dict[str, str], prefix: str, pk: int) -> str:
    return next(
        name.rsplit("-", 1)[0]
        for name, value in form.items()
        if name.endswith("-id") and value == str(pk) and name.startswith(prefix)
    )


def test_a_variants_stock_changed_inline_is_an_adjustment_and_the_product_sums_it(client, staff, shirt):
    product, _small, medium = shirt
    form = form_of(client.get(change_url(product)))
    row = row_of(form, "variants", medium.pk)
    response = client.post(change_url(product), {**form, f"{row}-stock_quantity": "10"})
    assert response.status_code == 302, response.content.decode()
    for obj in (medium, product):
        obj.refresh_from_db()
    assert (medium.stock_quantity, product.stock_quantity) == (10, 15)
    assert list(medium.stock_movements.values_list("kind", "change", "stock_after")) == [("adjustment", 7, 10)]


def test_an_inline_stock_change_over_a_sale_is_refused_and_the_sale_kept(client, staff, shirt):
    product, _small, medium = shirt
    form = form_of(client.get(change_url(product)))
    make_order(lines=[(medium, 2)])
    row = row_of(form, "variants", medium.pk)
    response = client.post(change_url(product), {**form, f"{row}-stock_quantity": "10"})
    assert response.status_code == 200
    assert "The stock of T-shirt (Size M) changed from 3 to 1" in response.content.decode()
    for obj in (medium, product):
        obj.refresh_from_db()
    assert (medium.stock_quantity, product.stock_quantity) == (1, 6)


def test_saving_the_product_page_after_a_sale_undoes_no_variants_sale(client, staff, shirt):
    product, small, _medium = shirt
    form = form_of(client.get(change_url(product)))
    make_order(lines=[(small, 4)])
    response = client.post(change_url(product), {**form, "name": "Soft T-shirt"})
    assert response.status_code == 302, response.content.decode()
    for obj in (small, product):
        obj.refresh_from_db()
    assert (product.name, small.stock_quantity, product.stock_quantity) == ("Soft T-shirt", 1, 4)


def test_withdrawing_a_variant_inline_takes_its_stock_out_of_the_products(client, staff, shirt):
    product, small, _medium = shirt
    form = form_of(client.get(change_url(product)))
    row = row_of(form, "variants", small.pk)
    del form[f"{row}-is_active"]  # the checkbox unticked
    assert client.post(change_url(product), form).status_code == 302
    product.refresh_from_db()
    assert product.stock_quantity == 3


def test_the_variants_list_finds_by_sku_and_sets_stock_against_what_staff_saw(client, staff, shirt):
    product, small, medium = shirt
    assert medium.sku in client.get(VARIANTS_URL, {"q": medium.sku}).content.decode()
    form = form_of(client.get(VARIANTS_URL))
    row = row_of(form, "form", small.pk)
    assert client.post(VARIANTS_URL, {**form, f"{row}-stock_quantity": "8", "_save": "Save"}).status_code == 302
    for obj in (small, product):
        obj.refresh_from_db()
    assert (small.stock_quantity, product.stock_quantity) == (8, 11)

    form = form_of(client.get(VARIANTS_URL))
    make_order(lines=[(medium, 1)])
    row = row_of(form, "form", medium.pk)
    response = client.post(VARIANTS_URL, {**form, f"{row}-stock_quantity": "20", "_save": "Save"})
    assert response.status_code == 200
    assert "changed from 3 to 2" in response.content.decode()
    medium.refresh_from_db()
    assert medium.stock_quantity == 2


def test_the_action_creates_the_missing_combinations_in_one_go(client, staff):
    product = make_product(name="Sock", slug="sock", stock_quantity=0)
    values = [make_option_value("Size", size) for size in ("S", "M")] + [
        make_option_value("Colour", colour) for colour in ("Red", "Blue")
    ]
    action = {"action": "create_variants", "_selected_action": [str(product.pk)]}
    page = client.post(PRODUCTS_URL, action)
    assert page.status_code == 200
    assert "Create variants for chosen option values" in page.content.decode()
    fields: dict[str, list[str]] = {f"type_{value.option_type_id}": [] for value in values}
    for value in values:
        fields[f"type_{value.option_type_id}"].append(str(value.pk))
    response = client.post(PRODUCTS_URL, {**action, **fields, "apply": "Create variants"})
    assert response.status_code == 302
    made = Variant.objects.filter(product=product, is_active=True)
    assert sorted(made.values_list("sku", flat=True)) == ["sock-m-blue", "sock-m-red", "sock-s-blue", "sock-s-red"]
    assert {variant.options_text for variant in made} == {
        "Size S, Colour Red",
        "Size S, Colour Blue",
        "Size M, Colour Red",
        "Size M, Colour Blue",
    }
    assert not made.filter(stock_quantity__gt=0).exists()
    # Sent again, it finds every combination there already.
    client.post(PRODUCTS_URL, {**action, **fields, "apply": "Create variants"})
    assert Variant.objects.filter(product=product).count() == 5  # the four and the withdrawn default one
    assert not StockMovement.objects.filter(product=product).exists()


def test_a_variant_with_two_values_of_one_option_type_is_refused(client, staff, shirt):
    product, small, _medium = shirt
    form = form_of(client.get(change_url(product)))
    row = row_of(form, "variants", small.pk)
    large = make_option_value("Size", "L")
    data = {**form}
    response = client.post(
        change_url(product),
        {**data, f"{row}-option_values": [str(large.pk), *small.option_values.values_list("pk", flat=True)]},
    )
    assert response.status_code == 200
    assert "at most one value of each option type" in response.content.decode()


def test_a_product_with_several_variants_shows_its_stock_as_their_sum_only(client, staff, shirt):
    product, _small, _medium = shirt
    form = form_of(client.get(change_url(product)))
    assert "stock_quantity" not in form
    assert client.post(change_url(product), {**form, "stock_quantity": "99"}).status_code == 302
    product.refresh_from_db()
    assert product.stock_quantity == 8


def test_an_option_value_renamed_in_the_admin_is_renamed_in_the_catalogs_facets(
    client, staff, shirt, django_capture_on_commit_callbacks
):
    catalog = reverse("storefront:product_list")
    assert '<label for="id_size_m">M (1)' in client.get(catalog).text  # counted, and cached
    url = reverse("admin:storefront_optiontype_change", args=[shirt[2].option_values.get().option_type_id])
    form = form_of(client.get(url))
    row = next(name.rsplit("-", 1)[0] for name, value in form.items() if name.endswith("-value") and value == "M")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**form, f"{row}-value": "Medium"})
    assert response.status_code == 302, response.content.decode()
    assert '<label for="id_size_medium">Medium (1)' in client.get(catalog).text
