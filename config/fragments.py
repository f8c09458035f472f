"""The fragment catalogue at /_fragments/ (DEBUG only): every template in partials/, rendered with
sample data from the demo catalog, with its swap target, the context it needs and who returns it.

`FRAGMENTS` is also what the contract tests (config/tests/test_fragment_contract.py) hold the
templates to, so a new fragment is added here or the suite fails.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from cart.forms import AddToCartForm
from cart.models import CartContents, CartLine
from orders.forms import CheckoutForm
from orders.methods import SHIPPING_METHODS
from orders.services import order_totals
from storefront.forms import ProductFilterForm
from storefront.models import Product


@dataclass(frozen=True)
class Fragment:
    template: str
    target: str  # the id of its root element, which is also the swap target
    context: str  # what the template reads
    returned_by: str  # the views (and ways) that answer with it
    sample: Callable[[HttpRequest], dict[str, object]]


def _products(count: int) -> list[Product]:
    products = list(Product.objects.available().in_stock()[:count])
    if not products:
        raise Http404("The catalogue needs products: run `manage.py seed_catalog` first.")
    return products


def _cart() -> CartContents:
    lines = [CartLine(id=n, product=product, quantity=n) for n, product in enumerate(_products(3), start=1)]
    return CartContents(lines)


def _results(request: HttpRequest) -> dict[str, object]:
    form = ProductFilterForm({"sort": "featured"})
    form.is_valid()
    page = Paginator(Product.objects.available(), 6).get_page(1)
    return {"filter_form": form, "page_obj": page, "active_filters": form.active_filters()}


def _checkout(request: HttpRequest) -> dict[str, object]:
    form = CheckoutForm(initial={"email": "ann@example.com", "submission_key": uuid.UUID(int=1)})
    cart = _cart()
    totals = order_totals(subtotal=cart.subtotal, shipping_method="standard")
    return {"form": form, "cart": cart, "totals": totals, "shipping": SHIPPING_METHODS["standard"]}


def _checkout_field(request: HttpRequest) -> dict[str, object]:
    form = CheckoutForm({"email": "not-an-address"})
    form.is_valid()
    return {"field": form["email"]}


FRAGMENTS: list[Fragment] = [
    Fragment(
        "storefront/_results.html",
        "results",
        "page_obj, filter_form, active_filters, cart",
        "storefront:product_list (htmx GET from the filters form, search box, chips, pagination)",
        _results,
    ),
    Fragment(
        "storefront/_filter_count.html",
        "active-filter-count",
        "active_filters, oob",
        "storefront:product_list, out of band with the results (the count in the folding filter panel)",
        lambda request: {"active_filters": _results(request)["active_filters"]},
    ),
    Fragment(
        "storefront/_announcer.html",
        "announcer",
        "message, oob",
        "out of band after every cart change and shipping-method change",
        lambda request: {"message": "Added Kettle to your cart: 1 in cart.", "oob": False},
    ),
    Fragment(
        "storefront/_service_status.html",
        "service-status",
        "unavailable, retry_after",
        "any htmx request while the database is unavailable (config/errors.py: 503, retargeted here)",
        lambda request: {"unavailable": True, "retry_after": 10},
    ),
    Fragment(
        "cart/_cart_count.html",
        "cart-count",
        "cart, oob",
        "out of band after every cart change (cart/regions.py)",
        lambda request: {"cart": _cart()},
    ),
    Fragment(
        "cart/_mini_cart.html",
        "mini-cart",
        "cart, open, oob",
        "cart:mini_cart (htmx GET from the header's Cart link); out of band when open",
        lambda request: {"cart": _cart(), "open": True},
    ),
    Fragment(
        "cart/_cart.html",
        "cart",
        "cart, line_errors, submitted, oob",
        "cart:cart_detail, cart:cart_line_update, cart:cart_line_remove",
        lambda request: {"cart": _cart()},
    ),
    Fragment(
        "cart/_add_to_cart.html",
        "add-to-cart-<layout>-<product id>",
        "product, layout (card | detail), form, change, error, cart, oob",
        "cart:cart_add; out of band for every add-to-cart region on the page",
        lambda request: {
            "product": _products(1)[0],
            "layout": "detail",
            "form": AddToCartForm(initial={"quantity": 1}),
            "cart": CartContents([]),
        },
    ),
    Fragment(
        "orders/_checkout.html",
        "checkout",
        "form, cart, totals, shipping, error, problems",
        "orders:place_order (htmx POST that is refused: 422 with the errors)",
        _checkout,
    ),
    Fragment(
        "orders/_checkout_field.html",
        "checkout-field-<field name>",
        "field",
        "orders:place_order with _validate=<field name> (when the shopper leaves a field)",
        _checkout_field,
    ),
    Fragment(
        "orders/_checkout_summary.html",
        "checkout-summary",
        "cart, totals, shipping",
        "orders:place_order with _validate=shipping_method",
        _checkout,
    ),
]


def _find(template: str) -> Fragment:
    for fragment in FRAGMENTS:
        if fragment.template == template:
            return fragment
    raise Http404("No such fragment.")


def _debug_only() -> None:
    if not settings.DEBUG:
        raise Http404("The fragment catalogue exists only with DEBUG on.")


@require_safe
def fragment_catalogue(request: HttpRequest) -> HttpResponse:
    _debug_only()
    return render(request, "fragments/catalogue.html", {"fragments": FRAGMENTS})


# Each sample is rendered alone in an iframe of the catalogue, so its ids never clash with the page's.
@require_safe
@xframe_options_sameorigin
@csp_override({**settings.SECURE_CSP, "frame-ancestors": ["'self'"]})
def fragment_sample(request: HttpRequest, template: str) -> HttpResponse:
    _debug_only()
    fragment = _find(template)
    html = render_to_string(fragment.template, fragment.sample(request), request=request)
    return render(request, "fragments/sample.html", {"fragment": fragment, "html": html})
