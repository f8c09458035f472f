"""The shop's database for the bench: created fresh, migrated, seeded and prepared.

SQLite under bench/results by default; with a PostgreSQL DATABASE_URL, a `<name>_bench` database
on that server, so the developer's own database is never touched.
"""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from bench.common import PYTHON, RESULTS, ROOT, log, run


def postgres_bench_url(url: str) -> str:
    """The `<name>_bench` database beside the one a PostgreSQL URL names."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'storefront'}_bench"))


def bench_database_url() -> str:
    """A fresh, empty bench database (the SQLite file removed, the PostgreSQL database recreated)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        if url and not url.startswith("sqlite:"):
            sys.exit(f"The bench runs on SQLite or PostgreSQL, not {url.split(':', 1)[0]}.")
        path = RESULTS / "bench.sqlite3"
        for leftover in RESULTS.glob("bench.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    import psycopg
    from psycopg import sql

    bench_url = postgres_bench_url(url)
    name = urlsplit(bench_url).path.lstrip("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return bench_url


def prepare_database(env: dict[str, str], *, products: int, order_carts: int) -> dict:
    """migrate, seed_catalog, collectstatic, then bench/fixtures.py: the facts it prints."""
    manage = [PYTHON, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env)
    run([*manage, "seed_catalog", "--products", str(products), "--replace"], cwd=ROOT, env=env)
    run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env)
    facts = json.loads(
        run(
            [PYTHON, "-m", "bench.fixtures", "--order-carts", str(order_carts)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
        ).stdout
    )
    log(f"{facts['database']}; {len(facts['order_sessions'])} carts prepared for the order scenario")
    return facts
