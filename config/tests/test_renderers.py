import re
from html import unescape

import pytest
from django.forms.renderers import DjangoTemplates
from django.template.backends.jinja2 import Template as Jinja2Template
from django.urls import reverse

from cart.forms import AddToCartForm
from config.renderers import FormRenderer
from orders.forms import CheckoutForm
from storefront.forms import ProductFilterForm
from storefront.tests.factories import make_category


def collapse(html: str) -> str:
    """The markup without whitespace between tags, and with entities decoded (the two engines
    spell an escaped quote differently, but escape the same characters)."""
    return unescape(re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip())


def test_django_widgets_render_through_jinja2():
    template = FormRenderer().get_template("django/forms/widgets/select.html")
    assert isinstance(template, Jinja2Template)


def test_templates_only_the_admin_has_render_through_django_templates():
    template = FormRenderer().get_template("admin/widgets/related_widget_wrapper.html")
    assert not isinstance(template, Jinja2Template)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form",
    [
        lambda: CheckoutForm(
            data={"email": "not an email", "shipping_name": 'O\'Brien "<b>" & Co', "shipping_country": "XX"}
        ),
        lambda: ProductFilterForm(
            data={"q": "k'ettle <\"", "category": "kitchen", "min_price": "-1", "in_stock": "on"}
        ),
        lambda: AddToCartForm(initial={"quantity": 1}),
    ],
    ids=["checkout", "catalog filters", "add to cart"],
)
def test_shop_forms_render_the_same_markup_as_with_django_templates(form):
    make_category(name="Kitchen", slug="kitchen")
    bound = form()
    if bound.is_bound:
        bound.is_valid()  # so that invalid fields render with their errors' attributes
    assert isinstance(bound.renderer, FormRenderer)
    ours = [field.as_widget() for field in bound]
    bound.renderer = DjangoTemplates()
    theirs = [field.as_widget() for field in bound]
    assert [collapse(html) for html in ours] == [collapse(html) for html in theirs]


@pytest.mark.django_db
def test_admin_forms_with_admin_only_widgets_still_render(admin_client):
    make_category()
    response = admin_client.get(reverse("admin:storefront_product_add"))
    assert response.status_code == 200
    assert 'class="related-widget-wrapper"' in response.content.decode()


def test_the_jinja2_widgets_escape_what_they_render():
    html = CheckoutForm(data={"shipping_name": "<script>alert(1)</script>\"'"})["shipping_name"].as_widget()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;" in html
