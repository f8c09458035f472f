from django.urls import path, register_converter

from . import views
from .models import REFERENCE_ALPHABET, REFERENCE_LENGTH

app_name = "orders"


class OrderReferenceConverter:
    """Only a well-formed reference reaches a view; anything else is a 404 before the database is asked."""

    regex = f"[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OrderReferenceConverter, "order_reference")

urlpatterns = [
    path("checkout/", views.place_order, name="place_order"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<order_reference:reference>/", views.order_detail, name="order_detail"),
    path("orders/<order_reference:reference>/cancel/", views.order_cancel, name="order_cancel"),
]
