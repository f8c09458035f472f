"""Customer accounts under /accounts/: sign up and sign-in links by email, plus Django's sign in, sign
out and password views.

No app_name: Django's own auth views and templates reverse these names without a namespace
(password_reset_done, password_reset_confirm, …), and so do LOGIN_URL and the shop's templates."""

from django.urls import include, path
from django.views.generic import TemplateView

from .views import (
    PasswordResetConfirmView,
    PasswordResetView,
    SignInView,
    sign_in_link,
    sign_in_link_confirm,
    signup,
)

urlpatterns = [
    path("signup/", signup, name="signup"),
    # Signed-in visitors who reach the sign-in page go on to where they were heading.
    path("login/", SignInView.as_view(), name="login"),
    path("login/link/", sign_in_link, name="sign_in_link"),
    path(
        "login/link/sent/",
        TemplateView.as_view(template_name="registration/sign_in_link_sent.html"),
        name="sign_in_link_sent",
    ),
    path("login/link/<uidb64>/<token>/", sign_in_link_confirm, name="sign_in_link_confirm"),
    path("password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("", include("django.contrib.auth.urls")),
]
