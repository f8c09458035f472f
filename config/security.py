"""Who is asking (the client's IP address, which sign-in, sign-up and password reset limits count)
and where a `next` parameter may lead."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the address the
    outermost trusted proxy saw (entries further left in X-Forwarded-For can be forged)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    address: str = request.META.get("REMOTE_ADDR", "")
    return address


def safe_next(request: HttpRequest, candidate: str, fallback: str = "") -> str:
    """`candidate` if it is a URL on this site (the check Django's LoginView makes), else `fallback`:
    a `next` parameter must never send the visitor somewhere else (an open redirect)."""
    allowed = url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure())
    return candidate if candidate and allowed else fallback
