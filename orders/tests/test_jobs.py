"""The shop's emails are jobs on the queue: a mail server that is down, silent or trickling holds up
no request, the email waits in the queue, is tried again with back-off, and is sent once the server
answers; a job that keeps failing stays visible, never dropped.

The mail servers here are real sockets on loopback: aiosmtpd for one that works, plain threads for
one that accepts a connection and then never says a word, or says it one byte at a time."""

import contextlib
import itertools
import smtplib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from accounts import tasks as account_tasks
from cart.tests.factories import make_user, put_in_session
from config import jobs
from config.tests.helpers import jobs_by_status, use_backend
from storefront.tests.factories import make_product

from ..models import Order
from ..tasks import order_confirmation_send
from .factories import cart_with, checkout_data, make_order

pytestmark = pytest.mark.django_db

CHECKOUT_URL = reverse("orders:place_order")
RESET_URL = reverse("password_reset")
READY, FAILED, SUCCESSFUL = TaskResultStatus.READY, TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL


def make_due() -> None:
    """Jump past every back-off: the jobs scheduled for later are due now."""
    DBTaskResult.objects.filter(status=READY).update(run_after=timezone.now() - timedelta(seconds=1))


def smtp_settings(settings, port: int, *, timeout: float = 1) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": timeout},
        }
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MuteServer:
    """Accepts connections and then says nothing at all (`drip=False`), or trickles a greeting that
    never ends, one byte every 0.1 s (`drip=True`). Counts the connections it was given."""

    def __init__(self, port: int, *, drip: bool = False) -> None:
        self.connections = 0
        self.drip = drip
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self._listener.settimeout(0.05)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        held: list[socket.socket] = []
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                if self.drip:
                    for connection in held:
                        with contextlib.suppress(OSError):
                            connection.sendall(b"2")
                    time.sleep(0.05)
                continue
            self.connections += 1
            held.append(connection)
        for connection in held:
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._listener.close()


class Inbox:
    """aiosmtpd's handler: keeps every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 Message accepted"


@pytest.fixture
def working_smtp() -> Iterator[Controller]:
    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


# --- The journey: a mail server that never answers, and comes back ------------------------------


def test_a_silent_mail_server_holds_up_neither_checkout_nor_reset_and_the_emails_go_out_once_it_is_back(
    settings, run_jobs
):
    port = free_port()
    smtp_settings(settings, port, timeout=0.5)  # each attempt waits this long for a greeting that never comes
    silent = MuteServer(port)
    shopper = Client()
    product = make_product(name="Kettle", price=Decimal("20.00"))
    put_in_session(shopper, cart_with((product, 1)))
    make_user(username="ann", email="ann@example.com")
    try:
        # Both answers come back without the mail server having been asked anything.
        response = shopper.post(CHECKOUT_URL, checkout_data(email="guest@example.com"))
        assert response.status_code == 303
        order = Order.objects.get()
        assert shopper.get(response["Location"]).status_code == 200  # the shopper sees their order
        assert Client().post(RESET_URL, {"email": "ann@example.com"}).status_code == 302
        assert silent.connections == 0
        assert jobs_by_status() == [("order_confirmation_send", READY, 1), ("password_reset_send", READY, 1)]

        # The worker tries (the reset first: it is urgent), the server stays silent past the timeout:
        # both attempts fail and are scheduled again, a minute later.
        run_jobs()
        assert silent.connections == 2
        assert jobs_by_status() == [
            ("order_confirmation_send", FAILED, 1),
            ("password_reset_send", FAILED, 1),
            ("password_reset_send", READY, 2),
            ("order_confirmation_send", READY, 2),
        ]
        retry = DBTaskResult.objects.filter(status=READY).first()
        assert timedelta(seconds=50) < retry.run_after - timezone.now() <= jobs.RETRY_DELAYS[0]
    finally:
        silent.close()

    # The server is back (here: a working one on another port).
    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp_settings(settings, controller.port)
        make_due()
        run_jobs()
    finally:
        controller.stop()
    sent = {recipients[0]: body for recipients, body in controller.handler.messages}
    assert set(sent) == {"guest@example.com", "ann@example.com"}
    assert order.reference in sent["guest@example.com"]
    assert "/accounts/reset/" in sent["ann@example.com"]
    assert [status for _, status, _ in jobs_by_status()] == [FAILED, FAILED, SUCCESSFUL, SUCCESSFUL]


def test_a_mail_server_that_trickles_its_greeting_is_given_up_on_at_the_deadline(settings, run_jobs, monkeypatch):
    monkeypatch.setattr(jobs, "SEND_DEADLINE_SECONDS", 0.4)
    port = free_port()
    smtp_settings(settings, port, timeout=5)  # each byte comes well within the socket timeout
    dripping = MuteServer(port, drip=True)
    try:
        make_order()
        run_jobs()
    finally:
        dripping.close()
    assert jobs_by_status() == [("order_confirmation_send", FAILED, 1), ("order_confirmation_send", READY, 2)]
    assert "DeadlineError" in DBTaskResult.objects.get(status=FAILED).exception_class_path


# --- Retries -------------------------------------------------------------------------------------


def test_a_mail_server_that_is_down_fails_the_attempt_and_schedules_the_next_with_back_off(settings, run_jobs):
    use_backend(settings, ConnectionRefusedError("The mail server is down."))
    product = make_product(stock_quantity=5)
    order = make_order(lines=[(product, 2)])

    run_jobs()

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING  # the order stands
    failed = DBTaskResult.objects.get(status=FAILED)
    assert "ConnectionRefusedError" in failed.traceback
    retry = DBTaskResult.objects.get(status=READY)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now()


def test_the_back_off_grows_and_after_the_last_attempt_the_job_stays_failed(settings, run_jobs):
    use_backend(settings, smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    order = make_order()
    delays = []
    for _ in range(len(jobs.RETRY_DELAYS) + 1):
        before = timezone.now()
        run_jobs()
        scheduled = DBTaskResult.objects.filter(status=READY).first()
        if scheduled is None:
            break
        delays.append(scheduled.run_after - before)
        make_due()
    assert len(delays) == len(jobs.RETRY_DELAYS)
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))
    assert jobs_by_status()[-1] == ("order_confirmation_send", FAILED, len(jobs.RETRY_DELAYS) + 1)
    assert not DBTaskResult.objects.filter(status=READY).exists()
    assert DBTaskResult.objects.filter(status=FAILED).count() == len(jobs.RETRY_DELAYS) + 1
    # Staff still find the order's last attempt, with its error.
    last = DBTaskResult.objects.filter(status=FAILED).order_by("-enqueued_at").first()
    assert last.args_kwargs["kwargs"]["order_id"] == order.pk
    assert "SMTPServerDisconnected" in last.traceback


def test_an_address_the_server_refuses_for_good_is_not_tried_again(settings, run_jobs):
    use_backend(settings, smtplib.SMTPRecipientsRefused({"ann@example.com": (550, b"No such user")}))
    make_order()
    run_jobs()
    assert jobs_by_status() == [("order_confirmation_send", FAILED, 1)]


def test_a_temporary_refusal_is_tried_again(settings, run_jobs):
    use_backend(settings, smtplib.SMTPRecipientsRefused({"ann@example.com": (451, b"Try again later")}))
    make_order()
    run_jobs()
    assert jobs_by_status()[-1] == ("order_confirmation_send", READY, 2)


def test_jobs_reach_a_working_smtp_server(settings, run_jobs, working_smtp):
    smtp_settings(settings, working_smtp.port)
    order = make_order(email="bob@example.com")
    run_jobs()
    [(recipients, body)] = working_smtp.handler.messages
    assert recipients == ["bob@example.com"]
    assert order.reference in body


def test_the_confirmation_job_can_be_run_again_by_hand(run_jobs):
    """A job staff want to repeat (the customer lost the email) is one enqueue away."""
    order = make_order()
    run_jobs()
    order_confirmation_send.enqueue(order_id=order.pk, site_url="https://shop.example/")
    run_jobs()
    assert len(mail.outbox) == 2


# --- What a shopper waits for is not held up by a backlog ---------------------------------------


def test_a_reset_goes_to_the_urgent_queue_which_a_backlog_of_confirmations_cannot_hold_up(client, run_jobs):
    orders = [make_order() for _ in range(5)]
    make_user("ann", email="ann@example.com")
    client.post(RESET_URL, {"email": "ann@example.com"})
    reset = DBTaskResult.objects.get(task_path__endswith="password_reset_send")
    assert (reset.queue_name, reset.priority) == (jobs.URGENT_QUEUE, jobs.URGENT_PRIORITY)

    # The urgent queue's own worker runs the reset and nothing else.
    call_command("db_worker", batch=True, reload=False, startup_delay=False, queue_name=jobs.URGENT_QUEUE, verbosity=0)
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]
    assert DBTaskResult.objects.filter(status=READY).count() == len(orders)


def test_a_worker_of_every_queue_takes_the_reset_before_the_backlog(client, run_jobs):
    # run_jobs: the worker keeps the test's connection (and its transaction) between jobs.
    for _ in range(5):
        make_order()
    make_user("ann", email="ann@example.com")
    client.post(RESET_URL, {"email": "ann@example.com"})

    call_command("db_worker", batch=True, max_tasks=1, reload=False, startup_delay=False, queue_name="*", verbosity=0)

    assert [message.to for message in mail.outbox] == [["ann@example.com"]]


# --- Account emails queued before they moved to accounts/ ---------------------------------------


def test_an_account_email_queued_under_its_old_path_still_runs(mailoutbox, run_jobs):
    """Jobs are stored by their task's dotted path; the resets, sign-in links and sign-up emails queued
    as orders.tasks.* before accounts/ had its own app run as they would have (orders/tasks.py)."""
    make_user("ann", email="ann@example.com")
    job = account_tasks.password_reset_send.enqueue(email="ann@example.com", domain="shop.example", use_https=True)
    DBTaskResult.objects.filter(pk=job.id).update(task_path="orders.tasks.password_reset_send")

    assert [(job.task_path, job.status) for job in run_jobs()] == [("orders.tasks.password_reset_send", SUCCESSFUL)]
    assert [email.to for email in mailoutbox] == [["ann@example.com"]]
    for name in ("password_reset_send", "sign_in_link_send", "signup_email_send"):
        assert import_string(f"orders.tasks.{name}") is getattr(account_tasks, name)
