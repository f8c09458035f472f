"""The form renderer: Django's own widget templates rendered by Jinja2.

Every widget of the shop's forms (the catalog filters, quantities, the checkout) renders through a
template. Django ships each of its widget templates twice, for its own template language and for
Jinja2; the Jinja2 ones render 2 to 3 times faster (the checkout form 7.7 → 4.5 ms of CPU, see
bench/README.md) and produce equivalent markup (the same elements and attributes; Jinja2 escapes a
quote as &#39; where Django writes &#x27;). Templates that exist only for Django's template
language — the admin's widgets — still render through it.
"""

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FormRenderer(BaseRenderer):
    @cached_property
    def jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str) -> Any:  # a Jinja2 or a Django template, as the engines return
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
