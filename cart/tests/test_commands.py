from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cart.models import Cart
from storefront.models import Product

from .factories import make_cart, make_line, make_user

pytestmark = pytest.mark.django_db


def age(cart: Cart, days: int) -> None:
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - timedelta(days=days))


def prune(*args: str) -> str:
    out = StringIO()
    call_command("prune_carts", *args, stdout=out)
    return out.getvalue()


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_catalog", stdout=out, **options)
    return out.getvalue()


def test_prunes_old_guest_carts_only():
    old_guest, new_guest, old_customer = make_cart(), make_cart(), make_cart(user=make_user())
    age(old_guest, 40)
    age(old_customer, 40)
    assert "Deleted 1 cart " in prune("--days", "30")
    assert set(Cart.objects.values_list("pk", flat=True)) == {new_guest.pk, old_customer.pk}


def test_include_customers_prunes_old_customer_carts_too():
    old_customer = make_cart(user=make_user())
    age(old_customer, 10)
    assert "Deleted 1 cart" in prune("--days", "7", "--include-customers")
    assert not Cart.objects.exists()


def test_rejects_a_bad_number_of_days():
    cart = make_cart()
    age(cart, 40)
    with pytest.raises(CommandError, match="--days"):
        prune("--days", "0")
    assert Cart.objects.filter(pk=cart.pk).exists()


def test_replacing_the_demo_catalog_empties_carts_that_held_old_products():
    seed(products=5)
    cart = make_cart()
    make_line(cart=cart, product=Product.objects.first())
    seed(products=5, replace=True)
    assert not cart.lines.exists()
