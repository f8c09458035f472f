from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import CartContents
from .services import cart_contents


def cart(request: HttpRequest) -> dict[str, object]:
    """`cart` for every template, loaded only if a template reads it (one query at most).

    An error page may be rendered for a request that middleware refused before the session or
    the user were attached (an unknown Host is refused before authentication runs): it shows an
    empty cart rather than failing in turn."""

    def load() -> CartContents:
        session = getattr(request, "session", None)
        if session is None:
            return CartContents([])
        return cart_contents(user=getattr(request, "user", AnonymousUser()), session=session)

    return {"cart": SimpleLazyObject(load)}
