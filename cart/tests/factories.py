from cart.models import Cart, CartLine
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
