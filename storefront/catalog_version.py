"""The catalog's version: what the facets' cached counts and vocabulary are kept under
(storefront/facets.py). A write that changes what the facets count bumps it after its transaction
commits (`catalog_changed`), and every worker then counts afresh: a product saved in the admin, an
active flag, a variant's option values, and a variant selling out or coming back (decided by
storefront.services.product_stock_sync). A sale that leaves stock changes no count and bumps nothing,
so the counts stay cached through the day's sales.

The version is in Redis when there is one, else in a file beside the SQLite database
(settings.CATALOG_VERSION_FILE), so that every worker of the machine sees a write at once although
each caches counts in its own memory.
"""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog-facets:version"


def catalog_version() -> str:
    path = settings.CATALOG_VERSION_FILE
    if path is not None:
        try:
            try:
                return path.read_text() or "unversioned"
            except FileNotFoundError:
                _version_write(path)
                return path.read_text() or "unversioned"
        except OSError:  # a full disk: counts are cached under no version (they expire) until it is written
            logger.exception("The catalog's version could not be read or written at %s", path)
            return "unversioned"
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "unversioned"
    return str(version)


def _version_write(path: Path) -> None:
    """A new version in the file, whole or not at all (written aside, then renamed over it)."""
    aside = path.with_name(f"{path.name}.{uuid.uuid4().hex}")
    try:
        aside.write_text(uuid.uuid4().hex)
        aside.replace(path)
    except OSError:
        aside.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        raise


def _version_bump() -> None:
    path = settings.CATALOG_VERSION_FILE
    if path is not None:
        _version_write(path)
    else:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def catalog_changed() -> None:
    """Call inside every write that changes what the facets count (products, variants, their values,
    active flags, a variant's stock crossing zero): once it commits, counts and vocabulary are
    computed afresh, by every worker.

    Robust: the write that changed the catalog has committed (an order is placed), so a version that
    cannot be written (a full disk, Redis down) is logged and the counts are stale until they expire
    (storefront.facets.FACET_CACHE_SECONDS) rather than the shopper being told that their order failed."""
    transaction.on_commit(_version_bump, robust=True)
