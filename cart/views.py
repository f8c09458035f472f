from collections.abc import Callable
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from config.http import HtmxHttpRequest
from config.rendering import FRAGMENT_VARY_HEADERS, render_fragment, render_page_or_fragment, wants_fragment
from config.security import safe_next
from storefront.models import Product
from storefront.picker import variant_picker

from .forms import AddToCartForm, QuantityForm
from .models import Cart
from .regions import neighbours, out_of_band, region_for, render_listed_regions
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
    # The cart may have changed in another tab: the header's count comes along, so that no region
    # shows a newer cart than its neighbours.
    context = {"cart": contents, "open": True}
    return render_fragment(request, "cart/_mini_cart.html", context, out_of_band=neighbours("mini-cart"))


@never_cache
@require_safe
def cart_regions(request: HtmxHttpRequest) -> HttpResponse:
    """The regions a page names (`?region=<id>`, repeated) as the cart is now: JavaScript asks when
    Back shows a page again from the browser's memory or cache."""
    if not wants_fragment(request):
        return redirect("cart:cart_detail")
    contents = cart_contents(user=request.user, session=request.session)
    page = request.htmx.current_url_abs_path or ""  # the page shown again: its forms come back to it
    regions = render_listed_regions(request, contents, request.GET.getlist("region"), next_url=page)
    response = HttpResponse(regions)
    patch_vary_headers(response, FRAGMENT_VARY_HEADERS)
    return response


def _redirect_with_message(request: HttpRequest, change: CartChange, to: str) -> HttpResponse:
    (messages.warning if change.capped else messages.success)(request, change.message)
    return HttpResponseRedirect(to, status=303)


def _add_to_cart_region(request: HtmxHttpRequest, product: Product) -> tuple[str, str]:
    """The add-to-cart region the shopper used (its id and layout): the card's when not named."""
    target = request.htmx.target if wants_fragment(request) else None
    found = region_for(target or "")
    if found and "pk" in found[1].re.groupindex and int(found[1]["pk"]) == product.pk:
        return target or "", found[1]["layout"]
    return f"add-to-cart-card-{product.pk}", "card"


@never_cache
@require_POST
def cart_add(request: HtmxHttpRequest, product_id: int) -> HttpResponse:
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
                variant_id=int(form.cleaned_data["variant"]) if form.cleaned_data["variant"] else None,
            )
        except CartError as refused:
            error = str(refused)
    else:
        reasons = form.errors.get("quantity") or form.errors.get("variant") or [gettext("Please check the quantity.")]
        error = " ".join(reasons)  # type: ignore[arg-type]  # ErrorList yields str messages; django-stubs says ValidationError | str
    next_url = safe_next(request, form.data.get("next", ""), product.get_absolute_url())
    if change and not wants_fragment(request):
        return _redirect_with_message(request, change, next_url)
    region_id, layout = _add_to_cart_region(request, product)
    context = {
        "cart": cart_contents(user=request.user, session=request.session),
        "product": product,
        "layout": layout,
        "form": form,
        "change": change,
        "error": error,
        "next_url": next_url,
        "message": change.message if change else error,
        # The form that comes back keeps the variant added, its stock the limit of the quantity box.
        "variant": change.variant if change and change.variant and change.variant.options_text else None,
    }
    if not wants_fragment(request):
        # Without JavaScript a refusal is shown on the product page, next to the form, with the
        # variant picker as the page the shopper came from showed it (?size=m&colour=blue).
        context["picker"] = variant_picker(product, QueryDict(urlsplit(next_url).query))
    return render_page_or_fragment(
        request,
        "storefront/product_detail.html",
        "cart/_add_to_cart.html",
        context,
        status=200 if change else INVALID,
        out_of_band=out_of_band(change, acted_on=region_id),
    )


def _change_line(request: HtmxHttpRequest, line_id: int, action: Callable[[Cart], CartChange]) -> HttpResponse:
    change, error = None, ""
    cart = cart_find(user=request.user, session=request.session)
    try:
        if cart is None:
            raise CartError(gettext("Your cart is empty."))
        change = action(cart)
    except CartError as refused:
        error = str(refused)
    if change and not wants_fragment(request):
        return _redirect_with_message(request, change, reverse("cart:cart_detail"))
    context: dict[str, object] = {
        "cart": cart_contents(user=request.user, session=request.session),
        "change": change,
        "line_errors": {line_id: error},
        "submitted": {line_id: request.POST.get("quantity", "")},
        "message": change.message if change else error,
    }
    return render_page_or_fragment(
        request,
        "cart/cart_detail.html",
        "cart/_cart.html",
        context,
        status=200 if change else INVALID,
        out_of_band=out_of_band(change, acted_on="cart"),
    )


@never_cache
@require_POST
def cart_line_update(request: HtmxHttpRequest, line_id: int) -> HttpResponse:
    form = QuantityForm(request.POST)

    def set_quantity(cart: Cart) -> CartChange:
        if not form.is_valid():
            raise CartError(" ".join(form.errors["quantity"]))  # type: ignore[arg-type]  # ErrorList yields str messages; django-stubs says ValidationError | str
        return cart_set_quantity(cart=cart, line_id=line_id, quantity=form.cleaned_data["quantity"])

    return _change_line(request, line_id, set_quantity)


@never_cache
@require_POST
def cart_line_remove(request: HtmxHttpRequest, line_id: int) -> HttpResponse:
    return _change_line(request, line_id, lambda cart: cart_remove_line(cart=cart, line_id=line_id))
