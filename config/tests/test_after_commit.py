"""Nothing that runs after a commit turns a success into an error: the write has happened (an order
is placed), so an action queued with `transaction.on_commit` that fails is logged and the request
answers as it would have."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from cart.tests.factories import put_in_session
from orders.models import Order
from orders.tests.factories import cart_with, checkout_data
from storefront.tests.factories import make_product

ROOT = Path(__file__).resolve().parents[2]
APPS = ("storefront", "cart", "accounts", "orders", "config")


def on_commit_calls() -> list[tuple[str, int, bool]]:
    """(file, line, robust) of every `on_commit(...)` call in the shop's own code (tests aside)."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "attr", getattr(node.func, "id", "")) == "on_commit"
                ):
                    robust = any(
                        k.arg == "robust" and isinstance(k.value, ast.Constant) and k.value.value is True
                        for k in node.keywords
                    )
                    found.append((str(path.relative_to(ROOT)), node.lineno, robust))
    return found


def test_every_action_after_a_commit_is_robust():
    calls = on_commit_calls()
    assert len(calls) >= 3  # the catalog's version, the renditions job, the payment hook
    assert [call for call in calls if not call[2]] == []


@pytest.mark.django_db(transaction=True)  # as in production: the order commits inside the request
def test_an_order_is_placed_and_shown_when_the_catalogs_version_cannot_be_written(settings, tmp_path, caplog):
    # Writing the version fails with a real OSError, as on a full disk: its folder is a file.
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    settings.CATALOG_VERSION_FILE = blocked / "catalog-version"
    shopper = Client()
    # The last kettle: selling out is what asks for a new version (a sale that leaves stock does not).
    kettle = make_product(name="Kettle", price=Decimal("20.00"), stock_quantity=1)
    put_in_session(shopper, cart_with((kettle, 1)))

    response = shopper.post(reverse("orders:place_order"), checkout_data(email="guest@example.com"))

    assert response.status_code == 303
    order = Order.objects.get()
    page = shopper.get(response["Location"])
    assert page.status_code == 200
    assert order.reference in page.content.decode()
    assert any("on_commit" in record.getMessage() for record in caplog.records if record.levelname == "ERROR")
    # The catalog still answers, under no version until the file can be written.
    assert shopper.get(reverse("storefront:product_list")).status_code == 200
