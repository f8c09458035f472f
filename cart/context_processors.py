from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .services import cart_contents


def cart(request: HttpRequest) -> dict[str, object]:
    """`cart` for every template, loaded only if a template reads it (one query at most)."""
    return {"cart": SimpleLazyObject(lambda: cart_contents(user=request.user, session=request.session))}
