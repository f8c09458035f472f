"""Sign up and the one-time sign-in link by email (the account views Django does not ship), and
Django's sign-in and password reset with the shop's limits (limits.py), and the page a refused
sign-in gets. Sign out and the other password views are Django's own (urls.py). The limits and
lockouts are explained in docs/accounts.md."""

import math
from typing import Any
from urllib.parse import urlsplit

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_stubs_ext import StrOrPromise

from config.security import client_ip, safe_next

from .emails import sign_in_link_tokens
from .forms import SignInForm, SignInLinkForm, SignUpForm
from .limits import network, rate_limit, remember_device, seconds_until_free, too_many
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
