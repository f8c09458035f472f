"""The queue's workers run the production way (`manage.py queue_worker`, as the Procfile starts them):
a worker killed in the middle of a send leaves no job behind, and a worker that starts while SQLite
is locked says so and waits instead of failing its checks."""

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from orders.tests.test_jobs import Inbox, MuteServer

from .servers import ROOT, STARTUP_DEADLINE, Shop, free_port, stop

pytestmark = pytest.mark.servers

HEARTBEAT_SECONDS = 0.5  # a worker is taken for gone after three missed beats: 1.5 s here, 30 s in production

ORDER = """
import uuid
from orders.models import Order
from orders.tasks import order_confirmation_send
order = Order.objects.create(submission_key=uuid.uuid4(), email="guest@example.com", shipping_name="Guest", shipping_address="1 Road",
    shipping_city="Town", shipping_postcode="12345", shipping_country="DE", shipping_method="standard",
    payment_method="bank_transfer", subtotal="10.00", shipping_cost="0.00", total_amount="10.00")
order_confirmation_send.enqueue(order_id=order.pk, site_url="http://shop.example/")
print(order.reference)
"""


JOBS = "from django_tasks_db.models import DBTaskResult; print(sorted(DBTaskResult.objects.values_list('status', flat=True)))"


def jobs(shop: Shop) -> str:
    """The statuses of every job in the queue, as the shop's database holds them."""
    return shop.manage("shell", "-v0", "-c", JOBS).strip()


def start_worker(shop: Shop, name: str, smtp_port: int) -> tuple[subprocess.Popen, Path]:
    log = shop.folder / f"{name}.log"
    env = {**shop.env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "0"}
    env["QUEUE_HEARTBEAT_SECONDS"] = str(HEARTBEAT_SECONDS)
    command = [sys.executable, "manage.py", "queue_worker", "--queue-name", "*", "--no-reload", "--interval", "0.2"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output)
    shop.processes.append(process)
    return process, log


def wait_until(condition, what: str, *logs: Path) -> None:
    deadline = time.monotonic() + STARTUP_DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen:\n" + "\n".join(log.read_text()[-2000:] for log in logs))
        time.sleep(0.05)


def test_a_worker_killed_in_the_middle_of_a_send_leaves_its_job_to_another(sqlite_shop):
    shop = sqlite_shop
    silent_port = free_port()
    silent = MuteServer(silent_port)  # the first worker's mail server: it never answers
    inbox = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    inbox.start()
    try:
        reference = shop.manage("shell", "-v0", "-c", ORDER).strip()
        first, first_log = start_worker(shop, "first", silent_port)
        wait_until(lambda: silent.connections == 1, "the first worker talking to the mail server", first_log)
        # Another worker is already running (idle: the only job is Running in the first one's hands),
        # so it is its periodic beat that takes the job up, not a start.
        second, second_log = start_worker(shop, "second", inbox.port)
        time.sleep(4 * HEARTBEAT_SECONDS)
        assert inbox.handler.messages == []
        assert jobs(shop) == "['RUNNING']"

        first.send_signal(signal.SIGKILL)  # kill -9, an out-of-memory kill: no chance to clean up
        first.wait()

        wait_until(lambda: inbox.handler.messages, "the confirmation sent by the second worker", first_log, second_log)
        [(recipients, body)] = inbox.handler.messages
        assert recipients == ["guest@example.com"]
        assert reference in body
        wait_until(lambda: jobs(shop) == "['SUCCESSFUL']", "the job recorded as sent", second_log)
        stop(second)
    finally:
        silent.close()
        inbox.stop()


def test_a_worker_starting_while_sqlite_is_locked_says_so_and_starts_once_it_is_free(sqlite_shop):
    shop = sqlite_shop
    database = shop.folder / "shop.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process (a backup, a stuck script) holds the write lock
    holder.execute("DELETE FROM django_session")
    worker, log = start_worker(shop, "worker", free_port())
    try:
        wait_until(lambda: "The database does not answer (database is locked)" in log.read_text(), "the message", log)
        assert worker.poll() is None  # waiting, not failed
        holder.execute("ROLLBACK")
        wait_until(lambda: "Starting worker" in log.read_text(), "the worker's start", log)
        text = log.read_text()
        assert "The database answers again: the worker starts." in text
        assert "E180" not in text
        assert "SystemCheckError" not in text
    finally:
        holder.close()
        stop(worker)
