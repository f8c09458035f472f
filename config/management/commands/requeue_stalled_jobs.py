"""manage.py requeue_stalled_jobs: put back on the queue, now, the jobs left Running by workers that
stopped (no heartbeat for three beats, config/workers.py).

Every running `queue_worker` does this on each beat by itself; the command is for a shop whose
workers are all stopped, or for staff who want it done at once.
"""

from django.core.management.base import BaseCommand

from ...workers import stalled_jobs_requeue


class Command(BaseCommand):
    help = "Put jobs left Running by a worker that stopped back on the queue."

    def handle(self, **options: object) -> None:
        count = stalled_jobs_requeue()
        if count:
            self.stdout.write(f"Put {count} stalled job{'s' if count != 1 else ''} back on the queue.")
