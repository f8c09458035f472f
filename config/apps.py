from django.apps import AppConfig


class ShopConfig(AppConfig):
    """What the whole shop shares beside the settings and URLs: the queue's workers (workers.py, the
    queue_worker and requeue_stalled_jobs commands) and the deploy checks (checks.py). It imports no
    other app of the shop."""

    name = "config"
    verbose_name = "Shop"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the deploy checks)
