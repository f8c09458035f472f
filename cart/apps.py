from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "cart"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .receivers import merge_cart_on_login

        # Every way of signing in (our form, the admin, a password reset) keeps the guest's cart.
        user_logged_in.connect(merge_cart_on_login, dispatch_uid="cart_merge_on_login")
