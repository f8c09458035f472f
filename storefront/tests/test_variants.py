"""Option types, option values and variants: what the model and the services accept."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from storefront.models import MAX_VARIANTS, OptionValue, Variant
from storefront.services import VariantError, variant_create, variant_set_options, variants_create_combinations

from .factories import make_option_value, make_product, make_variant

pytestmark = pytest.mark.django_db


def test_a_product_without_options_sells_one_default_variant_at_its_price():
    product = make_product(price=Decimal("12.00"), stock_quantity=4)
    variant = product.variants.get()
    assert (variant.sku, variant.price, variant.unit_price, variant.stock_quantity) == (
        product.slug,
        None,
        Decimal("12.00"),
        4,
    )
    assert variant.options_text == ""
    assert variant.display_name == product.name


def test_a_variant_reads_its_options_in_the_option_types_order_and_may_have_its_own_price():
    product = make_product(name="T-shirt")
    variant = make_variant(product, ("Size", "M"), ("Colour", "Blue"), price=Decimal("19.00"))
    assert variant.options_text == "Size M, Colour Blue"
    assert variant.display_name == "T-shirt (Size M, Colour Blue)"
    assert variant.unit_price == Decimal("19.00")


def test_a_value_is_unique_within_its_option_type_and_a_swatch_is_a_hex_colour():
    blue = make_option_value("Colour", "Blue", swatch="#0000ff")
    with pytest.raises(IntegrityError), transaction.atomic():
        OptionValue.objects.create(option_type=blue.option_type, value="Blue")
    OptionValue.objects.create(option_type=make_option_value("Material", "Blue").option_type, value="Wool")
    bad = OptionValue(option_type=blue.option_type, value="Navy", swatch="navy")
    with pytest.raises(ValidationError, match="#rrggbb"):
        bad.full_clean()


def test_skus_are_unique_and_stock_never_negative():
    product = make_product()
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(product=make_product(), sku=product.slug)
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(product=product).update(stock_quantity=-1)


def test_a_variant_takes_one_value_per_option_type_and_only_its_products_types():
    product = make_product(name="T-shirt")
    variant = make_variant(product, ("Size", "M"))
    large = make_option_value("Size", "L")
    with pytest.raises(VariantError, match="at most one value of each option type"):
        variant_set_options(variant=variant, values=[large, *variant.option_values.all()])
    with pytest.raises(VariantError, match="only of its product's option types"):
        variant_set_options(variant=variant, values=[make_option_value("Colour", "Red")])
    variant.option_values.add(large)  # behind the services' back: clean() still says so
    with pytest.raises(ValidationError, match="at most one value"):
        variant.full_clean()


def test_a_product_combines_at_most_three_option_types():
    product = make_product()
    values = [[make_option_value(name, "x")] for name in ("Size", "Colour", "Material", "Fit")]
    with pytest.raises(VariantError, match="at most 3 option types"):
        variants_create_combinations(product=product, values=values)
    assert variants_create_combinations(product=product, values=values[:3])


def test_a_product_sells_at_most_a_hundred_variants():
    product = make_product(slug="sock")
    sizes = [make_option_value("Size", str(n)) for n in range(11)]
    colours = [make_option_value("Colour", str(n)) for n in range(10)]
    with pytest.raises(VariantError, match=f"at most {MAX_VARIANTS} variants"):
        variants_create_combinations(product=product, values=[sizes, colours])  # 110
    assert len(variants_create_combinations(product=product, values=[sizes[:9], colours])) == 90
    for n in range(9):
        variant_create(product=product, sku=f"extra-{n}")
    with pytest.raises(VariantError, match=f"at most {MAX_VARIANTS} variants"):
        variant_create(product=product, sku="one-too-many")


def test_combinations_withdraw_the_default_variant_and_the_product_keeps_the_sum():
    product = make_product(slug="mug", stock_quantity=0)
    made = variants_create_combinations(product=product, values=[[make_option_value("Colour", "Red")]])
    assert [variant.sku for variant in made] == ["mug-red"]
    default = product.variants.get(option_values__isnull=True)
    assert not default.is_active
    product.refresh_from_db()
    assert product.stock_quantity == 0
