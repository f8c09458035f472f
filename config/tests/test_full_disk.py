"""A full disk, for real: the shop runs the production way (gunicorn, SQLite, no Redis) with the
catalog's version on a file system that has no room left. Orders are placed and shown; the version
that cannot be written after a sale that sells out is logged, never shown to the shopper as an error."""

import os
import shutil
import subprocess

import pytest

from .servers import Browser, Shop
from .test_processes import place_an_order

pytestmark = pytest.mark.servers

# Staff count four kettles: four sales leave stock three times, and the fourth sells the last one out.
FOUR_LEFT = """
from storefront.services import stock_set
stock_set(product_id={product_id}, seen=30, quantity=4, by=None)
"""


@pytest.fixture
def full_disk(tmp_path):
    """A 64 KB file system (tmpfs), filled up. Mounting needs root, as CI and `make servers` run."""
    if os.geteuid() != 0:
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail("mounting a small file system needs root; CI must not skip this test")
        pytest.skip("mounting a small file system needs root")
    mount, umount = shutil.which("mount") or "/bin/mount", shutil.which("umount") or "/bin/umount"
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run([mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run([umount, "-l", str(disk)], check=False)


def fill(disk) -> None:
    with (disk / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        except OSError:
            pass


def test_orders_placed_while_the_catalogs_version_cannot_be_written_are_shown(tmp_path, static_root, full_disk):
    version = full_disk / "catalog-version"
    shop = Shop.create(tmp_path, static_root, CATALOG_VERSION_FILE=str(version), DJANGO_LOG_LEVEL="ERROR")
    shop.manage("shell", "-v0", "-c", FOUR_LEFT.format(product_id=shop.product_id))
    try:
        base = shop.start_web(workers=2)
        Browser().get(f"{base}/products/")
        written = version.read_text()
        fill(full_disk)

        # The fourth sale sells the last kettle out, which asks for a new version (the others leave stock).
        references = [place_an_order(base) for _ in range(4)]

        assert len(set(references)) == 4
        assert version.read_text() == written  # none could be written
        assert sorted(path.name for path in full_disk.iterdir()) == ["catalog-version", "filler"]
        assert "Error calling _version_bump in on_commit()" in (tmp_path / "web.log").read_text()  # logged
        assert Browser().request(f"{base}/products/").status == 200
    finally:
        shop.stop_all()
