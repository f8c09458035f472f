"""What every background job shares: retrying with back-off, and a deadline for talking to a server.

Jobs are Django tasks (`django.tasks`) on the queue in the shop's own database (django-tasks-db); the
worker (`manage.py db_worker`) runs them. A job that fails for a reason that may pass (the mail server is
down, slow or refuses for now) schedules its next attempt and then fails this one, so every attempt is
recorded with its error; after the last attempt it stays Failed in the admin for staff to see.
"""

import logging
import signal
import smtplib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from typing import Any

from django.tasks import Task
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

# How long to wait before each further attempt: 7 attempts over about 15 hours, then give up.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=20),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=10),
)
# The longest one attempt may talk to a mail server, however it trickles its answers.
SEND_DEADLINE_SECONDS = 60

# What a shopper is waiting for right now (a password reset, a sign-in link) goes to its own queue,
# with its own worker, and ahead of the rest on a worker that takes every queue:
# `@task(queue_name=URGENT_QUEUE, priority=URGENT_PRIORITY)`.
URGENT_QUEUE = "urgent"
URGENT_PRIORITY = 50


class DeadlineError(Exception):
    """The server kept the job talking for longer than the deadline. Not an OSError, which smtplib
    would catch and report as a closed connection."""


def may_pass(error: BaseException) -> bool:
    """Whether trying again later may succeed: network trouble and temporary (4xx) SMTP refusals, not
    a permanent (5xx) refusal such as an address the server will never accept."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return isinstance(error, DeadlineError | smtplib.SMTPException | OSError)


def retry_later(task: Task[..., Any], *, attempt: int, **kwargs: Any) -> bool:
    """Enqueue `task` again after the back-off for `attempt`; False once every attempt is used."""
    if attempt > len(RETRY_DELAYS):
        return False
    task.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1]).enqueue(attempt=attempt + 1, **kwargs)
    return True


def attempt_to_send(
    task: Task[..., Any],
    send: Callable[[], None],
    *,
    what: str,
    attempt: int,
    language: str | None = None,
    **kwargs: Any,
) -> None:
    """One attempt of a job that talks to a server: `send()` within the deadline, in `language` when
    one is given (the page's the job was asked for on). When it fails for a reason that may pass, the
    next attempt is scheduled (`task` again with `kwargs` and the language); either way the error is
    raised, so this attempt is recorded as failed, with its traceback, for staff to see."""
    if language is not None:
        kwargs["language"] = language
    try:
        with deadline(), translation.override(language) if language is not None else nullcontext():
            send()
    except Exception as error:
        if may_pass(error) and retry_later(task, attempt=attempt, **kwargs):
            logger.warning("%s: attempt %d failed (%s); trying again later", what, attempt, error)
        raise


@contextmanager
def deadline(seconds: float | None = None) -> Iterator[None]:
    """Raise DeadlineError if the block runs longer than `seconds`. A socket timeout alone does not
    bound a server that answers one byte at a time. Only the main thread can set an alarm (the worker
    runs its jobs there); elsewhere the socket timeouts are the only bound."""
    seconds = seconds or SEND_DEADLINE_SECONDS
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise DeadlineError(f"gave up after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)  # alarm() takes whole seconds; the tests wait less
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
