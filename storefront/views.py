from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from config.rendering import render_page_or_fragment, wants_fragment

from .forms import ProductFilterForm
from .gallery import product_gallery
from .models import Product, first_pictures, products_card_facts
from .picker import variant_picker


@require_safe
def product_list(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET)
    valid = form.is_valid()  # invalid fields are dropped from cleaned_data and shown as errors
    # The cards show no category, so no join; should a card ever reach for a relation, FETCH_PEERS
    # loads it for the whole page in one query instead of one per card.
    products = form.filter(Product.objects.available().fetch_mode(models.FETCH_PEERS))
    page_obj = Paginator(products, settings.CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))
    products_card_facts(list(page_obj.object_list))  # "from €X", "3 colours", "Choose options": one query
    first_pictures(list(page_obj.object_list))  # each card's picture, with its renditions: one query
    context = {
        "filter_form": form,
        "page_obj": page_obj,
        "active_filters": form.active_filters(),
        # With their counts (one query per group, or none when cached), worked out only when the
        # facets' markup is not already cached under facets_key (partials/storefront/_facets.html).
        "facet_groups": SimpleLazyObject(form.facet_groups),
        "facets_key": form.facets_key(),
    }
    return render_page_or_fragment(
        request,
        "storefront/product_list.html",
        "storefront/_results.html",
        context,
        status=200 if valid else 400 if form.too_many_values() else 422,
        # In the filter form, which the results leave alone (so the search box keeps its focus and text).
        out_of_band=["storefront/_filter_count.html", "storefront/_facets.html"],
    )


@require_safe
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(Product.objects.available().with_option_flag().select_related("category"), slug=slug)
    # ?size=m&colour=blue chooses the variant; the picker's htmx GET gets only #variant, whose
    # add-to-cart region comes from the cart app's {% add_to_cart %} tag.
    picker = variant_picker(product, request.GET)
    # ?picture=<id> chooses the picture shown: a thumbnail's htmx GET gets only #gallery; the picker's
    # gets #variant with #gallery out of band (the chosen colour's pictures first).
    gallery = product_gallery(product, picker, request.GET)
    context = {"product": product, "picker": picker, "gallery": gallery}
    if "picture" in request.GET:
        if gallery.asked_for_unknown and wants_fragment(request):
            raise Http404("No such picture of this product.")
        return render_page_or_fragment(request, "storefront/product_detail.html", "storefront/_gallery.html", context)
    return render_page_or_fragment(
        request,
        "storefront/product_detail.html",
        "storefront/_variant.html",
        context,
        out_of_band=["storefront/_gallery.html"] if picker else [],
    )
