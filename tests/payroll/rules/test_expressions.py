"""Policy expressions by simpleeval: arithmetic over named figures, no value propagates, no eval."""

import pytest

from pipeline.payroll.rules.expressions import ExpressionError, check, evaluate, names_in


def test_arithmetic_over_names():
    # (6 + 2) / 10 = 0.8
    assert evaluate("(a + b) / c", {"a": 6, "b": 2, "c": 10}) == 0.8
    assert names_in("orders_success / orders_total") == {"orders_success", "orders_total"}


def test_no_value_and_division_by_zero_give_none():
    assert evaluate("a / b", {"a": 1, "b": 0}) is None
    assert evaluate("a + b", {"a": 1, "b": None}) is None


def test_unknown_names_and_non_expressions_are_errors():
    with pytest.raises(ExpressionError, match="names 'orders_succes'"):
        check("orders_succes / orders_total", {"orders_success", "orders_total"})
    with pytest.raises(ExpressionError, match="is not an arithmetic expression"):
        names_in("a +")


def test_no_calls_or_dunder_attributes():
    with pytest.raises(ExpressionError, match="names '__import__'"):
        check("__import__('os').getcwd()", {"a"})
    with pytest.raises(Exception, match="__class__"):  # simpleeval refuses it
        evaluate("a.__class__", {"a": 1})
