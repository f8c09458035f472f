"""Sign up (the one account view Django does not ship) and sign in (Django's, with two fixes).
Sign out and the password views are Django's own (orders/account_urls.py)."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from config.security import client_ip, safe_next, too_many

# A form with errors: a 4xx that htmx is configured to swap (base.html).
INVALID = 422

MESSAGES = {
    "email_taken": "An account with this email already exists.",
    "welcome": "Welcome, {username}! Your account is ready and you are signed in.",
    "too_many": "Too many accounts were created from your network in the last hour. Please try again later.",
}
TOO_MANY_REQUESTS = 429


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
        if too_many("signup", client_ip(request), limit=settings.SIGNUP_RATE_LIMIT, period=3600):
            form.add_error(None, MESSAGES["too_many"])
            context = {"form": form, "next": next_url}
            return render(request, "registration/signup.html", context, status=TOO_MANY_REQUESTS)
        if form.is_valid():
            user = form.save()
            # login() sends user_logged_in, which moves the guest's cart into the new account.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, MESSAGES["welcome"].format(username=user.get_username()))
            return HttpResponseRedirect(done_url, status=303)
    else:
        form = SignUpForm()
    status = INVALID if form.errors else 200
    return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=status)


class SignInView(LoginView):
    """Django's sign-in, except that a signed-in visitor goes straight on, and a `next` pointing
    back at the sign-in page itself (which Django would refuse as a loop) means the default page."""

    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()
        return "" if url and urlsplit(url).path == self.request.path else url
