"""Declared inputs: each kind's cells checked against its range."""

from decimal import Decimal

import pytest

from pipeline.payroll.rules.declared_inputs import InputSpec


@pytest.mark.parametrize(("spec", "raw", "value"), [
    (InputSpec(name="n", kind="count"), "0", Decimal(0)),
    (InputSpec(name="f", kind="flag"), "1", Decimal(1)),
    (InputSpec(name="s", kind="score"), "100", Decimal(100)),       # the default 0..100, top included
    (InputSpec(name="a", kind="amount"), "12.5", Decimal("12.5")),
    (InputSpec(name="s", kind="score", range=(0, 15)), "15", Decimal(15)),
])
def test_values_in_range(spec, raw, value):
    assert spec.parse(raw) == value


@pytest.mark.parametrize(("spec", "raw", "message"), [
    (InputSpec(name="n", kind="count"), "-1", "'-1' is not a whole number >= 0"),
    (InputSpec(name="n", kind="count"), "1.5", "'1.5' is not a whole number >= 0"),
    (InputSpec(name="f", kind="flag"), "2", "2 is out of range 0..1"),
    (InputSpec(name="s", kind="score"), "100.01", "100.01 is out of range 0..100"),
    (InputSpec(name="a", kind="amount"), "-0.01", "-0.01 is out of range >= 0"),
    (InputSpec(name="a", kind="amount"), "lots", "'lots' is not a number"),
])
def test_values_out_of_range(spec, raw, message):
    with pytest.raises(ValueError, match=None) as error:
        spec.parse(raw)
    assert message in str(error.value)
