"""The account emails besides Django's password reset: a one-time sign-in link, and what a sign-up
sends to its address (a welcome to a new account, or a notice to the account that already has the
address). Sent by jobs (tasks.py), in the language of the page they were asked for on, so
that their links lead to that language's pages too. docs/accounts.md explains the flows."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext


class SignInLinkTokens(PasswordResetTokenGenerator):
    """Django's password reset tokens under a key of their own, valid for SIGN_IN_LINK_MINUTES and used
    up by the sign-in they make: the hash covers the account's last sign-in, to the microsecond (Django's
    drops the microseconds, which would let two sign-ins within one second share a token)."""

    key_salt = "storefront.accounts.sign-in-link"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        last_login = "" if user.last_login is None else user.last_login.isoformat()
        return f"{super()._make_hash_value(user, timestamp)}{last_login}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if user is None or token is None or not super().check_token(user, token):
            return False
        age = self._num_seconds(self._now()) - base36_to_int(token.split("-")[0])
        return age <= settings.SIGN_IN_LINK_MINUTES * 60


sign_in_link_tokens = SignInLinkTokens()


def _send(*, to: str, subject: str, template: str, context: dict[str, object]) -> None:
    # Not send_mail(fail_silently=...): a failure must fail the job, which tries again (config/jobs.py).
    EmailMessage(subject, render_to_string(template, {**context, "STORE_NAME": settings.STORE_NAME}), None, [to]).send()


def sign_in_links_send(*, email: str, domain: str, use_https: bool) -> None:
    """A sign-in link to every account a password reset would go to: active, with a usable password."""
    site = f"{'https' if use_https else 'http'}://{domain}"
    for user in PasswordResetForm().get_users(email):
        path = reverse(
            "sign_in_link_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": sign_in_link_tokens.make_token(user),
            },
        )
        _send(
            to=user.email,
            subject=gettext("Your sign-in link for %(store)s") % {"store": settings.STORE_NAME},
            template="registration/sign_in_link_email.txt",
            context={"user": user, "link": site + path, "minutes": settings.SIGN_IN_LINK_MINUTES},
        )


def signup_emails_send(*, email: str, account_created: bool, domain: str, use_https: bool) -> None:
    """To every active account with this address: a welcome when the sign-up created it, otherwise a
    notice that someone tried to sign up with an address that already has an account (none was made)."""
    site = f"{'https' if use_https else 'http'}://{domain}"
    context = {
        "login_url": site + reverse("login"),
        "reset_url": site + reverse("password_reset"),
        "link_url": site + reverse("sign_in_link"),
    }
    if account_created:
        subject, template = gettext("Welcome to %(store)s"), "registration/signup_welcome_email.txt"
    else:
        subject, template = gettext("You already have an account at %(store)s"), "registration/signup_known_email.txt"
    for user in get_user_model()._default_manager.filter(email__iexact=email, is_active=True):
        _send(
            to=user.email,
            subject=subject % {"store": settings.STORE_NAME},
            template=template,
            context={**context, "user": user},
        )
