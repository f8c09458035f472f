from django.conf import settings
from django.http import HttpRequest

ACCOUNT_PAGES = frozenset(
    {
        "login",
        "signup",
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


def store(request: HttpRequest) -> dict[str, object]:
    """The store-wide values every page template shows (name, currency), and `return_path`:
    where the header's "Sign in" and "Create account" links send the shopper back to. On the
    account pages themselves that is the page they came from, never the account page again."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name in ACCOUNT_PAGES:
        return_path = request.GET.get("next", "")
    else:
        return_path = request.get_full_path()
    return {
        "STORE_NAME": settings.STORE_NAME,
        "STORE_CURRENCY": settings.STORE_CURRENCY,
        "return_path": return_path,
    }
