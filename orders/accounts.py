"""Sign up (the one account view Django does not ship), and Django's sign-in and password reset with
the shop's limits. Sign out and the other password views are Django's own (orders/account_urls.py).
The limits and lockouts are explained in docs/accounts.md."""

import math
from datetime import timedelta
from urllib.parse import urlsplit

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from config.security import client_ip, safe_next

from .models import RateLimitHit
from .tasks import password_reset_send

# A form with errors: a 4xx that htmx is configured to swap (base.html).
INVALID = 422

MESSAGES = {
    "email_taken": "An account with this email already exists.",
    "welcome": "Welcome, {username}! Your account is ready and you are signed in.",
    "too_many": "Too many accounts were created from your network in the last hour. Please try again later.",
    "reset_too_many": (
        "Too many password reset links were asked for from your network or for this address in the last "
        "hour. The links already sent still work: please check your inbox and spam folder, or try again later."
    ),
    "slow_down": (
        "This account had many failed sign-in attempts recently, so sign-in is slowed down for it: please "
        "wait {seconds} seconds and try again. Forgotten your password? Reset it by email."
    ),
}
TOO_MANY_REQUESTS = 429
HOUR = 3600

# A browser where an account signed in before carries that account in a signed cookie, so that its
# owner is never slowed down by someone else guessing the password elsewhere (OWASP's device cookies).
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "storefront.accounts.known-device"
KNOWN_DEVICE_AGE = timedelta(days=365)


def too_many(action: str, key: str, *, limit: int, period: int = HOUR) -> bool:
    """Count one attempt of `action` by `key`; True once more than `limit` were made in `period` seconds.

    The attempt is written first and the window counted after, in the database: concurrent attempts
    in any number of processes each count all the others, so the limit can never be overrun."""
    now = timezone.now()
    since = now - timedelta(seconds=period)
    digest = salted_hmac("storefront.rate-limit", f"{action}:{key}", algorithm="sha256").hexdigest()
    RateLimitHit.objects.filter(action=action, at__lt=since).delete()
    RateLimitHit.objects.create(action=action, key=digest, at=now)
    return RateLimitHit.objects.filter(action=action, key=digest, at__gte=since).count() > limit


def known_accounts(request: HttpRequest) -> list[str]:
    raw = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE, default="", salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_AGE.total_seconds()
    )
    return [pk for pk in raw.split(",") if pk]


def remember_device(request: HttpRequest, response: HttpResponse, user: AbstractBaseUser) -> None:
    others = [pk for pk in known_accounts(request) if pk != str(user.pk)]
    accounts = [*others[-4:], str(user.pk)]
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        ",".join(accounts),
        salt=KNOWN_DEVICE_SALT,
        max_age=int(KNOWN_DEVICE_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def sign_in_wait(request: HttpRequest, username: str) -> int:
    """Seconds this browser must wait before it may try to sign in to `username`; 0 when it may now.

    django-axes locks an account out only for the address that failed; on top of that, once an
    account has SIGN_IN_SLOWDOWN_AFTER failures from anywhere within the cool-off, each further
    attempt from a browser it never signed in on must wait SIGN_IN_SLOWDOWN_SECONDS after the last
    failure. Guessing slows to a crawl, and the owner on their own browser is never held up."""
    if not username or "\x00" in username:
        return 0  # no account has such a name; the form refuses it
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start"), last=Max("attempt_time")
    )
    if (failures["total"] or 0) < settings.SIGN_IN_SLOWDOWN_AFTER:
        return 0
    user_model = get_user_model()
    owner = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    if owner is not None and str(owner.pk) in known_accounts(request):
        return 0
    elapsed = (timezone.now() - failures["last"]).total_seconds()
    return max(0, math.ceil(settings.SIGN_IN_SLOWDOWN_SECONDS - elapsed))


class SignUpForm(UserCreationForm):
    """Username, email and password twice. Usernames and emails are unique regardless of case."""

    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send order confirmations and password reset links here.",
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        user_model = self._meta.model
        email = user_model.objects.normalize_email(self.cleaned_data["email"])
        if user_model.objects.filter(email__iexact=email).exists():
            raise ValidationError(MESSAGES["email_taken"], code="email_taken")
        return email


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next", request.GET.get("next", "")))
    done_url = next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
    if request.user.is_authenticated:
        return HttpResponseRedirect(done_url, status=303)
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if too_many("signup", client_ip(request), limit=settings.SIGNUP_RATE_LIMIT):
            form.add_error(None, MESSAGES["too_many"])
            context = {"form": form, "next": next_url}
            return render(request, "registration/signup.html", context, status=TOO_MANY_REQUESTS)
        if form.is_valid():
            user = form.save()
            # login() sends user_logged_in, which moves the guest's cart into the new account.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, MESSAGES["welcome"].format(username=user.get_username()))
            response = HttpResponseRedirect(done_url, status=303)
            remember_device(request, response, user)
            return response
    else:
        form = SignUpForm()
    status = INVALID if form.errors else 200
    return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=status)


class SignInView(auth_views.LoginView):
    """Django's sign-in, except that a signed-in visitor goes straight on, a `next` pointing back at
    the sign-in page itself (which Django would refuse as a loop) means the default page, and an
    account under attack is slowed down for browsers it never signed in on (sign_in_wait)."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        wait = sign_in_wait(request, request.POST.get("username", "")[:255])
        if wait:
            # Refused before the password is checked: the attempt is neither a failure nor a success.
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            context = self.get_context_data(form=form, error=MESSAGES["slow_down"].format(seconds=wait))
            return self.render_to_response(context, status=TOO_MANY_REQUESTS)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response = super().form_valid(form)
        remember_device(self.request, response, form.get_user())
        return response

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()
        return "" if url and urlsplit(url).path == self.request.path else url


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
        password_reset_send.enqueue(email=email, domain=self.request.get_host(), use_https=self.request.is_secure())
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, except that a new password lifts every sign-in lockout and slow-down of the account:
    whoever reset it holds its email, so they are its owner."""

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=self.user.get_username())
        return response
