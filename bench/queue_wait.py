"""How long a password reset waits behind a backlog of order confirmations and a slow mail server.

    .venv/bin/python bench/queue_wait.py                      # 2 000 confirmations, 1 s per email
    .venv/bin/python bench/queue_wait.py --backlog 500 --send-seconds 0.5

Makes a database of its own (a temporary SQLite file), queues BACKLOG confirmations, starts a mail
server on loopback that takes SEND_SECONDS to accept each email, and runs the workers as the
Procfile does (`queue_worker --queue-name '*'` and `queue_worker --queue-name urgent`). Once the
backlog is being sent, a reset is asked for; the script prints how long it took to reach the mail
server, and how many confirmations were sent meanwhile. With `--one-worker` only the first worker
runs (the reset then waits for the send in hand, thanks to its priority alone).
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import uuid
from django.contrib.auth.models import User
from orders.models import Order
from orders.tasks import order_confirmation_send
User.objects.create_user("ann", email="ann@example.com", password="a-long-bench-password-1")
order = Order.objects.create(submission_key=uuid.uuid4(), email="guest@example.com", shipping_name="Guest",
    shipping_address="1 Road", shipping_city="Town", shipping_postcode="12345", shipping_country="DE",
    shipping_method="standard", payment_method="bank_transfer", subtotal="10.00", shipping_cost="0.00",
    total_amount="10.00")
for _ in range({backlog}):
    order_confirmation_send.enqueue(order_id=order.pk, site_url="http://shop.example/")
"""
RESET = """
from accounts.tasks import password_reset_send
password_reset_send.enqueue(email="ann@example.com", domain="shop.example", use_https=True)
"""


class SlowInbox:
    """A mail server that takes `seconds` to accept each email, and notes when each arrived."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.arrived: list[tuple[float, str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        await asyncio.sleep(self.seconds)
        self.arrived.append((time.monotonic(), envelope.rcpt_tos[0]))
        return "250 Message accepted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--send-seconds", type=float, default=1.0)
    parser.add_argument("--warm-up", type=float, default=5.0, help="seconds of backlog sending before the reset")
    parser.add_argument("--one-worker", action="store_true")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="storefront-queue-"))
    inbox = SlowInbox(args.send_seconds)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'queue.sqlite3'}",
        "DJANGO_LOG_LEVEL": "ERROR",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
    }

    def manage(*command: str) -> None:
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603

    manage("migrate", "-v0")
    manage("shell", "-c", SETUP.format(backlog=args.backlog))
    queues = ["*"] if args.one_worker else ["*", "urgent"]
    workers = [
        subprocess.Popen(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", "queue_worker", "--queue-name", queue, "--no-reload", "-v0"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        for queue in queues
    ]
    try:
        time.sleep(args.warm_up)
        asked = time.monotonic()
        manage("shell", "-c", RESET)
        while not any(to == "ann@example.com" for _, to in inbox.arrived):
            if time.monotonic() - asked > 600:
                sys.exit("the reset did not arrive within 10 minutes")
            time.sleep(0.05)
        arrived = next(at for at, to in inbox.arrived if to == "ann@example.com")
        sent_before = sum(1 for at, to in inbox.arrived if to != "ann@example.com" and at < arrived)
        print(
            f"workers {' + '.join(queues)}: backlog {args.backlog} confirmations, {args.send_seconds} s per email; "
            f"the reset arrived {arrived - asked:.2f} s after it was asked for "
            f"({sent_before} confirmations sent before it, {args.backlog - sent_before} still queued)"
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        smtp.stop()


if __name__ == "__main__":
    main()
