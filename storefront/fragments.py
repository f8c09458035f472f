"""Samples for the fragment catalogue (config/fragments.py): one function per template in
partials/storefront/, named after it, returning its sample context."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest

from config.fragments import sample

from .forms import ProductFilterForm
from .gallery import product_gallery
from .models import Product
from .picker import variant_picker


def sample_products(count: int) -> list[Product]:
    """Products of the demo catalog to show in samples (a 404 while the catalog is empty)."""
    products = list(Product.objects.available().in_stock()[:count])
    if not products:
        raise Http404("The catalogue needs products: run `manage.py seed_catalog` first.")
    return products


def _filtered() -> dict[str, object]:
    form = ProductFilterForm({"sort": "featured"})
    form.is_valid()
    page = Paginator(Product.objects.available(), 6).get_page(1)
    return {
        "filter_form": form,
        "page_obj": page,
        "active_filters": form.active_filters(),
        "facet_groups": form.facet_groups(),
    }


@sample(
    target="results",
    needs="page_obj, filter_form, active_filters, cart",
    returned_by="storefront:product_list (htmx GET from the filters form, search box, chips, pagination)",
)
def results(request: HttpRequest) -> dict[str, object]:
    return _filtered()


@sample(
    target="active-filter-count",
    needs="active_filters, oob",
    returned_by="storefront:product_list, out of band with the results (the count in the folding filter panel)",
)
def filter_count(request: HttpRequest) -> dict[str, object]:
    return {"active_filters": _filtered()["active_filters"]}


@sample(
    target="facets",
    needs="facet_groups (ProductFilterForm.facet_groups), oob",
    returned_by="storefront:product_list, out of band with the results (the brand, size, colour… checkboxes)",
)
def facets(request: HttpRequest) -> dict[str, object]:
    return {"facet_groups": _filtered()["facet_groups"]}


@sample(
    target="announcer",
    needs="message, oob",
    returned_by="out of band after every cart change and shipping-method change",
)
def announcer(request: HttpRequest) -> dict[str, object]:
    return {"message": "Added Kettle to your cart: 1 in cart.", "oob": False}


@sample(
    target="service-status",
    needs="unavailable, retry_after",
    returned_by="any htmx request while the database is unavailable (config/errors.py: 503, retargeted here)",
)
def service_status(request: HttpRequest) -> dict[str, object]:
    return {"unavailable": True, "retry_after": 10}


@sample(
    target="variant",
    needs="product, picker (storefront.picker.variant_picker), cart",
    returned_by="storefront:product_detail (htmx GET from the variant picker, with hx-replace-url)",
)
def variant(request: HttpRequest) -> dict[str, object]:
    product = Product.objects.available().filter(option_types__isnull=False).first() or sample_products(1)[0]
    return {"product": product, "picker": variant_picker(product, {})}


@sample(
    target="gallery",
    needs="product, gallery (storefront.gallery.product_gallery), oob",
    returned_by="storefront:product_detail (htmx GET from a thumbnail, ?picture=<id>; out of band after the picker's)",
)
def gallery(request: HttpRequest) -> dict[str, object]:
    product = Product.objects.available().filter(pictures__isnull=False).first() or sample_products(1)[0]
    return {"product": product, "gallery": product_gallery(product, None, {})}
