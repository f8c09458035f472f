import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .servers import PostgresServer, RedisServer, Shop, collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """Collected once for every test that runs the shop the production way."""
    return collect_static(tmp_path_factory.mktemp("static"))


@pytest.fixture
def sqlite_shop(tmp_path, static_root) -> Iterator[Shop]:
    """The shop's production settings on a SQLite file in the test's folder; its processes are
    stopped however the test ends."""
    shop = Shop.create(tmp_path, static_root)
    yield shop
    shop.stop_all()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A private, memory-only redis-server on a free loopback port."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster on a free loopback port, in a folder its server user may enter."""
    folder = Path(tempfile.mkdtemp(prefix="storefront-pg."))
    try:
        server = PostgresServer(folder)
        server.create()
        yield server
        server.stop(if_running=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
