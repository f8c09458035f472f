"""Sign up and the one-time sign-in link by email (the account views Django does not ship), and
Django's sign-in and password reset with the shop's limits. Sign out and the other password views are
Django's own (orders/account_urls.py). The limits and lockouts are explained in docs/accounts.md."""

import ipaddress
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm, UserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, transaction
from django.db.models import Min, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_stubs_ext import StrOrPromise

from config.security import client_ip, safe_next

from .account_emails import sign_in_link_tokens
from .models import RateLimitHit
from .tasks import password_reset_send, sign_in_link_send, signup_email_send

# A form with errors: a 4xx that htmx is configured to swap (base.html).
INVALID = 422

MESSAGES = {
    # The same words whether or not the address already had an account (docs/accounts.md).
    "signup_done": _("Thank you! We’ve sent an email to the address you entered: please check your inbox."),
    "too_many": _("Too many accounts were created from your network in the last hour. Please try again later."),
    "too_many_attempts": _(
        "Too many attempts to create an account came from your network in the last hour. Please try again later."
    ),
    "reset_too_many": _(
        "Too many password reset links were asked for from your network or for this address in the last "
        "hour. The links already sent still work: please check your inbox and spam folder, or try again later."
    ),
    "link_too_many": _(
        "Too many sign-in links were asked for from your network or for this address in the last hour. "
        "The links already sent still work for a while: please check your inbox and spam folder, or try again later."
    ),
}
TOO_MANY_REQUESTS = 429
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
    lockout_response. It signs nobody in, so it has no get_user() (and is never the one that
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
        request.sign_in_refused = why  # type: ignore[attr-defined]  # read by lockout_response below
        raise PermissionDenied("Sign-in is limited for this attempt.")


def lockout_response(request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any]) -> HttpResponse:
    """django-axes' answer to a refused sign-in (AXES_LOCKOUT_CALLABLE): this address is locked out of
    the account, the account is slowed down for this browser, or this address has used up its failed
    sign-ins for the hour. With Retry-After, and a form to ask for a sign-in link by email."""
    why = getattr(request, "sign_in_refused", {})
    if why.get("address_limited"):
        wait = seconds_until_free("sign_in_failure", network(client_ip(request)))
    elif why.get("slowed_down"):
        wait = settings.SIGN_IN_SLOWDOWN_SECONDS
    else:
        wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {
        "address_limited": why.get("address_limited", False),
        "slowed_down": why.get("slowed_down", False),
        "wait_seconds": settings.SIGN_IN_SLOWDOWN_SECONDS,
        "wait_minutes": math.ceil(wait / 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "link_form": SignInLinkForm(),
    }
    answer = render(request, "registration/locked_out.html", context, status=TOO_MANY_REQUESTS)
    answer["Retry-After"] = str(wait)
    return answer


class SignUpForm(UserCreationForm[User]):
    """Username, email and password twice. Usernames are unique regardless of case, and a taken one is
    said so, whatever the email; whether the email already has an account is never said here
    (signup below, docs/accounts.md)."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send order confirmations and password reset links here."),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        return self._meta.model.objects.normalize_email(self.cleaned_data["email"])


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A new email gets its account at once, signed in; an email that already has one gets no second
    account, and its owner an email instead. Either way the same redirect and the same words follow,
    and a job emails the address (a welcome, or the notice)."""
    next_url = safe_next(request, request.POST.get("next", request.GET.get("next", "")))
    done_url = next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
    if request.user.is_authenticated:
        return HttpResponseRedirect(done_url, status=303)
    if request.method == "POST":
        form = SignUpForm(request.POST)
        address = client_ip(request)
        if too_many("signup_attempt", address, limit=settings.SIGNUP_ATTEMPT_LIMIT):
            return _signup_refused(request, form, next_url, MESSAGES["too_many_attempts"])
        if form.is_valid():
            user = form.save(commit=False)  # the password is hashed here, before the count's lock
            # A sign-up with a known email counts like one that creates an account, so that the
            # limit's answer cannot tell them apart either.
            with rate_limit("signup", address, limit=settings.SIGNUP_RATE_LIMIT) as count:
                known = get_user_model()._default_manager.filter(email__iexact=user.email).exists()
                if count is not None:
                    if not known:
                        user.save()
                    count()
            if count is None:
                return _signup_refused(request, form, next_url, MESSAGES["too_many"])
            response = HttpResponseRedirect(done_url, status=303)
            if not known:
                # login() sends user_logged_in, which moves the guest's cart into the new account.
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                remember_device(request, response, user)
            # The owner of a known address hears of a few sign-ups an hour at most, silently: a
            # refusal here would say that the address has an account.
            if not known or not too_many(
                "signup_notice", user.email.casefold(), limit=settings.SIGNUP_NOTICE_RATE_LIMIT
            ):
                signup_email_send.enqueue(account_created=not known, **_email_job_arguments(request, user.email))
            messages.success(request, MESSAGES["signup_done"])
            return response
    else:
        form = SignUpForm()
    status = INVALID if form.errors else 200
    return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=status)


def _signup_refused(request: HttpRequest, form: SignUpForm, next_url: str, message: StrOrPromise) -> HttpResponse:
    form.add_error(None, message)
    return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=TOO_MANY_REQUESTS)


def _email_job_arguments(request: HttpRequest, email: str) -> dict[str, Any]:
    """What an account email's job needs to know of the request: where to send and how to link back."""
    return {
        "email": email,
        "domain": request.get_host(),
        "use_https": request.is_secure(),
        "language": translation.get_language(),
    }


class SignInChecks(AuthenticationForm):
    """Django's sign-in form, twice amended:

    - its username's max_length is set after the field is built, so the length is never checked and
      any name reaches authenticate(), where django-axes stores it in 255 characters (a 500 on
      PostgreSQL). Here a name too long is an ordinary form error;
    - a right password gives back the attempt's claim on the address's failed sign-ins
      (SignInLimitBackend), so that only failures count."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        assert isinstance(field, forms.CharField)
        assert field.max_length is not None  # set by AuthenticationForm.__init__ above
        field.validators.append(MaxLengthValidator(field.max_length))

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        finally:
            claim = getattr(self.request, "sign_in_failure_claim", None)
            if self.user_cache is not None and claim is not None:
                claim.delete()


class SignInForm(SignInChecks):
    pass


class AdminSignInForm(SignInChecks, AdminAuthenticationForm):
    pass


class SignInLinkForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class SignInView(auth_views.LoginView):
    """Django's sign-in, except that a signed-in visitor goes straight on, a `next` pointing back at
    the sign-in page itself (which Django would refuse as a loop) means the default page, the
    browser is remembered as the account's own (SignInLimitBackend never limits it), and the page
    offers a sign-in link by email too."""

    redirect_authenticated_user = True
    authentication_form = SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "link_form": SignInLinkForm()}

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        remember_device(self.request, response, form.get_user())
        return response

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        url = super().get_redirect_url(request)
        return "" if url and urlsplit(url).path == (request or self.request).path else url


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time sign-in link by email: for the owner of an account that is locked out or
    slowed down on a new browser. Like the password reset, the same work and the same answer for any
    address (a job looks the address up), limited per network address and per email address."""
    form = SignInLinkForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        email = form.cleaned_data["email"]
        by_network = too_many("sign_in_link", client_ip(request), limit=settings.SIGN_IN_LINK_RATE_LIMIT)
        by_account = too_many("sign_in_link_account", email.casefold(), limit=settings.SIGN_IN_LINK_ACCOUNT_RATE_LIMIT)
        if not (by_network or by_account):
            sign_in_link_send.enqueue(**_email_job_arguments(request, email))
            return HttpResponseRedirect(reverse("sign_in_link_sent"), status=303)
        form.add_error(None, MESSAGES["link_too_many"])
    status = TOO_MANY_REQUESTS if form.non_field_errors() else INVALID if form.errors else 200
    return render(request, "registration/sign_in_link_form.html", {"link_form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The emailed link. Opening it (GET) only shows a button, since mail scanners open links too;
    the button (POST) signs in, once: the sign-in changes the account's last_login, which the token
    covers. It makes this browser one the account signed in on, so limits no longer hold it up."""
    if request.method == "POST":
        with transaction.atomic():  # one sign-in per token, however many tabs send it at once
            user = _sign_in_link_user(uidb64, token, lock=True)
            if user is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if user is not None:
            response = HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL), status=303)
            remember_device(request, response, user)
            return response
    else:
        user = _sign_in_link_user(uidb64, token)
    context = {"link_user": user, "link_form": SignInLinkForm()}
    return render(request, "registration/sign_in_link_confirm.html", context, status=200 if user else 400)


def _sign_in_link_user(uidb64: str, token: str, *, lock: bool = False) -> User | None:
    """The active account a sign-in link is for, if the link is whole, unused and not expired."""
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
    except ValueError:  # not base64, or not text
        return None
    accounts = get_user_model()._default_manager.filter(is_active=True)
    try:
        user = (accounts.select_for_update() if lock else accounts).filter(pk=pk).first()
    except (ValueError, ValidationError):  # not a primary key
        return None
    return user if sign_in_link_tokens.check_token(user, token) else None


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, except that the email is a job for the queue's worker, asked for the same way whether
    or not the address has an account (the answer takes the same time either way), and that requests
    are limited per network address and per email address."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        by_network = too_many("password_reset", client_ip(self.request), limit=settings.PASSWORD_RESET_RATE_LIMIT)
        by_account = too_many(
            "password_reset_account", email.casefold(), limit=settings.PASSWORD_RESET_ACCOUNT_RATE_LIMIT
        )
        if by_network or by_account:
            form.add_error(None, MESSAGES["reset_too_many"])
            return self.render_to_response(self.get_context_data(form=form), status=TOO_MANY_REQUESTS)
        password_reset_send.enqueue(
            email=email,
            domain=self.request.get_host(),
            use_https=self.request.is_secure(),
            language=translation.get_language(),
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, except that a new password lifts every sign-in lockout and slow-down of the account:
    whoever reset it holds its email, so they are its owner."""

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        remember_device(self.request, response, form.user)  # whoever holds the email is the owner
        return response
