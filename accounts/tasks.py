"""The account emails, sent by the queue's worker on the urgent queue (the shopper is waiting for
them), never in a shopper's request: the password reset, the one-time sign-in link and what a sign-up
sends. Each is asked for the same way whether or not the address has an account (the request does the
same work either way, so its timing tells nothing); the job looks the address up. A mail server that is
down, silent or trickling makes an attempt fail and the job is tried again later (config/jobs.py).
"""

from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string

from config.jobs import URGENT_PRIORITY, URGENT_QUEUE, attempt_to_send

from .emails import sign_in_links_send, signup_emails_send


class PasswordResetEmails(PasswordResetForm):
    """Django's reset form, except that a failed email fails the job (Django logs and forgets it)."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, object],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        EmailMultiAlternatives(subject, body, from_email, [to_email]).send()


@task(queue_name=URGENT_QUEUE, priority=URGENT_PRIORITY)  # the shopper is waiting for it
def password_reset_send(*, email: str, domain: str, use_https: bool, language: str = "en", attempt: int = 1) -> None:
    """Email a reset link to every active account with this address (usually one, often none), in the
    language of the page the reset was asked for on (its link leads to that language's page too)."""
    form = PasswordResetEmails({"email": email})
    if not form.is_valid():
        return
    attempt_to_send(
        password_reset_send,
        lambda: form.save(domain_override=domain, use_https=use_https),
        what="Password reset email",
        attempt=attempt,
        language=language,
        email=email,
        domain=domain,
        use_https=use_https,
    )


@task(queue_name=URGENT_QUEUE, priority=URGENT_PRIORITY)
def sign_in_link_send(*, email: str, domain: str, use_https: bool, language: str = "en", attempt: int = 1) -> None:
    """Email a one-time sign-in link to every account a password reset would go to (usually one, often
    none), in the language of the page it was asked for on."""
    attempt_to_send(
        sign_in_link_send,
        lambda: sign_in_links_send(email=email, domain=domain, use_https=use_https),
        what="Sign-in link email",
        attempt=attempt,
        language=language,
        email=email,
        domain=domain,
        use_https=use_https,
    )


@task(queue_name=URGENT_QUEUE, priority=URGENT_PRIORITY)
def signup_email_send(
    *, email: str, account_created: bool, domain: str, use_https: bool, language: str = "en", attempt: int = 1
) -> None:
    """After a sign-up with this address: a welcome to the account it created, or a notice to the
    account that already had the address (docs/accounts.md), in the language of the sign-up page."""
    attempt_to_send(
        signup_email_send,
        lambda: signup_emails_send(email=email, account_created=account_created, domain=domain, use_https=use_https),
        what="Sign-up email",
        attempt=attempt,
        language=language,
        email=email,
        account_created=account_created,
        domain=domain,
        use_https=use_https,
    )
