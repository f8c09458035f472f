from django.test import Client

from cart.models import Cart, CartLine
from cart.services import CART_SESSION_KEY
from storefront.models import Product, Variant
from storefront.tests.factories import make_product

# A user is no cart's: make_user lives with the catalog's factories, re-exported for the tests that import it from here.
from storefront.tests.factories import make_user as make_user


def make_cart(*, user=None) -> Cart:
    return Cart.objects.create(user=user)


def make_line(*, cart: Cart, product: Product | Variant | None = None, quantity: int = 1) -> CartLine:
    """A line of `product`'s only variant, or of the variant given."""
    variant = product if isinstance(product, Variant) else (product or make_product()).variants.get()
    return CartLine.objects.create(cart=cart, product=variant.product, variant=variant, quantity=quantity)


def put_in_session(client: Client, cart: Cart) -> Cart:
    """`cart` as the client's cart, in its session (which then exists), as if its shopper had filled it."""
    session = client.session
    session[CART_SESSION_KEY] = cart.pk
    session.save()
    return cart
