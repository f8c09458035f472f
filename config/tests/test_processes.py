"""`make run` and `make serve` as a newcomer runs them: the web server and the queue's worker start
together, an order placed over HTTP gets its confirmation email from the worker, and Ctrl-C stops
every process they started."""

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from orders.tests.factories import ADDRESS

from .servers import ROOT, Browser, clean_environment, free_port

pytestmark = pytest.mark.servers

DEADLINE = 60  # seconds for the shop to come up, and for the email to be sent


def wait_until(condition, what: str, log: Path) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        Browser().get(url)
    except OSError:
        return False
    return True


def place_an_order(base: str) -> str:
    """A guest buys the first product of the catalog; returns the order's reference."""
    browser = Browser()
    catalog = browser.get(f"{base}/products/")
    product_url = re.search(r'href="(/products/[a-z0-9-]+/)"', catalog)[1]
    page = browser.get(base + product_url)
    add = re.search(r'action="(/cart/add/\d+/)"', page)[1]
    browser.post(base + add, {"quantity": "1", "next": product_url})
    form = browser.get(f"{base}/checkout/")
    hidden = dict(re.findall(r'<input type="hidden" name="(submission_key|reviewed_subtotal)" value="([^"]*)"', form))
    page = browser.post(f"{base}/checkout/", {**hidden, **ADDRESS, "email": "guest@example.com"})
    return re.search(r"Your order <strong>([0-9A-Z]{8})</strong> is placed", page)[1]


def descendants(root: int) -> dict[int, str]:
    """Every process started by `root`, however deep (honcho starts each in a session of its own)."""
    ps = shutil.which("ps") or "/bin/ps"
    table = subprocess.run([ps, "-eo", "pid=,ppid=,args="], capture_output=True, text=True, check=True).stdout
    children: dict[int, list[tuple[int, str]]] = {}
    for line in table.splitlines():
        pid, ppid, args = line.split(None, 2)
        children.setdefault(int(ppid), []).append((int(pid), args))
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        for child, command in children.get(todo.pop(), []):
            found[child] = command
            todo.append(child)
    return found


def still_running(pids: dict[int, str]) -> list[str]:
    running = []
    for pid, args in pids.items():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        running.append(f"{pid} {args}")
    return running


@pytest.mark.parametrize("target", ["run", "serve"])
def test_make_starts_the_worker_beside_the_web_server_and_ctrl_c_stops_both(tmp_path, target):
    port = free_port()
    env = {
        **clean_environment(),
        "PORT": str(port),
        "DEMO_PRODUCTS": "3",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    log = tmp_path / "make.log"
    with log.open("w") as output:
        make = subprocess.Popen(
            [shutil.which("make") or "make", "--no-print-directory", target],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )
    group = os.getpgid(make.pid)
    started: dict[int, str] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(f"{base}/products/"), "the shop answering", log)
        started = descendants(make.pid)
        assert any("queue_worker --queue-name *" in args for args in started.values()), started
        assert any("queue_worker --queue-name urgent" in args for args in started.values()), started
        assert any(("gunicorn" if target == "serve" else "runserver") in args for args in started.values())

        reference = place_an_order(base)

        # The console mailer prints the email in the worker's output (the request only queued it).
        wait_until(lambda: f"Subject: Storefront: your order {reference}" in log.read_text(), "the email", log)
        assert re.search(rf"worker\.1 +\| Subject: Storefront: your order {reference}", log.read_text())
    finally:
        started.update(descendants(make.pid))
        os.killpg(group, signal.SIGINT)  # Ctrl-C reaches the terminal's process group
        make.wait(timeout=30)
        deadline = time.monotonic() + 15  # gunicorn and the worker finish what they are doing first
        while still_running(started) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = still_running(started)
        for line in left:
            os.kill(int(line.split()[0]), signal.SIGKILL)
    assert left == [], f"still running after Ctrl-C: {left}"
