"""The shared field include (templates/includes/form_field.html), which every form of the shop's
pages renders its fields with: the label, help and error tied to the input for assistive technology."""

from django import forms
from django.template.loader import render_to_string


class ExampleForm(forms.Form):
    email = forms.EmailField(help_text="We never share it.")
    agree = forms.BooleanField(label="I agree")
    shipping = forms.ChoiceField(choices=[("standard", "Standard"), ("express", "Express")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput)


def render_field(form: forms.Form, name: str) -> str:
    return render_to_string("includes/form_field.html", {"field": form[name]})


def test_field_include_links_help_and_error_to_the_input():
    html = render_field(ExampleForm(data={}), "email")
    assert html.index('<label for="id_email">') < html.index("<input")
    assert '<div class="helptext" id="id_email_helptext">We never share it.</div>' in html
    assert '<p class="field-error" id="id_email_error">This field is required.</p>' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'class="field field-email has-error"' in html


def test_field_include_puts_a_checkbox_before_its_label():
    html = render_field(ExampleForm(), "agree")
    assert html.index('<input type="checkbox"') < html.index('<label for="id_agree">I agree</label>')
    assert "aria-invalid" not in html


def test_field_include_groups_radio_buttons_in_a_fieldset():
    html = render_field(ExampleForm(data={}), "shipping")
    assert html.strip().startswith(
        '<fieldset class="field field-shipping has-error" aria-describedby="id_shipping_error">'
    )
    assert "<legend>Shipping</legend>" in html
    assert html.count('type="radio"') == 2


def test_field_include_renders_a_hidden_field_bare():
    html = render_field(ExampleForm(), "token").strip()
    assert html.startswith('<input type="hidden" name="token"')
    assert "<label" not in html
