from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Order, OrderLine, OrderStatusChange
from .services import OrderError, order_change_status


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    fields = readonly_fields = (
        "product",
        "product_name",
        "options_text",
        "sku",
        "unit_price",
        "quantity",
        "line_total",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


class OrderStatusChangeInline(admin.TabularInline[OrderStatusChange, Order]):
    model = OrderStatusChange
    fields = readonly_fields = ("changed_at", "from_status", "to_status", "changed_by")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


def _move(modeladmin: admin.ModelAdmin[Order], request: HttpRequest, queryset: QuerySet[Order], status: str) -> None:
    """Apply one transition to every selected order; the ones that cannot make it are reported, not changed."""
    assert isinstance(request.user, User)  # the admin serves signed-in staff only
    moved, refused = 0, []
    for order in queryset:
        try:
            order_change_status(order=order, status=status, by=request.user)
            moved += 1
        except OrderError as error:
            refused.append(error.message)
    label = str(Order.Status(status).label).lower()
    if moved:
        message = ngettext("%(count)d order marked %(status)s.", "%(count)d orders marked %(status)s.", moved)
        modeladmin.message_user(request, message % {"count": moved, "status": label}, messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.WARNING)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ["reference", "created_at", "email", "shipping_name", "status", "total_amount"]
    list_filter = ["status", "created_at", "shipping_method", "payment_method"]
    search_fields = ["reference", "email", "shipping_name"]
    date_hierarchy = "created_at"
    list_select_related = ["customer"]
    readonly_fields = [
        "reference",
        "status",
        "customer",
        "shipping_method",
        "shipping_cost",
        "payment_method",
        "subtotal",
        "total_amount",
        "created_at",
        "updated_at",
    ]
    fields = [
        ("reference", "status"),
        ("customer", "email"),
        "shipping_name",
        "shipping_address",
        ("shipping_postcode", "shipping_city", "shipping_country"),
        ("shipping_method", "shipping_cost"),
        "payment_method",
        ("subtotal", "total_amount"),
        ("created_at", "updated_at"),
    ]
    inlines = [OrderLineInline, OrderStatusChangeInline]
    actions = ["mark_paid", "mark_shipped", "mark_delivered", "mark_cancelled"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from the checkout, which checks stock and prices

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False  # cancel instead: cancelling puts the stock back

    @admin.action(description=_("Mark selected orders as paid"))
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _move(self, request, queryset, Order.Status.PAID)

    @admin.action(description=_("Mark selected orders as shipped"))
    def mark_shipped(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _move(self, request, queryset, Order.Status.SHIPPED)

    @admin.action(description=_("Mark selected orders as delivered"))
    def mark_delivered(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _move(self, request, queryset, Order.Status.DELIVERED)

    @admin.action(description=_("Cancel selected orders (puts the stock back)"))
    def mark_cancelled(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _move(self, request, queryset, Order.Status.CANCELLED)
