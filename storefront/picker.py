"""The variant picker of the product page: which variant a query string such as `?size=m&colour=blue`
chooses, and what each option would give together with the others (sold out, not offered)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.text import slugify
from django.utils.translation import gettext

from .models import OptionType, OptionValue, Product, Variant

MAX_PARAM_LENGTH = 50


@dataclass
class Choice:
    value: OptionValue
    slug: str
    checked: bool
    problem: str  # "", "sold out" or "not available": what choosing it would give with the others


@dataclass
class Group:
    option_type: OptionType
    slug: str
    choices: list[Choice] = field(default_factory=list)


@dataclass
class Picker:
    groups: list[Group]
    variant: Variant | None  # the chosen combination, None when it is not offered
    message: str  # about the query string: "" when it was understood
    unavailable: str  # why the chosen combination cannot be added to the cart, or ""

    def params(self) -> dict[str, str]:
        """The query string that chooses what is chosen now: {"size": "m", "colour": "blue"}."""
        return {group.slug: choice.slug for group in self.groups for choice in group.choices if choice.checked}


def variant_picker(product: Product, params: Mapping[str, str]) -> Picker | None:
    """The picker for a product with options (None for one without), chosen by `params`; without
    params, the first variant in stock (else the first variant). Two queries (none for a product
    without options read with ProductQuerySet.with_option_flag)."""
    if not product.has_options:
        return None
    variants = list(product.variants.filter(is_active=True).prefetch_related("option_values__option_type"))
    combos = {frozenset(v.pk for v in variant.option_values.all()): variant for variant in variants}
    types: dict[int, Group] = {}
    values: dict[int, list[OptionValue]] = {}
    for offered in variants:
        for value in offered.option_values.all():
            group = types.setdefault(value.option_type_id, Group(value.option_type, slugify(value.option_type.name)))
            if value.pk not in {v.pk for v in values.setdefault(group.option_type.pk, [])}:
                values[group.option_type.pk].append(value)
    if not types:
        return None
    groups = sorted(types.values(), key=lambda g: (g.option_type.position, g.option_type.name, g.option_type.pk))
    default = next((v for v in variants if v.stock_quantity > 0), variants[0])
    chosen_by_default = {value.option_type_id: value for value in default.option_values.all()}
    selected: dict[int, OptionValue | None] = {}
    message = ""
    asked = any(group.slug in params for group in groups)
    for group in groups:
        type_values = sorted(values[group.option_type.pk], key=lambda v: (v.position, v.value, v.pk))
        wanted = str(params.get(group.slug, ""))[:MAX_PARAM_LENGTH] if asked else ""
        match = next((v for v in type_values if slugify(v.value) == slugify(wanted)), None)
        if asked and match is None:
            message = gettext("These options are not offered for this product; please choose again.")
        selected[group.option_type.pk] = match if asked else chosen_by_default.get(group.option_type.pk)
        group.choices = [Choice(v, slugify(v.value), False, "") for v in type_values]
    chosen_ids = {v.pk for v in selected.values() if v is not None}
    variant = combos.get(frozenset(chosen_ids)) if len(chosen_ids) == len(groups) else None
    for group in groups:
        others = {v.pk for t, v in selected.items() if v is not None and t != group.option_type.pk}
        for choice in group.choices:
            current = selected[group.option_type.pk]
            choice.checked = current is not None and current.pk == choice.value.pk
            candidate = combos.get(frozenset(others | {choice.value.pk}))
            if len(others) == len(groups) - 1 and candidate is None:
                choice.problem = gettext("not available")
            elif candidate is not None and candidate.stock_quantity <= 0:
                choice.problem = gettext("sold out")
    if variant is None:
        unavailable = gettext("Not available in this combination.")
    elif variant.stock_quantity <= 0:
        unavailable = gettext("Sold out.")
    else:
        unavailable = ""
    return Picker(groups, variant, message, unavailable)
