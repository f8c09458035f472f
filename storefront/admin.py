from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import MAX_OPTION_TYPES, Category, Product, StockMovement, Variant
from .services import StockChange, StockError, stock_moved_message, stock_record, stock_set

STOCK = "stock_quantity"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class ProductStockForm(forms.ModelForm[Product]):
    """A product form that knows what staff were shown: the page carries every value as a hidden
    initial one beside its field.

    Django would compare what is submitted with the product at the time of saving, so a sale made
    while the page was open looked like a change by staff and was undone, and so did another staff
    member's new price. Here a field counts as changed only when staff changed it on this page; the
    stock is then refused if it moved meanwhile (with the current figure), never written over a sale."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # A file input cannot carry a value back, nor can a hidden input carry a multiple choice.
            if not isinstance(field, forms.FileField | forms.ModelMultipleChoiceField):
                field.show_hidden_initial = True

    def stock_seen(self) -> int | None:
        field = self.fields[STOCK]
        raw = field.hidden_widget().value_from_datadict(self.data, self.files, self.add_initial_prefix(STOCK))
        try:
            return field.to_python(raw)
        except forms.ValidationError:
            return None

    def stock_changed_by_staff(self) -> bool:
        return self.instance.pk is not None and STOCK in self.changed_data

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.stock_changed_by_staff():
            current = Product.objects.filter(pk=self.instance.pk).values_list(STOCK, flat=True).first()
            seen = self.stock_seen()
            if current is not None and current != seen:
                self.add_error(STOCK, stock_moved_message(self.instance, seen=seen, current=current))
                # The form comes back having seen the current stock: sending it again means "yes, this figure".
                data = QueryDict(mutable=True)
                data.update(self.data)
                data[self.add_initial_prefix(STOCK)] = str(current)
                self.data = data
        return cleaned


class ProductAdminForm(ProductStockForm):
    def clean_option_types(self) -> Any:
        chosen = self.cleaned_data.get("option_types")
        if chosen is not None and len(chosen) > MAX_OPTION_TYPES:
            raise forms.ValidationError(
                _("A product combines at most %(count)s option types."), params={"count": MAX_OPTION_TYPES}
            )
        return chosen

    stock_kind = forms.ChoiceField(
        label="Kind of stock change",
        choices=[(kind.value, kind.label) for kind in (StockMovement.Kind.ADJUSTMENT, StockMovement.Kind.RETURN)],
        initial=StockMovement.Kind.ADJUSTMENT,
        required=False,
        help_text="Recorded in the stock history when you change the stock above.",
    )
    stock_note = forms.CharField(
        label="Note on the stock change", max_length=200, required=False, help_text="For example: stocktake, damaged."
    )


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    form = ProductAdminForm
    list_display = ["name", "category", "price", STOCK, "is_active", "created_at"]
    list_editable = ["price", STOCK, "is_active"]
    list_filter = ["is_active", "category", "created_at"]
    list_select_related = ["category"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["stock_history"]
    date_hierarchy = "created_at"
    list_per_page = 50

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm[Product]]:
        return super().get_changelist_form(request, form=ProductStockForm, **kwargs)

    @admin.display(description="Stock history")
    def stock_history(self, product: Product) -> str:
        if product.pk is None:
            return "-"
        url = reverse("admin:storefront_stockmovement_changelist") + f"?product__id__exact={product.pk}"
        return format_html('<a href="{}">Every sale, cancellation and adjustment of this product</a>', url)

    def save_model(self, request: HttpRequest, obj: Product, form: ProductStockForm, change: bool) -> None:
        assert isinstance(request.user, User)  # the admin serves signed-in staff only
        if not change:
            super().save_model(request, obj, form, change)
            # A new product sells its default variant, which holds the stock entered.
            variant = Variant.objects.create(product=obj, sku=obj.slug, stock_quantity=obj.stock_quantity)
            if obj.stock_quantity:
                opening = StockChange(obj.pk, obj.stock_quantity, obj.stock_quantity, variant.pk)
                stock_record(kind=StockMovement.Kind.ADJUSTMENT, changes=[opening], by=request.user, note="New product")
            return
        # Only what staff changed on this page is written, the stock through stock_set (below).
        editable = {field.name for field in obj._meta.concrete_fields if field.editable and not field.primary_key}
        obj.save(update_fields=[*(editable & set(form.changed_data)) - {STOCK}, "updated_at"])
        if form.stock_changed_by_staff():
            try:
                stock_set(
                    product_id=obj.pk,
                    seen=form.stock_seen(),
                    quantity=form.cleaned_data[STOCK],
                    by=request.user,
                    kind=form.cleaned_data.get("stock_kind") or StockMovement.Kind.ADJUSTMENT,
                    note=form.cleaned_data.get("stock_note", ""),
                )
            except StockError as refused:  # a sale landed between checking the form and saving it
                self.message_user(request, str(refused), messages.ERROR)
        obj.refresh_from_db(fields=[STOCK])


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin[StockMovement]):
    """The stock history, read-only: movements are written by the services that change stock."""

    list_display = ["at", "product", "kind", "change", "stock_after", "reference", "by", "note"]
    list_filter = ["kind", "at"]
    list_select_related = ["product", "by"]
    search_fields = ["product__name", "product__slug", "reference"]
    date_hierarchy = "at"
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False
