import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from cart.models import MAX_CART_LINES, MAX_LINE_QUANTITY, Cart, CartLine
from cart.services import (
    CART_SESSION_KEY,
    CartError,
    cart_add_product,
    cart_adopt_on_login,
    cart_contents,
    cart_get_or_create,
    cart_prune,
    cart_remove_line,
    cart_set_quantity,
)
from storefront.tests.factories import make_product, set_stock

from .factories import make_cart, make_line, make_user

pytestmark = pytest.mark.django_db


def test_adding_twice_adds_up_in_one_line():
    cart, product = make_cart(), make_product(stock_quantity=10)
    cart_add_product(cart=cart, product_id=product.pk, quantity=2)
    change = cart_add_product(cart=cart, product_id=product.pk, quantity=3)
    assert change.quantity == 5
    assert not change.capped
    assert CartLine.objects.get(cart=cart).quantity == 5


def test_adding_more_than_in_stock_caps_and_says_so():
    cart, product = make_cart(), make_product(stock_quantity=3, name="Kettle")
    change = cart_add_product(cart=cart, product_id=product.pk, quantity=5)
    assert change.capped
    assert change.quantity == 3
    assert "Only 3 of Kettle" in change.message


def test_adding_is_capped_at_the_per_line_maximum():
    cart, product = make_cart(), make_product(stock_quantity=500)
    change = cart_add_product(cart=cart, product_id=product.pk, quantity=MAX_LINE_QUANTITY)
    with pytest.raises(CartError, match="the most we can sell you"):
        cart_add_product(cart=cart, product_id=product.pk, quantity=1)
    assert change.quantity == MAX_LINE_QUANTITY


@pytest.mark.parametrize(
    ("fields", "message"), [({"is_active": False}, "no longer sold"), ({"stock_quantity": 0}, "out of stock")]
)
def test_unavailable_products_cannot_be_added(fields, message):
    cart, product = make_cart(), make_product(**fields)
    with pytest.raises(CartError, match=message):
        cart_add_product(cart=cart, product_id=product.pk, quantity=1)
    assert not CartLine.objects.exists()


def test_set_quantity_caps_at_stock_and_remove_deletes_the_line():
    cart = make_cart()
    line = make_line(cart=cart, product=make_product(stock_quantity=4), quantity=1)
    assert cart_set_quantity(cart=cart, line_id=line.pk, quantity=9).quantity == 4
    cart_remove_line(cart=cart, line_id=line.pk)
    assert not CartLine.objects.exists()


def test_another_carts_line_cannot_be_changed_or_removed():
    mine, theirs = make_cart(), make_cart()
    their_line = make_line(cart=theirs, quantity=2)
    with pytest.raises(CartError):
        cart_set_quantity(cart=mine, line_id=their_line.pk, quantity=5)
    with pytest.raises(CartError):
        cart_remove_line(cart=mine, line_id=their_line.pk)
    their_line.refresh_from_db()
    assert their_line.quantity == 2


def test_contents_use_the_current_price_and_flag_stock_problems():
    cart = make_cart()
    product = make_product(price=Decimal("2.50"), stock_quantity=5)
    line = make_line(cart=cart, product=product, quantity=4)
    session = SessionStore()
    session[CART_SESSION_KEY] = cart.pk
    product.price = Decimal("3.00")
    product.save()
    set_stock(product, 2)
    assert cart_contents(user=make_user(), session=session).is_empty  # a guest's cart is never a customer's
    contents = cart_contents(user=AnonymousUser(), session=session)
    assert contents.subtotal == Decimal("12.00")
    assert contents.item_count == 4
    assert contents.has_problems
    assert (
        contents.lines[0].problem == f"Only 2 of {product.name} left, and your cart has 4. Please lower the quantity."
    )
    assert line.pk == contents.lines[0].pk


def test_cart_is_created_lazily_and_remembered_in_the_session():
    session = SessionStore()
    assert cart_contents(user=AnonymousUser(), session=session).is_empty
    assert not Cart.objects.exists()
    cart = cart_get_or_create(user=AnonymousUser(), session=session)
    assert session[CART_SESSION_KEY] == cart.pk
    assert cart_get_or_create(user=AnonymousUser(), session=session) == cart


def test_login_merges_the_guest_cart_adding_quantities_capped_by_stock():
    user = make_user()
    own = make_cart(user=user)
    shared = make_product(stock_quantity=5)
    only_guest = make_product(stock_quantity=5)
    make_line(cart=own, product=shared, quantity=3)
    guest = make_cart()
    make_line(cart=guest, product=shared, quantity=4)
    make_line(cart=guest, product=only_guest, quantity=2)
    session = SessionStore()
    session[CART_SESSION_KEY] = guest.pk
    cart_adopt_on_login(user=user, session=session)
    assert session[CART_SESSION_KEY] == own.pk
    assert not Cart.objects.filter(pk=guest.pk).exists()
    quantities = dict(own.lines.values_list("product_id", "quantity"))
    assert quantities == {shared.pk: 5, only_guest.pk: 2}


def test_login_without_a_customer_cart_adopts_the_guest_cart():
    user, guest = make_user(), make_cart()
    make_line(cart=guest)
    session = SessionStore()
    session[CART_SESSION_KEY] = guest.pk
    cart_adopt_on_login(user=user, session=session)
    guest.refresh_from_db()
    assert guest.user == user


def test_prune_deletes_only_old_guest_carts_by_default():
    old_guest, new_guest, old_customer = make_cart(), make_cart(), make_cart(user=make_user())
    long_ago = timezone.now() - timedelta(days=40)
    Cart.objects.filter(pk__in=[old_guest.pk, old_customer.pk]).update(updated_at=long_ago)
    assert cart_prune(older_than=timezone.now() - timedelta(days=30)) == 1
    assert set(Cart.objects.values_list("pk", flat=True)) == {new_guest.pk, old_customer.pk}
    assert cart_prune(older_than=timezone.now() - timedelta(days=30), include_customers=True) == 1


def test_a_cart_holds_at_most_max_cart_lines_different_products():
    cart = make_cart()
    for _ in range(MAX_CART_LINES):
        make_line(cart=cart)
    another = make_product()
    with pytest.raises(CartError, match=f"already holds {MAX_CART_LINES} different products"):
        cart_add_product(cart=cart, product_id=another.pk, quantity=1)
    # More of a product already in the cart is still welcome.
    first = CartLine.objects.filter(cart=cart).first()
    assert cart_add_product(cart=cart, product_id=first.product_id, quantity=1).quantity == 2
    assert CartLine.objects.filter(cart=cart).count() == MAX_CART_LINES


def test_signing_in_merges_guest_lines_only_while_the_cart_has_room():
    user = make_user()
    own = make_cart(user=user)
    for _ in range(MAX_CART_LINES - 1):
        make_line(cart=own)
    guest = make_cart()
    shared = CartLine.objects.filter(cart=own).first()
    make_line(cart=guest, product=shared.product, quantity=2)
    kept = make_line(cart=guest)
    make_line(cart=guest)  # no room left for this one
    session = SessionStore()
    session[CART_SESSION_KEY] = guest.pk

    cart_adopt_on_login(user=user, session=session)

    lines = dict(CartLine.objects.filter(cart=own).values_list("product_id", "quantity"))
    assert len(lines) == MAX_CART_LINES
    assert lines[shared.product_id] == 3
    assert kept.product_id in lines


def test_the_same_add_to_cart_form_sent_twice_adds_once():
    cart, product = make_cart(), make_product(name="Kettle", stock_quantity=10)
    token = uuid.uuid4()
    first = cart_add_product(cart=cart, product_id=product.pk, quantity=2, token=token)
    again = cart_add_product(cart=cart, product_id=product.pk, quantity=2, token=token)
    assert (first.quantity, again.quantity) == (2, 2)
    assert again.message == "Added Kettle to your cart: 2 in cart."
    assert CartLine.objects.get().quantity == 2
    # A new form (the page after the first answer) adds again; so does a form without a token.
    cart_add_product(cart=cart, product_id=product.pk, quantity=1, token=uuid.uuid4())
    cart_add_product(cart=cart, product_id=product.pk, quantity=1)
    assert CartLine.objects.get().quantity == 4
