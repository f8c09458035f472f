from django.db import models


class QueueWorker(models.Model):
    """A running worker of the queue (`manage.py queue_worker`) and when it last said it was alive.

    Every worker writes its row every few seconds; a job Running under a worker whose row has gone
    stale (killed, out of memory, its machine gone) is put back on the queue by any worker still alive
    (workers.py). The job may then run twice, never not at all."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} (seen {self.seen_at:%Y-%m-%d %H:%M:%S})"
