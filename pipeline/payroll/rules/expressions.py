"""Expressions a policy writes over named figures, e.g. ``orders_success / orders_total``.

Evaluated by simpleeval (a small, well-kept evaluator of Python expressions
without ``eval``): only arithmetic, comparisons and the names given.  A name
without a value (``None``: no data) or a division by zero gives ``None``: the
rule using it then says what "no value" means (not placed, 0 points, ...).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from decimal import Decimal

from simpleeval import SimpleEval

Number = int | float | Decimal


class ExpressionError(ValueError):
    """The expression is not valid or names something unknown."""


def names_in(expression: str) -> set[str]:
    """The names an expression reads; ExpressionError when it is not an expression."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise ExpressionError(f"{expression!r} is not an arithmetic expression") from None
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def check(expression: str, known: Collection[str]) -> None:
    """ExpressionError naming the first unknown name (sorted, so the message is stable)."""
    unknown = sorted(names_in(expression) - set(known))
    if unknown:
        raise ExpressionError(f"{expression!r} names {unknown[0]!r}, which is neither an input, a KPI of the "
                              f"policy nor a catalogue figure")


def evaluate(expression: str, values: Mapping[str, Number | None]) -> float | None:
    """The expression's value over ``values``; None when a name it reads has no value or it divides by 0."""
    needed = names_in(expression)
    if any(values.get(name) is None for name in needed):
        return None
    evaluator = SimpleEval(names={name: float(values[name]) for name in needed})  # type: ignore[arg-type]
    try:
        result = evaluator.eval(expression)
    except ZeroDivisionError:
        return None
    return float(result)
