"""gunicorn with the bench settings on a free loopback port, started and stopped."""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.client import Client
from bench.common import HOST, PYTHON, RESULTS, ROOT


def bench_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        # Lighthouse loads the product images; the load scenarios never request them.
        "DJANGO_SERVE_MEDIA": "1",
        "DJANGO_MEDIA_ROOT": str(RESULTS / "media"),
        "BENCH_STATIC_ROOT": str(RESULTS / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        str(Path(PYTHON).with_name("gunicorn")),
        "bench.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--forwarded-allow-ips",
        HOST,
    ]
    logfile = (RESULTS / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start; see {RESULTS / 'gunicorn.log'}")
        try:
            if Client(port).get("/bench/baseline/").status == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
