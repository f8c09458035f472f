from django.urls import path

from . import views

app_name = "cart"

urlpatterns = [
    path("", views.cart_detail, name="cart_detail"),
    path("mini/", views.mini_cart, name="mini_cart"),
    path("regions/", views.cart_regions, name="cart_regions"),
    path("add/<int:product_id>/", views.cart_add, name="cart_add"),
    path("lines/<int:line_id>/", views.cart_line_update, name="cart_line_update"),
    path("lines/<int:line_id>/remove/", views.cart_line_remove, name="cart_line_remove"),
]
