"""Samples for the fragment catalogue (config/fragments.py): one function per template in
partials/cart/, named after it, returning its sample context."""

from django.http import HttpRequest

from config.fragments import sample
from storefront.fragments import sample_products

from .forms import AddToCartForm
from .models import CartContents, CartLine


def sample_cart() -> CartContents:
    lines = [
        CartLine(id=n, product=product, variant=product.variants.all()[0], quantity=n)
        for n, product in enumerate(sample_products(3), start=1)
    ]
    return CartContents(lines)


@sample(target="cart-count", needs="cart, oob", returned_by="out of band after every cart change (cart/regions.py)")
def cart_count(request: HttpRequest) -> dict[str, object]:
    return {"cart": sample_cart()}


@sample(
    target="mini-cart",
    needs="cart, open, oob",
    returned_by="cart:mini_cart (htmx GET from the header's Cart link); its contents out of band after every cart change",
)
def mini_cart(request: HttpRequest) -> dict[str, object]:
    return {"cart": sample_cart(), "open": True}


@sample(
    target="cart",
    needs="cart, line_errors, submitted, oob",
    returned_by="cart:cart_detail, cart:cart_line_update, cart:cart_line_remove",
)
def cart(request: HttpRequest) -> dict[str, object]:
    return {"cart": sample_cart()}


@sample(
    target="add-to-cart-<layout>-<product id>",
    needs="product, layout (card | detail), form, change, error, cart, oob",
    returned_by="cart:cart_add (the region used); cart:cart_regions (a page shown again by Back)",
)
def add_to_cart(request: HttpRequest) -> dict[str, object]:
    return {
        "product": sample_products(1)[0],
        "layout": "detail",
        "form": AddToCartForm(initial={"quantity": 1}),
        "cart": CartContents([]),
    }
