"""manage.py queue_worker: django-tasks-db's worker (`db_worker`, the same options) with a heartbeat.

While it runs, the worker writes its row every QUEUE_HEARTBEAT_SECONDS and puts back on the queue the
jobs of workers that went quiet (config/workers.py), so a job is never lost with its worker. It waits
for a database that is locked or down before it starts, and says so, instead of failing its system
checks with a misleading error (a locked SQLite file makes Django's JSONField check report
"SQLite does not support JSONFields").
"""

import os
import time
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from ...workers import Heartbeat

DATABASE_RETRY_SECONDS = 2


class Command(db_worker.Command):
    help = "Run the queue's worker; a job whose worker stopped is run again by another."
    # The checks read the database: they run once it answers (handle), not before.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.database_wait()
        self.check()
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # With --reload this process only watches the code; the one it starts runs the jobs.
            super().handle(*args, **options)
            return
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()

    def database_wait(self) -> None:
        """Return once the database answers, saying once that it is waited for."""
        said = False
        while True:
            try:
                # In a transaction: on SQLite that takes the write lock (IMMEDIATE), as the checks do.
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except OperationalError as error:
                connection.close()
                if not said:
                    self.stderr.write(
                        f"The database does not answer ({error}): it may be locked by another process or "
                        f"down. The worker starts once it answers (trying every {DATABASE_RETRY_SECONDS} s)."
                    )
                    said = True
                time.sleep(DATABASE_RETRY_SECONDS)
            else:
                if said:
                    self.stderr.write("The database answers again: the worker starts.")
                return
