"""Test helpers that the apps' tests share (each app's own live in its tests/factories.py): the headers
of an htmx request, the jobs in the queue, a mail server that refuses, and the SQL a request ran
without its values."""

import re

from django.core.mail.backends.base import BaseEmailBackend
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

HTMX = {"HX-Request": "true"}  # what htmx sends with every request it makes; a test adds the rest


def jobs_by_status() -> list[tuple[str, str, int]]:
    """(task name, status, attempt) of every job, oldest first."""
    return [
        (job.task_path.rsplit(".", 1)[1], job.status, job.args_kwargs["kwargs"].get("attempt", 1))
        for job in DBTaskResult.objects.order_by("enqueued_at", "id")
    ]


class RefusingBackend(BaseEmailBackend):
    error: Exception = ConnectionRefusedError("The mail server is down.")

    def send_messages(self, email_messages):
        raise self.error


def use_backend(settings, error: Exception) -> None:
    """Every email fails with `error`, as a mail server that is down or refuses would make it fail."""
    RefusingBackend.error = error
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The SQL that was run, without its values (addresses, hashes, times)."""
    values = r"'[^']*'|\"s\d+_x\d+\"|\b\d+(\.\d+)?\b"  # strings, savepoint names, numbers
    return [re.sub(values, "?", query["sql"]) for query in queries.captured_queries]
