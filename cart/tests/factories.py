from cart.models import Cart, CartLine
from storefront.models import Product
from storefront.tests.factories import make_product

# A user is no cart's: make_user lives with the catalog's factories, re-exported for the tests that import it from here.
from storefront.tests.factories import make_user as make_user


def make_cart(*, user=None) -> Cart:
    return Cart.objects.create(user=user)


def make_line(*, cart: Cart, product: Product | None = None, quantity: int = 1) -> CartLine:
    return CartLine.objects.create(cart=cart, product=product or make_product(), quantity=quantity)
