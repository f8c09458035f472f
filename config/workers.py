"""The queue's workers say every few seconds that they are alive; a job whose worker went quiet goes
back on the queue.

django-tasks-db marks a job Running when a worker claims it and never looks at it again, so a worker
that dies in the middle of a job (`kill -9`, an out-of-memory kill, a deploy that stops it during a slow
send) would leave that job Running for good: a guest's confirmation, their only link back to the
order, would never go out. Every worker (`manage.py queue_worker`) therefore writes its row in
QueueWorker every QUEUE_HEARTBEAT_SECONDS from a thread of its own, and on each beat puts back on the
queue every Running job whose worker has not been seen for three beats. A job is then taken up again
about half a minute after its worker died, by whichever worker is alive, whatever it is doing; it may
run twice (the first worker may have sent the email just before it died), never not at all.
"""

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import QueueWorker

logger = logging.getLogger(__name__)

# Rows of workers gone this long are deleted (their jobs went back on the queue long before).
FORGET_AFTER = timedelta(days=1)


def stale_after() -> timedelta:
    """How long a worker may stay quiet before its jobs are taken from it: three missed beats."""
    return timedelta(seconds=3 * settings.QUEUE_HEARTBEAT_SECONDS)


def queue_worker_alive(*, worker_id: str, now: datetime | None = None) -> None:
    QueueWorker.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now or timezone.now()})


def queue_worker_gone(*, worker_id: str) -> None:
    """A worker that stops says so: a job it leaves Running is taken up at the next beat of another."""
    QueueWorker.objects.filter(worker_id=worker_id).delete()


def stalled_jobs_requeue(*, now: datetime | None = None) -> int:
    """Put every Running job whose worker is no longer seen back on the queue; return how many.

    A job's last entry in `worker_ids` is the worker that claimed it last. The update is conditional
    on the job still being Running, so a job that finishes meanwhile keeps its outcome."""
    now = now or timezone.now()
    alive = set(QueueWorker.objects.filter(seen_at__gte=now - stale_after()).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("pk", "worker_ids")
    stalled = [pk for pk, worker_ids in running if not worker_ids or worker_ids[-1] not in alive]
    count = 0
    if stalled:
        count = DBTaskResult.objects.filter(pk__in=stalled, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
    QueueWorker.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    return count


class Heartbeat:
    """A worker's heartbeat: its row written now, then again every QUEUE_HEARTBEAT_SECONDS from a
    daemon thread (with its own database connection), each time with a look for stalled jobs."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{worker_id}", daemon=True)
        self._failing = False

    def start(self) -> None:
        """The first beat runs in the caller: a worker whose database does not answer does not start."""
        self.beat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=settings.QUEUE_HEARTBEAT_SECONDS)
        try:
            queue_worker_gone(worker_id=self.worker_id)
        except DatabaseError:
            logger.warning("Queue worker %s could not sign off; its row goes stale instead", self.worker_id)

    def beat(self) -> None:
        queue_worker_alive(worker_id=self.worker_id)
        if count := stalled_jobs_requeue():
            logger.warning("Put %d job(s) of workers that stopped back on the queue", count)

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.QUEUE_HEARTBEAT_SECONDS):
                close_old_connections()  # a connection the database dropped (a restart) is opened anew
                try:
                    self.beat()
                except DatabaseError as error:
                    # Logged once per outage, not per beat; the next beat tries again.
                    if not self._failing:
                        logger.warning("Queue worker %s: heartbeat failed (%s); trying again", self.worker_id, error)
                    self._failing = True
                else:
                    self._failing = False
        finally:
            connection.close()
