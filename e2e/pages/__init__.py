"""Page objects: what a shopper sees on each page, found by role and label.

A journey reads like the shopper's story::

    catalog = CatalogPage(page, javascript=javascript).goto()
    catalog.add_to_cart("Teapot")
    cart = catalog.header.open_cart()
    checkout = cart.checkout()
"""

from .account import SignInPage, SignUpPage
from .base import ShopPage, hidden_suffix, query_url
from .cart import CartPage
from .catalog import CatalogPage, add_to_cart_button
from .checkout import Address, CheckoutPage, checkout_with
from .header import Header
from .orders import OrderHistoryPage, OrderPage
from .product import ProductPage

__all__ = [
    "Address",
    "CartPage",
    "CatalogPage",
    "CheckoutPage",
    "Header",
    "OrderHistoryPage",
    "OrderPage",
    "ProductPage",
    "ShopPage",
    "SignInPage",
    "SignUpPage",
    "add_to_cart_button",
    "checkout_with",
    "hidden_suffix",
    "query_url",
]
