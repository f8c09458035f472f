from django.contrib.auth.models import User
from django.http import HttpRequest

from .services import cart_adopt_on_login


def merge_cart_on_login(sender: type, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        cart_adopt_on_login(user=user, session=request.session)
