from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lendpilot.core.field_values import read_date, read_decimal, read_money


def test_read_money_accepts_fen_and_names_the_field_on_bad_input():
    errors: dict[str, str] = {}
    assert read_money("1,000".replace(",", ""), field="amount", errors=errors) == Decimal("1000.00")
    assert read_money("12.345", field="amount", errors=errors) is None
    assert read_money("-1", field="fee", errors=errors) is None
    assert read_money("0", field="principal", errors=errors, positive=True) is None
    assert read_money("abc", field="rate", errors=errors) is None
    assert read_money("1e20", field="big", errors=errors) is None
    assert set(errors) == {"amount", "fee", "principal", "rate", "big"}


def test_read_money_takes_a_float_by_its_shortest_repr_not_its_binary_value():
    errors: dict[str, str] = {}
    assert read_money(0.1, field="amount", errors=errors) == Decimal("0.10")
    assert errors == {}


def test_read_decimal_required_and_empty():
    errors: dict[str, str] = {}
    assert read_decimal("", field="income", errors=errors) is None
    assert errors == {}
    assert read_decimal(" ", field="income", errors=errors, required=True) is None
    assert "income" in errors
    assert read_decimal("NaN", field="debt", errors=errors) is None
    assert "debt" in errors


def test_read_date_names_the_field():
    assert read_date("2027-01-04", field="as_of") == date(2027, 1, 4)
    with pytest.raises(ValidationError) as caught:
        read_date("04/01/2027", field="as_of")
    assert "as_of" in caught.value.message_dict
