"""A worker that stops in the middle of a job leaves it to another (config/workers.py): every live
worker puts back on the queue, at each beat, the jobs of a worker quiet for three beats. The jobs here
are order confirmations, the shop's most common; `test_queue_workers.py` kills real workers."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config.models import QueueWorker
from config.workers import Heartbeat, queue_worker_alive, stalled_jobs_requeue
from orders.tasks import order_confirmation_send
from orders.tests.factories import make_order

pytestmark = pytest.mark.django_db

READY, SUCCESSFUL = TaskResultStatus.READY, TaskResultStatus.SUCCESSFUL


def claimed_by(worker_id: str, job_id) -> None:
    """The job Running in `worker_id`'s hands, as a worker that claimed it leaves it."""
    DBTaskResult.objects.get(pk=job_id).claim(worker_id)


def test_a_job_whose_worker_went_quiet_goes_back_on_the_queue_at_another_workers_beat(run_jobs, settings):
    settings.QUEUE_HEARTBEAT_SECONDS = 10
    order = make_order()
    killed = DBTaskResult.objects.get()
    queue_worker_alive(worker_id="killed", now=timezone.now() - timedelta(seconds=31))
    claimed_by("killed", killed.pk)
    busy = order_confirmation_send.enqueue(order_id=order.pk, site_url="https://shop.example/")
    queue_worker_alive(worker_id="busy", now=timezone.now() - timedelta(seconds=29))
    claimed_by("busy", busy.id)

    Heartbeat("alive").beat()  # what every live worker does every QUEUE_HEARTBEAT_SECONDS

    assert DBTaskResult.objects.get(pk=killed.pk).status == READY  # quiet for more than three beats
    assert DBTaskResult.objects.get(pk=busy.id).status == TaskResultStatus.RUNNING  # seen within three
    assert set(QueueWorker.objects.values_list("worker_id", flat=True)) == {"killed", "busy", "alive"}
    run_jobs()
    assert DBTaskResult.objects.get(pk=killed.pk).status == SUCCESSFUL
    assert len(mail.outbox) == 1


def test_a_job_of_a_worker_that_signed_off_or_never_beat_goes_back_on_the_queue(run_jobs):
    make_order()
    job = DBTaskResult.objects.get()
    heartbeat = Heartbeat("stopping")
    heartbeat.start()
    claimed_by("stopping", job.pk)
    heartbeat.stop()  # a worker forced to stop in the middle of a job signs off without finishing it

    assert not QueueWorker.objects.filter(worker_id="stopping").exists()
    assert stalled_jobs_requeue() == 1
    assert DBTaskResult.objects.get(pk=job.pk).status == READY


def test_a_job_that_finishes_meanwhile_keeps_its_outcome(run_jobs):
    make_order()
    run_jobs()
    DBTaskResult.objects.update(worker_ids=["gone"])
    assert stalled_jobs_requeue() == 0
    assert DBTaskResult.objects.get().status == SUCCESSFUL


def test_workers_gone_for_a_day_are_forgotten():
    queue_worker_alive(worker_id="old", now=timezone.now() - timedelta(days=2))
    queue_worker_alive(worker_id="recent")
    stalled_jobs_requeue()
    assert list(QueueWorker.objects.values_list("worker_id", flat=True)) == ["recent"]


def test_requeue_stalled_jobs_does_at_once_what_every_beat_does(run_jobs):
    make_order()
    job = DBTaskResult.objects.get()
    claimed_by("a-worker-that-was-killed", job.pk)  # it never beat: no worker of that name is alive

    out = StringIO()
    call_command("requeue_stalled_jobs", stdout=out)

    assert out.getvalue().strip() == "Put 1 stalled job back on the queue."
    run_jobs()
    assert DBTaskResult.objects.get(pk=job.pk).status == SUCCESSFUL
    assert len(mail.outbox) == 1
