"""Fixtures that the orders app's tests share."""

import pytest

from .factories import make_staff


@pytest.fixture
def staff(client):
    """A member of staff (make_staff()), signed in on the test's `client`."""
    user = make_staff()
    client.force_login(user)
    return user
