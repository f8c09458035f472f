"""The shop's emails, sent by the queue's worker (`manage.py db_worker`), never in a shopper's request.

Both jobs are written to the queue in the shop's own database: the confirmation in the very
transaction that places the order (an order always has its confirmation job, a refused order never
has one), the password reset whether or not the address has an account (the request does the same
work either way, so its timing tells nothing). A mail server that is down, silent or trickling makes
an attempt fail and the job is tried again later (config/jobs.py); staff see every attempt in the
admin under Django Tasks DB → Task results.
"""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives, send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from config.jobs import URGENT_PRIORITY, URGENT_QUEUE, attempt_to_send

from .account_emails import sign_in_links_send, signup_emails_send
from .methods import PAYMENT_METHODS, SHIPPING_METHODS
from .models import Order


def order_send_confirmation(*, order: Order, site_url: str) -> None:
    """The confirmation, in the language the order was placed in: words, amounts, dates and link."""
    with translation.override(order.language or settings.LANGUAGE_CODE):
        _send_confirmation(order, site_url)


def _send_confirmation(order: Order, site_url: str) -> None:
    payment = PAYMENT_METHODS[order.payment_method]
    context = {
        "order": order,
        "order_url": site_url.rstrip("/") + order.get_private_url(),
        "payment": payment,
        "instructions": payment.instructions(order),
        "shipping": SHIPPING_METHODS.get(order.shipping_method),
        "STORE_NAME": settings.STORE_NAME,
    }
    send_mail(
        subject=gettext("%(store)s: your order %(reference)s")
        % {"store": settings.STORE_NAME, "reference": order.reference},
        message=render_to_string("orders/email/order_confirmation.txt", context),
        from_email=None,
        recipient_list=[order.email],
    )


@task
def order_confirmation_send(*, order_id: int, site_url: str, attempt: int = 1) -> None:
    order = Order.objects.prefetch_related("lines").get(pk=order_id)
    attempt_to_send(
        order_confirmation_send,
        lambda: order_send_confirmation(order=order, site_url=site_url),
        what=f"Confirmation of order {order.reference}",
        attempt=attempt,
        order_id=order_id,
        site_url=site_url,
    )


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
