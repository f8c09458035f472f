import secrets
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Sum, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cart.models import CartContents
from cart.services import cart_contents, cart_find
from config.http import AuthenticatedHttpRequest, HtmxHttpRequest
from config.rendering import redirect_after_post, render_fragment, render_page_or_fragment, wants_fragment
from storefront.money import format_money

from .forms import CheckoutForm
from .methods import PAYMENT_METHODS, SHIPPING_METHODS, country_name
from .models import Order, new_access_key
from .services import MESSAGES, OrderError, order_cancel_by_customer, order_place, order_totals

INVALID = 422
# References of the orders placed or opened through their link in this browser session.
SESSION_ORDERS_KEY = "orders"
# What a key sent for an unknown reference is compared with: like an order's, and no order's.
UNKNOWN_ORDER_KEY = new_access_key()
JUST_PLACED_KEY = "order_just_placed"
ORDERS_PER_PAGE = 10


def _checkout_context(form: CheckoutForm, contents: CartContents, **extra: object) -> dict[str, object]:
    method = form.chosen_shipping_method()
    totals = order_totals(subtotal=contents.subtotal, shipping_method=method)
    return {"form": form, "cart": contents, "totals": totals, "shipping": SHIPPING_METHODS[method], **extra}


def _render_checkout(request: HttpRequest, context: dict[str, object], *, status: int = 200) -> HttpResponse:
    return render_page_or_fragment(request, "orders/checkout.html", "orders/_checkout.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def place_order(request: HtmxHttpRequest) -> HttpResponse:
    def current_cart() -> CartContents:
        # Read only for a page or a re-render: a successful order reads its cart inside order_place.
        return cart_contents(user=request.user, session=request.session)

    if request.method == "GET":
        contents = current_cart()
        if contents.is_empty or contents.has_problems:
            messages.warning(request, MESSAGES["empty"] if contents.is_empty else MESSAGES["lines_changed"])
            return redirect("cart:cart_detail")
        email = request.user.email if request.user.is_authenticated else ""
        return _render_checkout(request, _checkout_context(CheckoutForm(initial={"email": email}), contents))

    form = CheckoutForm(request.POST)
    if wants_fragment(request) and "_validate" in request.POST:
        return _validate_field(request, form, current_cart(), request.POST["_validate"])
    if not form.is_valid():
        extra = {}
        if any(form.has_error(name) for name in ("submission_key", "reviewed_subtotal", "reviewed_lines")):
            # The hidden fields were damaged: start this form afresh rather than fail every retry.
            data = request.POST.copy()
            data["submission_key"] = str(uuid.uuid4())
            data.pop("reviewed_subtotal", None)
            data.pop("reviewed_lines", None)
            form = CheckoutForm(data)
            form.is_valid()
            extra["error"] = MESSAGES["form_expired"]
        return _render_checkout(request, _checkout_context(form, current_cart(), **extra), status=INVALID)
    earlier = Order.objects.filter(submission_key=form.cleaned_data["submission_key"]).first()
    if earlier is not None:
        # This form was sent before (Back to an old tab, a second click): its order stands. A cart
        # filled since is not part of it, and the shopper is told so rather than thanked again.
        if not current_cart().is_empty:
            messages.warning(request, MESSAGES["already_placed"].format(reference=earlier.reference))
            request.session.pop(JUST_PLACED_KEY, None)
        _remember(request, earlier)
        return redirect_after_post(request, earlier.get_absolute_url())
    try:
        order = order_place(
            cart=cart_find(user=request.user, session=request.session),
            customer=request.user if request.user.is_authenticated else None,
            details=form.details(),
            submission_key=form.cleaned_data["submission_key"],
            reviewed_subtotal=form.cleaned_data["reviewed_subtotal"],
            reviewed_lines=form.reviewed_cart(),
            reviewed_prices=form.reviewed_prices(),
            site_url=request.build_absolute_uri("/"),
        )
    except OrderError as refused:
        if refused.code == "empty":
            messages.warning(request, refused.message)
            return redirect_after_post(request, reverse("cart:cart_detail"))
        context = _checkout_context(form, current_cart(), error=refused.message, problems=refused.problems)
        return _render_checkout(request, context, status=INVALID)
    # The submission key is as secret as the order link: only the browser that loaded this form has it,
    # so a repeated submission may see the order the first one placed. The session now opens the order:
    # its link (with the key) goes only into the email, never into the address bar or a log.
    _remember(request, order)
    request.session[JUST_PLACED_KEY] = order.reference
    return redirect_after_post(request, order.get_absolute_url())


def _validate_field(request: HttpRequest, form: CheckoutForm, contents: CartContents, name: str) -> HttpResponse:
    """One field checked as the shopper leaves it, or the summary re-priced for a shipping method."""
    form.is_valid()
    context = _checkout_context(form, contents)
    if name == "shipping_method":
        total = format_money(context["totals"].total)  # type: ignore[attr-defined]  # the context holds objects; "totals" is an OrderTotals
        context["message"] = gettext("Order total: %(total)s") % {"total": total}
        template = "orders/_checkout_summary.html"
    elif name in CheckoutForm.LIVE_FIELDS:
        field = context["field"] = form[name]
        # A mistake found on leaving the field is read out too: focus has moved on to the next one.
        context["message"] = f"{field.label}: {' '.join(field.errors)}" if field.errors else ""  # type: ignore[arg-type]  # ErrorList yields str messages; django-stubs says ValidationError | str
        template = "orders/_checkout_field.html"
    else:
        return HttpResponseBadRequest("Unknown field.")
    return render_fragment(request, template, context, out_of_band=["storefront/_announcer.html"])


def _may_view(request: HttpRequest, order: Order) -> bool:
    """Staff, the customer who placed it, and the session that placed it or opened its link."""
    user = request.user
    if user.is_authenticated and (user.is_staff or order.customer_id == user.pk):
        return True
    return order.reference in request.session.get(SESSION_ORDERS_KEY, [])


def _remember(request: HttpRequest, order: Order) -> None:
    known = request.session.get(SESSION_ORDERS_KEY, [])
    if order.reference not in known:
        request.session[SESSION_ORDERS_KEY] = [*known[-19:], order.reference]


def _viewable_order(request: HttpRequest, reference: str, *, key: str | None = None) -> Order:
    """The order if this visitor may see it, else 404. A `key` that is the order's (its link) opens it
    in this session; a wrong key opens nothing, but does not hide the order from whoever may see it.

    An unknown reference costs what one the visitor may not see costs — one query, the key compared
    with a key of the same length, the same look at the user and the session — so neither the answer
    nor the time it takes tells a stranger which references exist."""
    found = Order.objects.filter(reference=reference).first()
    order = found or Order(reference=reference, access_key=UNKNOWN_ORDER_KEY)
    if key is not None and secrets.compare_digest(key.encode(), order.access_key.encode()) and found is not None:
        _remember(request, order)
    if not _may_view(request, order) or found is None:
        raise Http404("No such order.")  # the same answer as an unknown reference: no probing
    return order


@never_cache
@require_safe
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    if "key" in request.GET:
        # The key is exchanged for access in this session, then the browser moves to the bare order
        # URL, so the key is in the address bar, history and logs once.
        order = _viewable_order(request, reference, key=request.GET["key"])
        return HttpResponseRedirect(order.get_absolute_url(), status=303)
    order = _viewable_order(request, reference)
    prefetch_related_objects([order], "lines")
    _remember(request, order)
    just_placed = request.session.get(JUST_PLACED_KEY) == order.reference
    if just_placed:
        del request.session[JUST_PLACED_KEY]
    payment = PAYMENT_METHODS.get(order.payment_method)
    context = {
        "order": order,
        "just_placed": just_placed,
        "payment": payment,
        "instructions": payment.instructions(order) if payment else "",
        "shipping": SHIPPING_METHODS.get(order.shipping_method),
        "country": country_name(order.shipping_country),
        "private_url": request.build_absolute_uri(order.get_private_url()) if not order.customer_id else "",
    }
    return render(request, "orders/order_detail.html", context)


@never_cache
@require_POST
def order_cancel(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    order = _viewable_order(request, reference)
    try:
        order_cancel_by_customer(order=order, by=request.user if request.user.is_authenticated else None)
    except OrderError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, gettext("Order %(reference)s is cancelled.") % {"reference": order.reference})
    return redirect_after_post(request, order.get_absolute_url())


@never_cache
@login_required
@require_safe
def order_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    orders = (
        Order.objects.for_customer(request.user).annotate(items=Sum("lines__quantity")).fetch_mode(models.FETCH_PEERS)
    )
    page_obj = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page_obj": page_obj})
