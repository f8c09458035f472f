"""manage.py requeue_stalled_jobs: put back on the queue the jobs a worker left Running.

A worker stopped without waiting for the job in hand (killed, crashed, or cut off from the database
while it recorded the outcome) leaves that job Running for ever: django-tasks-db never picks it up
again, and a guest's confirmation, their only link back to the order, would never be sent. Every
worker start runs this first (Procfile, Procfile.dev). A job runs at most SEND_DEADLINE_SECONDS, so
one Running for longer than --older-than has no worker left.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

STALLED_AFTER_SECONDS = 300


class Command(BaseCommand):
    help = "Put jobs left Running by a worker that stopped back on the queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=STALLED_AFTER_SECONDS,
            help=f"seconds since the job started (default {STALLED_AFTER_SECONDS})",
        )

    def handle(self, *, older_than: int, **options: object) -> None:
        cutoff = timezone.now() - timedelta(seconds=older_than)
        stalled = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
        count = stalled.update(status=TaskResultStatus.READY)
        if count:
            self.stdout.write(f"Put {count} stalled job{'s' if count != 1 else ''} back on the queue.")
