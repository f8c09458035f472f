from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from config.rendering import FRAGMENT_VARY_HEADERS, render_page_or_fragment, wants_fragment
from config.security import safe_next
from storefront.models import Product

from .forms import AddToCartForm, QuantityForm
from .models import Cart
from .regions import REGIONS_HEADER, render_cart_change, render_cart_regions
from .services import (
    CartChange,
    CartError,
    cart_add_product,
    cart_contents,
    cart_find,
    cart_get_or_create,
    cart_remove_line,
    cart_set_quantity,
)

# A form with errors or a refused change: a 4xx that htmx is configured to swap (base.html).
INVALID = 422


@never_cache
@require_safe
def cart_detail(request: HttpRequest) -> HttpResponse:
    contents = cart_contents(user=request.user, session=request.session)
    return render_page_or_fragment(request, "cart/cart_detail.html", "cart/_cart.html", {"cart": contents})


@never_cache
@require_safe
def mini_cart(request: HttpRequest) -> HttpResponse:
    if not wants_fragment(request):
        return redirect("cart:cart_detail")  # without JavaScript the header link is the cart page
    contents = cart_contents(user=request.user, session=request.session)
    # Every other region on the page comes along out of band: the cart may have changed in another
    # tab, and no region may show a newer cart than its neighbours.
    body = render_cart_change(request, main="mini-cart", contents=contents, extra={"open": True}, announcement="")
    response = HttpResponse(body)
    patch_vary_headers(response, (*FRAGMENT_VARY_HEADERS, REGIONS_HEADER))
    return response


@never_cache
@require_safe
def cart_regions(request: HttpRequest) -> HttpResponse:
    """The page's cart regions as the cart is now (JavaScript asks, when Back shows a page again)."""
    if not wants_fragment(request):
        return redirect("cart:cart_detail")
    contents = cart_contents(user=request.user, session=request.session)
    response = HttpResponse(render_cart_regions(request, contents))
    patch_vary_headers(response, (*FRAGMENT_VARY_HEADERS, REGIONS_HEADER))
    return response


def _redirect_with_message(request: HttpRequest, change: CartChange, to: str) -> HttpResponse:
    (messages.warning if change.capped else messages.success)(request, change.message)
    return HttpResponseRedirect(to, status=303)


def _cart_change_response(request: HttpRequest, *, main: str, extra: dict[str, object], message: str) -> HttpResponse:
    contents = cart_contents(user=request.user, session=request.session)
    body = render_cart_change(request, main=main, contents=contents, extra=extra, announcement=message)
    return HttpResponse(body, status=200 if extra.get("change") else INVALID)


@never_cache
@require_POST
def cart_add(request: HttpRequest, product_id: int) -> HttpResponse:
    # An unknown product is a 404; one withdrawn since the page was loaded is refused with a message.
    product = get_object_or_404(Product, pk=product_id)
    form = AddToCartForm(request.POST)
    change, error = None, ""
    if form.is_valid():
        try:
            cart = cart_get_or_create(user=request.user, session=request.session)
            change = cart_add_product(
                cart=cart,
                product_id=product.pk,
                quantity=form.cleaned_data["quantity"],
                token=form.cleaned_data["token"],
            )
        except CartError as refused:
            error = str(refused)
    else:
        error = " ".join(form.errors.get("quantity", [gettext("Please check the quantity.")]))
    next_url = safe_next(request, form.data.get("next", ""), product.get_absolute_url())
    extra = {"product": product, "form": form, "change": change, "error": error, "next_url": next_url}
    if request.htmx:
        target = request.htmx.target or ""
        main = target if target.startswith("add-to-cart-") else f"add-to-cart-card-{product.pk}"
        return _cart_change_response(request, main=main, extra=extra, message=change.message if change else error)
    if change:
        return _redirect_with_message(request, change, next_url)
    # Without JavaScript a refusal is shown on the product page, next to the form.
    return render(request, "storefront/product_detail.html", extra, status=INVALID)


def _change_line(request: HttpRequest, line_id: int, action: Callable[[Cart], CartChange]) -> HttpResponse:
    change, error = None, ""
    cart = cart_find(user=request.user, session=request.session)
    try:
        if cart is None:
            raise CartError(gettext("Your cart is empty."))
        change = action(cart)
    except CartError as refused:
        error = str(refused)
    if change and not request.htmx:
        return _redirect_with_message(request, change, reverse("cart:cart_detail"))
    extra = {
        "change": change,
        "line_errors": {line_id: error},
        "submitted": {line_id: request.POST.get("quantity", "")},
    }
    if request.htmx:
        return _cart_change_response(request, main="cart", extra=extra, message=change.message if change else error)
    contents = cart_contents(user=request.user, session=request.session)
    return render(request, "cart/cart_detail.html", {"cart": contents, **extra}, status=INVALID)


@never_cache
@require_POST
def cart_line_update(request: HttpRequest, line_id: int) -> HttpResponse:
    form = QuantityForm(request.POST)

    def set_quantity(cart: Cart) -> CartChange:
        if not form.is_valid():
            raise CartError(" ".join(form.errors["quantity"]))
        return cart_set_quantity(cart=cart, line_id=line_id, quantity=form.cleaned_data["quantity"])

    return _change_line(request, line_id, set_quantity)


@never_cache
@require_POST
def cart_line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    return _change_line(request, line_id, lambda cart: cart_remove_line(cart=cart, line_id=line_id))
