"""Real servers for the tests that run the shop the production way (marked `servers`): gunicorn,
redis-server and PostgreSQL, each started on a free loopback port in the test's own folder and
stopped however the test ends, and a cookie-keeping HTTP client to drive them.

Without the server programs these tests skip, except under CI=true, where a skip would hide a
missing service (`make services` installs them)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_DEADLINE = 30  # seconds for a server to answer
USERNAME, PASSWORD = "ann", "a-long-test-password-9"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_program(path: str | None, what: str) -> str:
    """The program's path, or skip (fail under CI) when it is not installed."""
    if path and os.access(path, os.X_OK):
        return path
    reason = f"{what} is not installed (make services installs it)"
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}; CI must not skip this test")
    pytest.skip(reason)


def wait_for(ready: Callable[[], bool], *, what: str, process: subprocess.Popen | None, log: Path) -> None:
    """Poll until `ready()` or fail with the server's log; never waits longer than the deadline."""
    deadline = time.monotonic() + STARTUP_DEADLINE
    while not ready():
        exited = process is not None and process.poll() is not None
        if exited or time.monotonic() > deadline:
            if process is not None:
                process.kill()
            pytest.fail(f"{what} did not come up:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    process.send_signal(sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def clean_environment() -> dict[str, str]:
    """This process's environment without any of the shop's settings."""
    prefixes = ("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "WEB_CONCURRENCY", "EMAIL_", "PORT", "HOST")
    return {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}


# --- Redis ---------------------------------------------------------------------------------------


@dataclass
class RedisServer:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = require_program(shutil.which("redis-server"), "redis-server")
        log = self.folder / "redis.log"
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with log.open("a") as output:
            self.process = subprocess.Popen(
                command, cwd=self.folder, stdin=subprocess.DEVNULL, stdout=output, stderr=output
            )
        wait_for(self.answers, what="redis-server", process=self.process, log=log)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)


# --- PostgreSQL ----------------------------------------------------------------------------------


def postgres_bin() -> str:
    if os.environ.get("PG_BIN"):
        return os.environ["PG_BIN"]
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if found:
        return str(found[-1])
    initdb = shutil.which("initdb")
    return str(Path(initdb).parent) if initdb else ""


@dataclass
class PostgresServer:
    """A throwaway cluster, as .ci/with-postgres makes one: trusted loopback, superuser `storefront`."""

    folder: Path
    port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self.bin = Path(postgres_bin())
        require_program(str(self.bin / "postgres"), "PostgreSQL")
        self.data = self.folder / "pgdata"
        self.log = self.folder / "postgres.log"
        self.as_server_user: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            self.as_server_user = ["runuser", "-u", os.environ.get("PG_USER", "postgres"), "--"]
            shutil.chown(self.folder, user=os.environ.get("PG_USER", "postgres"))

    @property
    def url(self) -> str:
        return f"postgres://storefront@127.0.0.1:{self.port}/storefront"

    def run(self, *command: str, check: bool = True) -> None:
        subprocess.run(
            [*self.as_server_user, *command], check=check, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )

    def create(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "storefront", "--auth=trust", "--locale=C")
        self.start()
        self.run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "storefront", "storefront")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} -c fsync=off"
        self.run(str(self.bin / "pg_ctl"), "start", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options)

    def stop(self, *, if_running: bool = False) -> None:
        self.run(str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w", check=not if_running)

    def client_connections(self) -> int:
        """Connections open to the shop's database, other than this question's own."""
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = 'storefront' AND pid <> pg_backend_pid()"
        result = subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "storefront", "-Atc", query],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(result.stdout)

    def restart(self) -> None:
        self.stop()
        self.start()


# --- The shop --------------------------------------------------------------------------------------


SEED = f"""
from django.contrib.auth import get_user_model
from storefront.models import Category, Product, Variant
get_user_model().objects.create_user({USERNAME!r}, email="ann@example.com", password={PASSWORD!r})
kitchen = Category.objects.create(name="Kitchen", slug="kitchen")
kettle = Product.objects.create(category=kitchen, name="Kettle", slug="kettle", price="25.00", stock_quantity=30)
Variant.objects.create(product=kettle, sku="kettle", stock_quantity=30)
print(kettle.pk)
"""


@dataclass
class Shop:
    """The shop's settings for its processes (database, Redis) and a migrated database with one
    customer and one product in stock."""

    folder: Path
    env: dict[str, str]
    product_id: int = 0
    processes: list[subprocess.Popen] = field(default_factory=list)

    @classmethod
    def create(cls, folder: Path, static_root: Path, **settings: str) -> "Shop":
        """Production settings (`make serve`'s), with the static files collected in `static_root`."""
        env = {
            **clean_environment(),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "servers-test-" + "k" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_HTTPS": "0",
            "DJANGO_LOG_LEVEL": "CRITICAL",
            "DJANGO_STATIC_ROOT": str(static_root),
            "DJANGO_MEDIA_ROOT": str(folder / "media"),
            "DATABASE_URL": f"sqlite:///{folder / 'shop.sqlite3'}",
            **settings,
        }
        shop = cls(folder=folder, env=env)
        shop.manage("migrate", "--noinput", "-v0")
        shop.product_id = int(shop.manage("shell", "-v0", "-c", SEED).strip())
        return shop

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

    def start_web(self, name: str = "web", *, workers: int = 2) -> str:
        """gunicorn as `make serve` runs it; returns its base URL."""
        port = free_port()
        log = self.folder / f"{name}.log"
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
        with log.open("w") as output:
            process = subprocess.Popen(
                [*command, "--workers", str(workers)],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
            )
        self.processes.append(process)
        base_url = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            try:
                Browser().get(f"{base_url}/products/")
            except urllib.error.HTTPError:
                return True  # it answers, if not with 200 (the database may be down on purpose)
            except OSError:  # refused while booting (URLError and ConnectionError are OSErrors)
                return False
            return True

        wait_for(answers, what=f"gunicorn ({name})", process=process, log=log)
        return base_url

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                stop(process)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


class Browser:
    """urllib with a cookie jar: follows redirects, sends the cookies back, reads CSRF tokens, and
    returns error answers (4xx, 5xx) instead of raising them."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.page = ""

    def request(self, url: str, fields: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Answer:
        data = None
        if fields is not None:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.page)
            assert token, "the last page has no form with a CSRF token"
            data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token[1]}).encode()
        request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 (http on loopback)
        try:
            with self.opener.open(request, timeout=30) as response:
                answer = Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, dict(error.headers), error.read().decode())
        if "<form" in answer.text:
            self.page = answer.text
        return answer

    def get(self, url: str, **headers: str) -> str:
        answer = self.request(url, headers=headers)
        assert answer.status == 200, (url, answer.status, answer.text[:500])
        return answer.text

    def post(self, url: str, fields: dict[str, str], **headers: str) -> str:
        answer = self.request(url, fields, headers)
        assert answer.status == 200, (url, answer.status, answer.text[:500])
        return answer.text

    def cookie(self, name: str) -> str:
        return next(cookie.value or "" for cookie in self.cookies if cookie.name == name)


def collect_static(folder: Path) -> Path:
    """The static files as `make serve` collects them (hashed names and a manifest)."""
    env = {**clean_environment(), "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_STATIC_ROOT": str(folder)}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="servers-test-" + "k" * 50, DJANGO_ALLOWED_HOSTS="127.0.0.1")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return folder


def signed_in_as(page: str) -> str | None:
    match = re.search(r'<a class="nav-user"[^>]*>([^<]+)</a>', page)
    return match[1] if match else None


def cart_count(page: str) -> int:
    match = re.search(r'<span id="cart-count"[^>]*>(\d+)<', page)
    assert match, "the page has no cart badge"
    return int(match[1])
