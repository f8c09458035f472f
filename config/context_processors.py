from django.conf import settings
from django.http import HttpRequest


def store(request: HttpRequest) -> dict[str, object]:
    """The store-wide values every page template shows (name, currency)."""
    return {"STORE_NAME": settings.STORE_NAME, "STORE_CURRENCY": settings.STORE_CURRENCY}
