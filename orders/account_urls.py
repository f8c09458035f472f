"""Customer accounts under /accounts/: sign up, plus Django's sign in, sign out and password views."""

from django.contrib.auth.views import LoginView
from django.urls import include, path

from .accounts import signup

urlpatterns = [
    path("signup/", signup, name="signup"),
    # Signed-in visitors who reach the sign-in page go on to where they were heading.
    path("login/", LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("", include("django.contrib.auth.urls")),
]
