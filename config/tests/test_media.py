"""Uploaded files (/media/) are served under their own policy: nothing in them runs, whoever serves them."""

from pathlib import Path

import pytest
from django.conf import settings

POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@pytest.fixture
def served_svg(client, settings):
    """An SVG with a script, in the media folder (as pictures uploaded before SVGs were drawn are)."""
    settings.SERVE_MEDIA = True
    folder = Path(settings.MEDIA_ROOT) / "products"
    folder.mkdir(parents=True)
    (folder / "old.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    return client.get("/media/products/old.svg")


def test_media_files_are_served_with_their_own_strict_policy(served_svg):
    assert served_svg.status_code == 200
    assert served_svg["Content-Type"] == "image/svg+xml"
    assert served_svg["Content-Security-Policy"] == POLICY
    assert served_svg["X-Content-Type-Options"] == "nosniff"


def test_the_proxy_configuration_in_the_deploy_docs_sends_the_same_policy(served_svg):
    deploy = (Path(settings.BASE_DIR) / "docs" / "deploy.md").read_text()
    assert deploy.count(served_svg["Content-Security-Policy"]) == 2  # nginx and Caddy
    assert deploy.count("X-Content-Type-Options") == 2
