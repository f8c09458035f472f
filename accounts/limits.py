"""The shop's limits on sign-in, sign-up, sign-in links and password resets: counts kept in the
database (rate_limit, too_many), the browsers an account signed in on (known_device), and the
authentication backend that refuses a sign-in before its password is checked (SignInLimitBackend).
docs/accounts.md explains each limit and lockout."""

import ipaddress
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Min, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from config.security import client_ip

from .models import RateLimitHit

HOUR = 3600

# A browser where an account signed in before carries that account in a signed cookie, so that its
# owner is never slowed down by someone else guessing the password elsewhere (OWASP's device cookies).
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "storefront.accounts.known-device"
KNOWN_DEVICE_AGE = timedelta(days=365)


def _lock(digest: str) -> None:
    """Hold a lock on one counted key until the transaction ends. SQLite needs none: its write
    transactions are IMMEDIATE, one at a time (config/settings.py)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [digest])


def _digest(action: str, key: str) -> str:
    return salted_hmac("storefront.rate-limit", f"{action}:{key}", algorithm="sha256").hexdigest()


@contextmanager
def rate_limit(action: str, key: str, *, limit: int, period: int = HOUR) -> Iterator[Callable[[], RateLimitHit] | None]:
    """Hold the lock on `key`'s count for `action` while the caller decides: yields a function that
    counts one attempt when fewer than `limit` were counted in the last `period` seconds, or None when
    the limit is reached.

    Counted in the database under a lock on the key, so every process and host shares the count and
    concurrent attempts let exactly `limit` through. What is not counted does not count: whoever waits
    a while gets in again."""
    now = timezone.now()
    since = now - timedelta(seconds=period)
    digest = _digest(action, key)

    def count() -> RateLimitHit:
        return RateLimitHit.objects.create(action=action, key=digest, at=now)

    with transaction.atomic():
        _lock(digest)
        RateLimitHit.objects.filter(action=action, at__lt=since).delete()
        full = RateLimitHit.objects.filter(action=action, key=digest, at__gte=since).count() >= limit
        yield None if full else count


def too_many(action: str, key: str, *, limit: int, period: int = HOUR) -> bool:
    """True when `limit` attempts of `action` by `key` were let through in the last `period` seconds;
    otherwise count this one and return False."""
    with rate_limit(action, key, limit=limit, period=period) as count:
        if count is None:
            return True
        count()
        return False


def seconds_until_free(action: str, key: str, *, period: int = HOUR) -> int:
    """How long until the oldest attempt of `action` counted for `key` stops counting (Retry-After)."""
    since = timezone.now() - timedelta(seconds=period)
    oldest = RateLimitHit.objects.filter(action=action, key=_digest(action, key), at__gte=since).aggregate(Min("at"))
    if oldest["at__min"] is None:
        return 1
    left: timedelta = oldest["at__min"] + timedelta(seconds=period) - timezone.now()
    return max(1, math.ceil(left.total_seconds()))


def network(address: str) -> str:
    """The address a limit counts: an IPv6 address stands for its /64, which one home or phone is
    given whole (it could pick a new address from it for every attempt)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ip.ipv4_mapped or ipaddress.IPv6Network((ip, 64), strict=False))
    return address


def _device_token(user: AbstractBaseUser) -> str:
    # Tied to the password: a new password makes every browser a stranger again.
    return f"{user.pk}:{user.get_session_auth_hash()}"


def known_device(request: HttpRequest, user: AbstractBaseUser) -> bool:
    """Whether `user` signed in on this browser with their current password."""
    raw = (
        request.get_signed_cookie(KNOWN_DEVICE_COOKIE, default="", salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_AGE)
        or ""
    )
    return _device_token(user) in raw.split(",")


def remember_device(request: HttpRequest, response: HttpResponse, user: AbstractBaseUser) -> None:
    raw = request.get_signed_cookie(KNOWN_DEVICE_COOKIE, default="", salt=KNOWN_DEVICE_SALT) or ""
    others = [token for token in raw.split(",") if token and token.split(":")[0] != str(user.pk)]
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        ",".join([*others[-4:], _device_token(user)]),
        salt=KNOWN_DEVICE_SALT,
        max_age=int(KNOWN_DEVICE_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def sign_in_slowed_down(username: str) -> bool:
    """Whether this attempt on `username`, from a browser the account never signed in on, must wait
    (docs/accounts.md).

    django-axes locks an account out only for the address that failed; on top of that, once an
    account has SIGN_IN_SLOWDOWN_AFTER failures from anywhere within the cool-off, browsers it never
    signed in on get one attempt per SIGN_IN_SLOWDOWN_SECONDS between them, claimed in the database
    so that a burst gets one too. Guessing slows to a crawl; the owner on their own browser is never
    held up."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    if (failures or 0) < settings.SIGN_IN_SLOWDOWN_AFTER:
        return False
    return too_many("sign_in", username, limit=1, period=settings.SIGN_IN_SLOWDOWN_SECONDS)


def sign_in_failure_claim(request: HttpRequest) -> RateLimitHit | None:
    """Take one of the SIGN_IN_ADDRESS_FAILURE_LIMIT failed sign-ins an address may have in an hour,
    whatever the accounts, for this attempt before its password is checked; None when they are all
    taken. Taken under the count's lock, so parallel attempts never get more than the limit between
    them; an attempt whose password is right gives its claim back (SignInChecks.clean)."""
    with rate_limit(
        "sign_in_failure", network(client_ip(request)), limit=settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    ) as count:
        return None if count is None else count()


class SignInLimitBackend:
    """An authentication backend before Django's, so that every sign-in form (the shop's, the admin's)
    is limited alike, with the username exactly as the form cleaned it. On a browser the account never
    signed in on, an attempt is refused when the account is slowed down (sign_in_slowed_down) or when
    its address has used up its failures for the hour (sign_in_failure_claim). A refused attempt stops
    there: the password is not checked, and neither django-axes nor the address's count counts it
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off); its middleware answers with
    views.lockout_response. It signs nobody in, so it has no get_user() (and is never the one that
    force_login() or login() without a backend picks)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: object
    ) -> None:
        if request is None or not username or "\x00" in username:
            return
        user_model = get_user_model()
        owner = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if owner is not None and known_device(request, owner):
            return  # the owner's own browser: it proves it knew the password, so nothing here applies
        if sign_in_slowed_down(username):
            self._refuse(request, slowed_down=True)
        claim = sign_in_failure_claim(request)
        if claim is None:
            self._refuse(request, address_limited=True)
        request.sign_in_failure_claim = claim  # type: ignore[attr-defined]  # given back by SignInChecks.clean

    def _refuse(self, request: HttpRequest, **why: bool) -> None:
        request.axes_locked_out = True  # type: ignore[attr-defined]  # django-axes reads this flag off the request
        request.sign_in_refused = why  # type: ignore[attr-defined]  # read by views.lockout_response
        raise PermissionDenied("Sign-in is limited for this attempt.")
