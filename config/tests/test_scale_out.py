"""The scale-out path, for real: gunicorn with REDIS_URL keeps sessions in Redis, not in itself.

A real redis-server and a real gunicorn, driven over HTTP by a client with a cookie jar: a shopper
signs in and fills the cart, the web server is stopped and another one started, and the same
cookie still opens the same signed-in session with the same cart.
"""

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
USERNAME, PASSWORD = "ann", "a-long-test-password-9"
STARTUP_DEADLINE = 30  # seconds for a server to answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(ready: Callable[[], bool], *, what: str, process: subprocess.Popen, log: Path) -> None:
    """Poll until `ready()` or fail with the server's log; never waits longer than the deadline."""
    deadline = time.monotonic() + STARTUP_DEADLINE
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{what} did not come up (exit code {process.poll()}):\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[tuple[str, redis.Redis]]:
    """A private, memory-only redis-server on a free loopback port: its URL and a client."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (apt-get install redis-server, or make services)"
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; CI must not skip the Redis test")
        pytest.skip(reason)
    port = free_port()
    log = tmp_path / "redis.log"
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=output, stderr=output)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=5)

    def answers() -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    try:
        wait_for(answers, what="redis-server", process=process, log=log)
        yield url, client
    finally:
        client.close()
        stop(process)


@dataclass
class Shop:
    """What the web processes share: the environment (database and Redis) and a seeded catalog."""

    env: dict[str, str]
    database: Path
    product_id: int
    tmp_path: Path

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start_web(self, name: str) -> tuple[subprocess.Popen, str]:
        port = free_port()
        log = self.tmp_path / f"{name}.log"
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        with log.open("w") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=output, stderr=output
            )
        base_url = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            try:
                Browser().get(f"{base_url}/products/")
            except OSError:  # refused while booting (URLError and ConnectionError are OSErrors)
                return False
            return True

        wait_for(answers, what=f"gunicorn ({name})", process=process, log=log)
        return process, base_url


SEED = f"""
from django.contrib.auth import get_user_model
from storefront.models import Category, Product
get_user_model().objects.create_user({USERNAME!r}, password={PASSWORD!r})
kitchen = Category.objects.create(name="Kitchen", slug="kitchen")
print(Product.objects.create(category=kitchen, name="Kettle", slug="kettle", price="25.00", stock_quantity=3).pk)
"""


@pytest.fixture
def shop(tmp_path, redis_server) -> Shop:
    """A migrated SQLite file with one customer and one product in stock, and REDIS_URL set."""
    url, _ = redis_server
    database = tmp_path / "shop.sqlite3"
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "WEB_CONCURRENCY"))
    }
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": url,
    }
    shop = Shop(env=env, database=database, product_id=0, tmp_path=tmp_path)
    shop.manage("migrate", "--noinput", "-v0")
    shop.product_id = int(shop.manage("shell", "-v0", "-c", SEED).strip())
    return shop


class Browser:
    """urllib with a cookie jar: follows redirects, sends the cookies back, reads CSRF tokens."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.page = ""

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=10) as response:
            self.page = response.read().decode()
        return self.page

    def post(self, url: str, fields: dict[str, str]) -> str:
        """Submit a form, with the CSRF token from the page seen last."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.page)
        assert token, "the last page has no form with a CSRF token"
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token[1]}).encode()
        with self.opener.open(url, data=body, timeout=10) as response:
            self.page = response.read().decode()
        return self.page

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name)


def signed_in_as(page: str) -> str | None:
    match = re.search(r'<a class="nav-user"[^>]*>([^<]+)</a>', page)
    return match[1] if match else None


def cart_count(page: str) -> int:
    match = re.search(r'<span id="cart-count"[^>]*>(\d+)<', page)
    assert match, "the page has no cart badge"
    return int(match[1])


def test_a_session_outlives_the_web_process_because_it_lives_in_redis(shop, redis_server):
    _, client = redis_server
    first, first_url = shop.start_web("first")
    browser = Browser()
    try:
        browser.get(f"{first_url}/accounts/login/")
        page = browser.post(f"{first_url}/accounts/login/", {"username": USERNAME, "password": PASSWORD, "next": ""})
        assert signed_in_as(page) == USERNAME
        page = browser.post(f"{first_url}/cart/add/{shop.product_id}/", {"quantity": "1"})
        assert cart_count(page) == 1
    finally:
        stop(first)
    # Nothing is left of the first server: from here on, every answer comes from another process.
    with pytest.raises(urllib.error.URLError, match="Connection refused"):
        Browser().get(f"{first_url}/products/")

    second, second_url = shop.start_web("second")
    try:
        page = browser.get(f"{second_url}/cart/")
        assert signed_in_as(page) == USERNAME
        assert cart_count(page) == 1
        assert "Kettle" in page

        # The session is a Redis key, and the database's session table was never used ...
        session_key = f"storefront:1:django.contrib.sessions.cache{browser.cookie('sessionid')}"
        assert client.exists(session_key)
        with sqlite3.connect(shop.database) as database:
            assert database.execute("SELECT count(*) FROM django_session").fetchone() == (0,)
        database.close()

        # ... so without Redis's copy the same cookie opens nothing.
        client.flushdb()
        page = browser.get(f"{second_url}/cart/")
        assert signed_in_as(page) is None
        assert cart_count(page) == 0
    finally:
        stop(second)
