"""Customer accounts under /accounts/: sign up, plus Django's sign in, sign out and password views."""

from django.urls import include, path

from .accounts import PasswordResetConfirmView, PasswordResetView, SignInView, signup

urlpatterns = [
    path("signup/", signup, name="signup"),
    # Signed-in visitors who reach the sign-in page go on to where they were heading.
    path("login/", SignInView.as_view(), name="login"),
    path("password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("", include("django.contrib.auth.urls")),
]
