from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("checkout/", views.place_order, name="place_order"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<str:reference>/", views.order_detail, name="order_detail"),
    path("orders/<str:reference>/cancel/", views.order_cancel, name="order_cancel"),
]
