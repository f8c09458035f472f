"""Error pages render whatever middleware managed to run before the request was refused."""

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from cart.models import CartLine
from cart.tests.factories import make_user
from storefront.models import validate_image_size
from storefront.tests.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    """A client that returns the shop's answer instead of raising the exception behind a 500."""
    return Client(raise_request_exception=False)


def test_an_unknown_host_is_a_400_page(visitor):
    response = visitor.get("/products/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "We couldn’t understand that request" in response.content.decode()


def test_an_unknown_forwarded_host_behind_the_proxy_setting_is_a_400_page(visitor, settings):
    settings.USE_X_FORWARDED_HOST = True
    response = visitor.get("/cart/", HTTP_X_FORWARDED_HOST="attacker.example")
    assert response.status_code == 400
    assert '<span id="cart-count" class="badge" data-cart-region>0<' in response.content.decode()  # the header, empty


# --- The database is unavailable -----------------------------------------------------------------


def refuse(sql_start: tuple[str, ...], message: str):
    """A database that fails the statements starting with `sql_start`, the way a full disk, a lock
    held past the timeout or a server that is gone fail them."""

    def execute(run, sql, params, many, context):
        if sql.lstrip().upper().startswith(sql_start):
            raise OperationalError(message)
        return run(sql, params, many, context)

    return connection.execute_wrapper(execute)


ALL = ("SELECT", "INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN")
WRITES = ("INSERT", "UPDATE", "DELETE")


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "<html" in html
    assert "Nothing was lost" in html


@pytest.mark.django_db(transaction=True)  # as in production: each statement in its own transaction
def test_a_full_disk_answers_503_with_retry_after_and_says_nothing_was_lost(visitor):
    product = make_product()
    with refuse(WRITES, "database or disk is full"):
        response = visitor.post(reverse("cart:cart_add", args=[product.pk]), {"quantity": "1"})
    assert_unavailable_page(response)
    assert not CartLine.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_htmx_request_gets_a_message_the_page_shows_in_place(visitor):
    product = make_product()
    with refuse(WRITES, "database or disk is full"):
        response = visitor.post(
            reverse("cart:cart_add", args=[product.pk]), {"quantity": "1"}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["HX-Retarget"] == "#service-status"
    assert response["HX-Reswap"] == "outerHTML"
    html = response.content.decode().strip()
    assert "<html" not in html
    assert html.startswith('<div id="service-status"')
    assert 'role="alert"' in html
    assert "Nothing was lost" in html
    # Every page carries the empty place the message lands in.
    page = visitor.get(reverse("storefront:product_list")).content.decode()
    assert '<div id="service-status" class="wrap service-status"></div>' in page


def test_a_database_that_cannot_be_reached_answers_503_not_500(visitor):
    make_product()
    with refuse(ALL, "connection to server at 127.0.0.1, port 5432 failed: Connection refused"):
        response = visitor.get(reverse("storefront:product_list"))
    assert_unavailable_page(response)


def test_a_session_that_cannot_be_saved_because_of_a_lock_is_503_not_a_malformed_request(visitor):
    """The view worked, then saving the session hit a lock held past the timeout: Django calls that
    a 400 ("the session was deleted"); it is the database's fault, and the shopper may retry."""
    product = make_product()
    visitor.post(reverse("cart:cart_add", args=[product.pk]), {"quantity": "1"})  # a session in the database

    def lock_the_session(run, sql, params, many, context):
        if sql.startswith('UPDATE "django_session"'):
            raise OperationalError("database is locked")
        return run(sql, params, many, context)

    with connection.execute_wrapper(lock_the_session):
        response = visitor.post(reverse("cart:cart_add", args=[product.pk]), {"quantity": "1"})
    assert_unavailable_page(response)


def test_a_session_deleted_meanwhile_is_still_a_400(visitor):
    """Not every refused session save is an outage: one deleted by a sign-out elsewhere stays a 400."""
    product = make_product()
    visitor.post(reverse("cart:cart_add", args=[product.pk]), {"quantity": "1"})

    def delete_it_first(run, sql, params, many, context):
        if sql.startswith('UPDATE "django_session"'):
            Session.objects.all().delete()
        return run(sql, params, many, context)

    with connection.execute_wrapper(delete_it_first):
        response = visitor.post(reverse("cart:cart_add", args=[product.pk]), {"quantity": "1"})
    assert response.status_code == 400


def test_a_bug_is_still_a_500(visitor, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr("storefront.views.render_page_or_fragment", broken)
    response = visitor.get(reverse("storefront:product_list"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


# --- Sizes and private pages ---------------------------------------------------------------------


def test_a_body_larger_than_any_form_is_refused_before_it_is_read(visitor):
    response = visitor.post(reverse("cart:cart_add", args=[1]), data="x" * 1_000_001, content_type="text/plain")
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()


def test_an_upload_larger_than_the_limit_is_refused_before_it_is_read(visitor):
    response = visitor.generic(
        "POST",
        reverse("admin:storefront_product_add"),
        data=b"",
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH="10000001",
    )
    assert response.status_code == 413
    assert "at most 10 MB" in response.content.decode()


def test_only_the_admin_takes_uploads_larger_than_a_form(visitor):
    response = visitor.generic(
        "POST",
        reverse("cart:cart_add", args=[1]),
        data=b"",
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH="1000001",
    )
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()


def test_a_missing_table_is_a_bug_not_an_outage(visitor):
    with refuse(("SELECT",), "no such table: storefront_product"):
        response = visitor.get(reverse("storefront:product_list"))
    assert response.status_code == 500


def test_a_product_picture_is_at_most_five_megabytes():
    picture = SimpleUploadedFile("big.png", b"x" * 5_000_001)
    with pytest.raises(ValidationError, match="at most 5 MB"):
        validate_image_size(picture)
    validate_image_size(SimpleUploadedFile("small.png", b"x" * 5_000_000))


@pytest.mark.parametrize(
    "url", ["/orders/", "/products/", "/cart/", "/accounts/password_change/", "/accounts/password_change/done/"]
)
def test_pages_for_a_signed_in_shopper_are_private_and_never_stored(client, url):
    client.force_login(make_user())
    response = client.get(url)
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control


def test_a_guest_catalog_page_is_not_marked_private(client):
    assert "private" not in client.get("/products/").get("Cache-Control", "")
