"""Staff edit products while shoppers buy them: a sale made while an admin page is open is never undone.

The product admin is the catalog's (storefront/admin.py); these tests live with orders because the
sales are real orders."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from orders.models import Order
from orders.services import order_change_status
from storefront.models import Product, StockMovement
from storefront.tests.factories import make_product

from .factories import make_order

pytestmark = pytest.mark.django_db

Kind = StockMovement.Kind
CHANGELIST_URL = reverse("admin:storefront_product_changelist")


class FormFields(HTMLParser):
    """What a browser would submit from the page's main form: every named input, select and textarea."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in {"submit", "button", "file"}:
            if attributes.get("type") in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.fields[name] = attributes.get("value", "on")
            else:
                self.fields[name] = attributes.get("value", "")
        elif tag == "select" and name:
            self._select = name
            if "multiple" not in attributes:  # a multiple choice with nothing chosen sends nothing
                self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(response) -> dict[str, str]:
    assert response.status_code == 200
    parser = FormFields()
    parser.feed(response.content.decode())
    return parser.fields


def change_url(product: Product) -> str:
    return reverse("admin:storefront_product_change", args=[product.pk])


def stock_of(product: Product) -> int:
    product.refresh_from_db()
    return product.stock_quantity


def sell(product: Product, quantity: int) -> Order:
    """A shopper's order, placed while the staff member's page is open."""
    return make_order(lines=[(product, quantity)])


# --- The change form -----------------------------------------------------------------------------


def test_saving_the_form_after_a_sale_keeps_the_sale_when_staff_changed_only_the_price(client, staff):
    product = make_product(price=Decimal("10.00"), stock_quantity=10)
    form = form_of(client.get(change_url(product)))
    assert form["initial-stock_quantity"] == "10"  # the stock staff saw travels with the form
    sell(product, 3)

    response = client.post(change_url(product), {**form, "price": "12.00"})

    assert response.status_code == 302, response.content.decode()
    product.refresh_from_db()
    assert product.price == Decimal("12.00")
    assert product.stock_quantity == 7
    assert list(product.stock_movements.values_list("kind", "change", "stock_after")) == [(Kind.SALE, -3, 7)]


def test_saving_the_form_writes_only_what_this_page_changed(client, staff):
    product = make_product(name="Kettle", price=Decimal("10.00"))
    form = form_of(client.get(change_url(product)))
    Product.objects.filter(pk=product.pk).update(price=Decimal("11.50"))  # a colleague's new price

    response = client.post(change_url(product), {**form, "name": "Steel kettle"})

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.price) == ("Steel kettle", Decimal("11.50"))


def test_staff_changing_the_stock_records_an_adjustment_with_who_and_why(client, staff):
    product = make_product(stock_quantity=10)
    form = form_of(client.get(change_url(product)))

    response = client.post(
        change_url(product), {**form, "stock_quantity": "4", "stock_kind": "adjustment", "stock_note": "stocktake"}
    )

    assert response.status_code == 302
    assert stock_of(product) == 4
    movement = product.stock_movements.get()
    assert (movement.kind, movement.change, movement.stock_after) == (Kind.ADJUSTMENT, -6, 4)
    assert (movement.by, movement.note) == (staff, "stocktake")


def test_a_customer_return_booked_by_staff_is_recorded_as_a_return(client, staff):
    product = make_product(stock_quantity=2)
    form = form_of(client.get(change_url(product)))
    client.post(change_url(product), {**form, "stock_quantity": "3", "stock_kind": "return", "stock_note": "#A1B2"})
    assert product.stock_movements.get().kind == Kind.RETURN
    assert stock_of(product) == 3


def test_a_stock_change_over_a_sale_is_refused_with_the_current_stock_and_then_accepted(client, staff):
    product = make_product(name="Kettle", stock_quantity=10)
    form = form_of(client.get(change_url(product)))
    sell(product, 3)

    response = client.post(change_url(product), {**form, "stock_quantity": "15"})

    assert response.status_code == 200  # the form again, with the reason
    html = response.content.decode()
    assert "The stock of Kettle changed from 10 to 7 since this page was loaded" in html
    assert "the current stock is 7" in html
    assert stock_of(product) == 7
    # The form now carries the stock that is really there: sending it again means "yes, 15".
    again = form_of(response)
    assert again["initial-stock_quantity"] == "7"
    assert again["stock_quantity"] == "15"
    assert client.post(change_url(product), again).status_code == 302
    assert stock_of(product) == 15
    assert list(product.stock_movements.order_by("id").values_list("kind", "change", "stock_after")) == [
        (Kind.SALE, -3, 7),
        (Kind.ADJUSTMENT, 8, 15),
    ]


def test_a_form_without_the_stock_it_was_shown_never_sets_the_stock(client, staff):
    product = make_product(stock_quantity=10)
    form = form_of(client.get(change_url(product)))
    del form["initial-stock_quantity"]
    response = client.post(change_url(product), {**form, "stock_quantity": "50"})
    assert response.status_code == 200
    assert stock_of(product) == 10


def test_adding_a_product_records_its_opening_stock(client, staff):
    category = make_product().category
    form = form_of(client.get(reverse("admin:storefront_product_add")))
    data = {**form, "category": category.pk, "name": "Teapot", "slug": "teapot", "price": "8.00"}
    data["stock_quantity"] = "12"
    response = client.post(reverse("admin:storefront_product_add"), data)
    assert response.status_code == 302, response.content.decode()
    teapot = Product.objects.get(slug="teapot")
    assert list(teapot.stock_movements.values_list("kind", "change", "stock_after", "by")) == [
        (Kind.ADJUSTMENT, 12, 12, staff.pk)
    ]


# --- The list's editable column ------------------------------------------------------------------


def test_saving_the_list_after_sales_undoes_none_of_them(client, staff):
    kettle = make_product(name="Kettle", price=Decimal("10.00"), stock_quantity=10)
    teapot = make_product(name="Teapot", price=Decimal("8.00"), stock_quantity=5)
    form = form_of(client.get(CHANGELIST_URL))
    sell(kettle, 3)
    sell(teapot, 1)
    row = {value: name.split("-")[1] for name, value in form.items() if name.endswith("-id")}

    # Staff change only the kettle's price and press Save for the whole page.
    data = {**form, f"form-{row[str(kettle.pk)]}-price": "11.00", "_save": "Save"}
    response = client.post(CHANGELIST_URL, data)

    assert response.status_code == 302, response.content.decode()
    kettle.refresh_from_db()
    assert (kettle.price, kettle.stock_quantity) == (Decimal("11.00"), 7)
    assert stock_of(teapot) == 4


def test_the_list_sets_a_stock_staff_changed_and_refuses_one_that_moved_meanwhile(client, staff):
    kettle = make_product(name="Kettle", stock_quantity=10)
    teapot = make_product(name="Teapot", stock_quantity=5)
    form = form_of(client.get(CHANGELIST_URL))
    row = {value: name.split("-")[1] for name, value in form.items() if name.endswith("-id")}

    # Nothing moved: the new figure is taken, as an adjustment.
    client.post(CHANGELIST_URL, {**form, f"form-{row[str(teapot.pk)]}-stock_quantity": "9", "_save": "Save"})
    assert stock_of(teapot) == 9
    assert teapot.stock_movements.get().change == 4

    # The kettle sold meanwhile: the list comes back with the current stock and saves nothing.
    form = form_of(client.get(CHANGELIST_URL))
    sell(kettle, 2)
    response = client.post(
        CHANGELIST_URL, {**form, f"form-{row[str(kettle.pk)]}-stock_quantity": "20", "_save": "Save"}
    )
    assert response.status_code == 200
    assert "The stock of Kettle changed from 10 to 8" in response.content.decode()
    assert stock_of(kettle) == 8


# --- The stock history ---------------------------------------------------------------------------


def test_the_stock_history_explains_the_stock_with_who_and_when(client, staff):
    product = make_product(name="Kettle", stock_quantity=10)
    order = sell(product, 3)
    order_change_status(order=order, status=Order.Status.CANCELLED, by=staff)
    form = form_of(client.get(change_url(product)))
    client.post(change_url(product), {**form, "stock_quantity": "12", "stock_note": "delivery"})

    history = reverse("admin:storefront_stockmovement_changelist") + f"?product__id__exact={product.pk}"
    assert history in client.get(change_url(product)).content.decode()  # linked from the product
    html = client.get(history).content.decode()
    for text in ("Sale", "Order cancelled", "Staff adjustment", order.reference, "stockkeeper", "delivery"):
        assert text in html
    movements = list(product.stock_movements.order_by("id").values_list("kind", "change", "stock_after"))
    assert movements == [(Kind.SALE, -3, 7), (Kind.CANCEL, 3, 10), (Kind.ADJUSTMENT, 2, 12)]
    assert 10 + sum(change for _, change, _ in movements) == stock_of(product)
    assert client.get(reverse("admin:storefront_stockmovement_add")).status_code == 403
