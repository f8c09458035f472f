"""The account forms: sign up, sign in (the shop's and the admin's, with the shop's checks) and the
request for a sign-in link by email."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class SignUpForm(UserCreationForm[User]):
    """Username, email and password twice. Usernames are unique regardless of case, and a taken one is
    said so, whatever the email; whether the email already has an account is never said here
    (views.signup, docs/accounts.md)."""

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
