from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.http import HttpRequest, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .catalog_version import catalog_changed
from .models import (
    MAX_OPTION_TYPES,
    MAX_VARIANTS,
    Category,
    OptionType,
    OptionValue,
    Product,
    ProductPicture,
    StockMovement,
    Variant,
)
from .pictures import picture_upload_clean
from .services import (
    StockChange,
    StockError,
    VariantError,
    product_stock_sync,
    stock_moved_message,
    stock_record,
    stock_set,
    variant_refresh_options_text,
    variant_set_active,
    variants_create_combinations,
)
from .tasks import picture_renditions_enqueue

STOCK = "stock_quantity"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class StockSeenForm[M: Product | Variant](forms.ModelForm[M]):
    """A product or variant form that knows what staff were shown: the page carries every value as a hidden
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
            model = type(self.instance)
            current = model._default_manager.filter(pk=self.instance.pk).values_list(STOCK, flat=True).first()
            seen = self.stock_seen()
            if current is not None and current != seen:
                self.add_error(STOCK, stock_moved_message(self.instance, seen=seen, current=current))
                # The form comes back having seen the current stock: sending it again means "yes, this figure".
                data = QueryDict(mutable=True)
                data.update(self.data)
                data[self.add_initial_prefix(STOCK)] = str(current)
                self.data = data
        return cleaned


class ProductStockForm(StockSeenForm[Product]):
    pass


class VariantStockForm(StockSeenForm[Variant]):
    """A variant's row (inline on its product, or in the variants' list): its stock is changed as an
    adjustment against the figure staff saw, as a product's is."""

    new_stock = 0  # a new variant's stock, booked after it is saved

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "option_values" in self.fields:  # each value's label names its type: one query, not one per value
            field = self.fields["option_values"]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = OptionValue.objects.select_related("option_type")

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        values = list(self.cleaned_data.get("option_values") or [])
        types = [value.option_type_id for value in values]
        if len(types) != len(set(types)):
            self.add_error("option_values", _("A variant takes at most one value of each option type."))
        elif len(types) > MAX_OPTION_TYPES:
            self.add_error(
                "option_values",
                _("A product combines at most %(count)s option types.") % {"count": MAX_OPTION_TYPES},
            )
        return cleaned


class VariantInlineFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]  # django-stubs: generic in three models
    def clean(self) -> None:
        super().clean()
        kept = [form for form in self.forms if form.has_changed() or form.instance.pk]
        kept = [form for form in kept if not (self.can_delete and form.cleaned_data.get("DELETE"))]
        if len(kept) > MAX_VARIANTS:
            raise forms.ValidationError(_("A product sells at most %(count)s variants.") % {"count": MAX_VARIANTS})


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


class PictureForm(forms.ModelForm[ProductPicture]):
    """A picture row: the upload must be a picture (JPEG, PNG or WebP named as what it is, or an SVG,
    stored drawn as a PNG; at most MAX_IMAGE_SIZE and pictures.MAX_PIXELS); its size is read here, its
    renditions are made by the job once the product is saved."""

    class Meta:
        model = ProductPicture
        fields = ["image", "alt_text", "colour", "position"]

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image is not None and "image" in self.changed_data:
            image, (self.instance.width, self.instance.height) = picture_upload_clean(image)
            self.instance.renditions = []  # the old ones belong to the old file; the job makes new ones
        return image


class PictureInline(admin.TabularInline[ProductPicture, Product]):
    model = ProductPicture
    form = PictureForm
    fields = ["image", "alt_text", "colour", "position"]
    ordering = ["position", "id"]
    extra = 0


class VariantInline(admin.TabularInline[Variant, Product]):
    model = Variant
    form = VariantStockForm
    formset = VariantInlineFormSet
    fields = ["sku", "option_values", "price", STOCK, "is_active", "position"]
    max_num = MAX_VARIANTS
    extra = 0
    filter_horizontal = ()


def save_variant_row(request: HttpRequest, form: VariantStockForm) -> None:
    """One variant row of a product's page, written as a variant's stock must be: only the fields staff
    changed, the stock as a recorded adjustment against what they saw, the product's sum kept."""
    assert isinstance(request.user, User)
    variant = form.instance
    if variant.pk is None:  # a new variant: its stock comes in as an opening adjustment
        stock = variant.stock_quantity
        variant.stock_quantity = 0
        variant.save()
        form.save_m2m()
        variant_refresh_options_text(variant)
        variant_set_active(variant_id=variant.pk, is_active=variant.is_active)
        if stock:
            stock_set(variant_id=variant.pk, seen=0, quantity=stock, by=request.user, note="New variant")
        return
    editable = {field.name for field in variant._meta.concrete_fields if field.editable and not field.primary_key}
    variant.save(update_fields=[*(editable & set(form.changed_data)) - {STOCK, "is_active"}])
    if "option_values" in form.changed_data:
        form.save_m2m()
        variant_refresh_options_text(variant)
    if "is_active" in form.changed_data:
        variant_set_active(variant_id=variant.pk, is_active=variant.is_active)
    if form.stock_changed_by_staff():
        try:
            stock_set(variant_id=variant.pk, seen=form.stock_seen(), quantity=form.cleaned_data[STOCK], by=request.user)
        except StockError as refused:  # a sale landed between checking the form and saving it
            messages.error(request, str(refused))
    variant.refresh_from_db(fields=[STOCK])


class CreateVariantsForm(forms.Form):
    """The option values to combine: one list per option type (at most MAX_OPTION_TYPES with values)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for option_type in OptionType.objects.prefetch_related("values"):
            self.fields[f"type_{option_type.pk}"] = forms.ModelMultipleChoiceField(
                label=option_type.name,
                queryset=option_type.values.all(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        chosen = [list(values) for values in cleaned.values() if values]
        if not chosen:
            raise forms.ValidationError(_("Choose at least one option value."))
        if len(chosen) > MAX_OPTION_TYPES:
            raise forms.ValidationError(
                _("A product combines at most %(count)s option types.") % {"count": MAX_OPTION_TYPES}
            )
        return cleaned

    def chosen(self) -> list[list[OptionValue]]:
        return [list(values) for values in self.cleaned_data.values() if values]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    form = ProductAdminForm
    inlines = [VariantInline]
    actions = ["create_variants"]
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

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        # A product with several variants holds their sum: its stock is changed variant by variant.
        several = obj is not None and obj.variants.count() > 1
        return [*self.readonly_fields, *([STOCK] if several else [])]

    def get_inlines(
        self, request: HttpRequest, obj: Product | None
    ) -> list[type[admin.options.InlineModelAdmin[Any, Any]]]:
        # A new product gets its default variant from the stock entered; its variants come after.
        return [PictureInline, VariantInline] if obj is not None else [PictureInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is ProductPicture:
            super().save_formset(request, form, formset, change)
            for row in formset.forms:
                if row.instance.pk is not None and "image" in row.changed_data:
                    picture_renditions_enqueue(row.instance)
            return
        if formset.model is not Variant:
            super().save_formset(request, form, formset, change)
            return
        # What the admin's history says of the rows (Django's formset.save() would set these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if formset.can_delete and row.cleaned_data.get("DELETE"):
                if row.instance.pk is not None:
                    formset.deleted_objects.append(row.instance)
                    row.instance.delete()
            elif row.has_changed():
                is_new = row.instance.pk is None
                save_variant_row(request, row)
                if is_new:
                    formset.new_objects.append(row.instance)
                else:
                    formset.changed_objects.append((row.instance, row.changed_data))
        product_stock_sync([form.instance.pk])
        form.instance.refresh_from_db(fields=[STOCK])

    @admin.action(description=_("Create variants for chosen option values"))
    def create_variants(self, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
        """An intermediate page lists the option values per type; every missing combination of the
        chosen values becomes a variant of each chosen product (SKU from slug and values, stock 0)."""
        assert isinstance(request.user, User)
        form = CreateVariantsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            made, refused = 0, []
            for product in queryset:
                try:
                    made += len(variants_create_combinations(product=product, values=form.chosen(), by=request.user))
                except VariantError as error:
                    refused.append(f"{product}: {error}")
            self.message_user(request, _("Created %(count)s variants.") % {"count": made}, messages.SUCCESS)
            for reason in refused:
                self.message_user(request, reason, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Create variants for chosen option values"),
            "form": form,
            "products": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/storefront/product/create_variants.html", context)

    @admin.display(description="Stock history")
    def stock_history(self, product: Product) -> str:
        if product.pk is None:
            return "-"
        url = reverse("admin:storefront_stockmovement_changelist") + f"?product__id__exact={product.pk}"
        return format_html('<a href="{}">Every sale, cancellation and adjustment of this product</a>', url)

    def save_model(self, request: HttpRequest, obj: Product, form: ProductStockForm, change: bool) -> None:
        assert isinstance(request.user, User)  # the admin serves signed-in staff only
        catalog_changed()  # brand, category, price, active flag: what the catalog's facets count
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


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin[Variant]):
    """Every variant, found by SKU; its stock editable in the list as a recorded adjustment against the
    figure staff saw, as a product's is."""

    list_display = ["sku", "product", "options_text", "price", STOCK, "is_active"]
    list_editable = [STOCK]
    list_filter = ["is_active"]
    list_select_related = ["product"]
    search_fields = ["sku", "product__name"]
    fields = ["product", "sku", "option_values", "price", STOCK, "is_active", "position"]
    form = VariantStockForm
    autocomplete_fields = ["product"]
    list_per_page = 100

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm[Variant]]:
        return super().get_changelist_form(request, form=VariantStockForm, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Variant | None = None) -> list[str]:
        return ["product"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Variant, form: Any, change: bool) -> None:
        if change:
            save_variant_row(request, form)
        else:
            form.new_stock, obj.stock_quantity = obj.stock_quantity, 0  # comes in as an opening adjustment
            obj.save()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            if "option_values" not in form.changed_data:
                return  # save_variant_row wrote what changed
            variant_refresh_options_text(form.instance)
            return
        assert isinstance(request.user, User)
        form.save_m2m()
        variant = form.instance
        variant_refresh_options_text(variant)
        variant_set_active(variant_id=variant.pk, is_active=variant.is_active)
        if form.new_stock:
            stock_set(variant_id=variant.pk, seen=0, quantity=form.new_stock, by=request.user, note="New variant")


class OptionValueInline(admin.TabularInline[OptionValue, OptionType]):
    model = OptionValue
    fields = ["value", "position", "swatch"]
    extra = 1


@admin.register(OptionType)
class OptionTypeAdmin(admin.ModelAdmin[OptionType]):
    list_display = ["name", "kind", "position"]
    list_editable = ["position"]
    inlines = [OptionValueInline]

    def save_model(self, request: HttpRequest, obj: OptionType, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        catalog_changed()  # the type's name and its values (saved with it): the facets' vocabulary


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin[StockMovement]):
    """The stock history, read-only: movements are written by the services that change stock."""

    list_display = ["at", "product", "variant", "kind", "change", "stock_after", "reference", "by", "note"]
    list_filter = ["kind", "at"]
    list_select_related = ["product", "variant", "by"]
    search_fields = ["product__name", "product__slug", "variant__sku", "reference"]
    date_hierarchy = "at"
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False
