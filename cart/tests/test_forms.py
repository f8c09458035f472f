import pytest

from cart.forms import QuantityForm


@pytest.mark.parametrize("typed", ["1", "42", "99", " 7 ", "007"])
def test_a_quantity_in_ascii_digits_is_accepted(typed):
    form = QuantityForm({"quantity": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["quantity"] == int(typed)


@pytest.mark.parametrize("typed", ["٣", "３", "1_0", "+5", "5.0", "1e1", "0x5", "²"])
def test_a_quantity_in_other_digits_or_notations_is_refused(typed):
    form = QuantityForm({"quantity": typed})
    assert not form.is_valid()
    assert form.errors["quantity"] == ["Enter a whole number."]
