"""The account emails are jobs on the urgent queue: asking for a reset does the same work whatever the
address, and a reset email that fails fails its job, which is tried again."""

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tasks import password_reset_send
from config.tests.helpers import jobs_by_status, statements, use_backend
from storefront.tests.factories import make_user

pytestmark = pytest.mark.django_db

RESET_URL = reverse("password_reset")
READY, FAILED, SUCCESSFUL = TaskResultStatus.READY, TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL


def test_password_reset_asks_the_same_of_the_shop_for_a_known_and_an_unknown_address(client, mailoutbox, run_jobs):
    make_user(username="ann", email="ann@example.com")
    answers, work = [], []
    for email in ("ann@example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(RESET_URL, {"email": email})
        answers.append((response.status_code, response["Location"], response.content))
        work.append(statements(queries))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (302, reverse("password_reset_done"))
    # The same statements, in the same order: the two limits and the job, no look at the accounts.
    assert work[0] == work[1]
    assert not any("auth_user" in sql for sql in work[0])
    assert [job.args_kwargs["kwargs"]["email"] for job in run_jobs()] == ["ann@example.com", "nobody@example.com"]
    assert [email.to for email in mailoutbox] == [["ann@example.com"]]


def test_a_reset_job_for_an_address_without_an_account_succeeds_and_sends_nothing(mailoutbox, run_jobs):
    password_reset_send.enqueue(email="nobody@example.com", domain="shop.example", use_https=True)
    assert [job.status for job in run_jobs()] == [SUCCESSFUL]
    assert mailoutbox == []


def test_a_failing_reset_email_fails_the_job_instead_of_vanishing(settings, run_jobs):
    make_user(username="ann", email="ann@example.com")
    use_backend(settings, ConnectionRefusedError("The mail server is down."))
    password_reset_send.enqueue(email="ann@example.com", domain="shop.example", use_https=True)
    run_jobs()
    assert jobs_by_status() == [("password_reset_send", FAILED, 1), ("password_reset_send", READY, 2)]
