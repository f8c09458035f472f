from django.contrib.auth import get_user_model

from cart.models import Cart, CartLine
from storefront.models import Product
from storefront.tests.factories import make_product


def make_user(username: str = "shopper", password: str = "correct-horse-battery", **fields: object):
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def make_cart(*, user=None) -> Cart:
    return Cart.objects.create(user=user)


def make_line(*, cart: Cart, product: Product | None = None, quantity: int = 1) -> CartLine:
    return CartLine.objects.create(cart=cart, product=product or make_product(), quantity=quantity)
