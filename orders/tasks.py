"""An order's emails, sent by the queue's worker (`manage.py queue_worker`), never in a shopper's request.

The confirmation's job is written to the queue in the shop's own database in the very transaction
that places the order: an order always has its confirmation job, a refused order never has one. A
mail server that is down, silent or trickling makes an attempt fail and the job is tried again later
(config/jobs.py); staff see every attempt in the admin under Django Tasks DB → Task results. The
account emails' jobs are accounts/tasks.py.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

# The account emails' jobs are accounts/tasks.py. A job is queued under its task's dotted path: the
# resets, sign-in links and sign-up emails queued as orders.tasks.* before they moved (retries among
# them, scheduled hours ahead) still run through these names. Remove them a release after the move,
# once no job of those paths is left Ready in the queue (docs/deploy.md).
from accounts.tasks import password_reset_send as password_reset_send
from accounts.tasks import sign_in_link_send as sign_in_link_send
from accounts.tasks import signup_email_send as signup_email_send
from config.jobs import attempt_to_send

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
