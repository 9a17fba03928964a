"""A card of point lines: each line a base less so many per unit, or points by steps of a value.

Three shapes of line, as the documents write them:
- deduction: ``points`` less ``minus`` per unit of ``per`` (an expression over
  inputs and figures), never below ``floor`` (default 0) nor above ``points``;
- steps: the first step the value of ``value`` reaches (``at_least`` or
  ``at_most``) gives its points, else ``otherwise``; ``missing`` when the value
  is None (no data);
- score: the value of ``score`` itself (a supervisor's mark), within
  ``floor``..``points``; ``missing`` when it has no value.
The card's total is the sum of its lines, then capped at ``cap`` and floored
at ``floor`` when given.  Every line returns its reason, in words a payroll
clerk can check against the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.payroll.rules.expressions import Number, evaluate


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    """Reached when the value is at least ``at_least`` (or at most ``at_most``: a time, a rate of errors)."""

    at_least: float | None = None
    at_most: float | None = None
    points: Decimal

    @model_validator(mode="after")
    def _one_bound(self) -> Step:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("a step gives either at_least or at_most")
        return self

    def reached(self, value: float) -> bool:
        return value >= self.at_least if self.at_least is not None else value <= float(self.at_most or 0)

    def __str__(self) -> str:
        return f">= {self.at_least:g}" if self.at_least is not None else f"<= {self.at_most:g}"


class PointLine(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    points: Decimal = Field(ge=0, description="the line's full points (its base)")
    minus: Decimal | None = Field(default=None, ge=0, description="deducted per unit of `per`")
    per: str | None = Field(default=None, description="expression: the units deducted for")
    value: str | None = Field(default=None, description="expression: the value the steps compare")
    score: str | None = Field(default=None, description="expression: the points themselves, capped at points")
    steps: tuple[Step, ...] = ()
    otherwise: Decimal = Decimal(0)
    missing: Decimal = Decimal(0)
    floor: Decimal = Decimal(0)
    source: str = Field(default="", description="the document's line this reads")

    @model_validator(mode="after")
    def _shape(self) -> PointLine:
        deduction = self.minus is not None or self.per is not None
        stepped = self.value is not None or bool(self.steps)
        if [deduction, stepped, self.score is not None].count(True) != 1:
            raise ValueError(f"line {self.name}: give one of minus and per (a deduction), value and steps, "
                             f"or score")
        if deduction and (self.minus is None or self.per is None):
            raise ValueError(f"line {self.name}: a deduction needs both minus and per")
        if stepped and (self.value is None or not self.steps):
            raise ValueError(f"line {self.name}: steps need both value and steps")
        return self

    @property
    def expressions(self) -> tuple[str, ...]:
        return tuple(e for e in (self.per, self.value, self.score) if e is not None)


class PointCard(_Strict):
    prefix: str = Field(default="c100", pattern=r"^[a-z][a-z0-9]*$", description="row keys are <prefix>_<line>")
    lines: tuple[PointLine, ...] = Field(min_length=1)
    cap: Decimal | None = None
    floor: Decimal | None = None

    @model_validator(mode="after")
    def _unique(self) -> PointCard:
        names = [line.name for line in self.lines]
        if len(set(names)) != len(names) or "total" in names:
            raise ValueError(f"card line names must be unique and not 'total', got {names}")
        return self


def _decimal(value: float) -> Decimal:
    """Whole numbers without a trailing .0, so 5 points read "5" like the policy's own figures."""
    return Decimal(int(value)) if value == int(value) else Decimal(repr(value))


def _fmt(value: float) -> str:
    return f"{value:g}"


def line_points(line: PointLine, values: Mapping[str, Number | None]) -> tuple[Decimal, str]:
    """The line's points and its reason."""
    key = line.name
    if line.per is not None and line.minus is not None:
        units = evaluate(line.per, values) or 0.0
        whole = _decimal(units)
        points = min(line.points, max(line.points - line.minus * whole, line.floor))
        return points, f"{key}: {line.points} - {line.minus} x {_fmt(units)} ({line.per}) = {points}"
    expression = line.value or line.score or ""
    value = evaluate(expression, values)
    if value is None:
        return line.missing, f"{key}: no {expression}: {line.missing}"
    if line.score is not None:
        points = min(line.points, max(line.floor, _decimal(value)))
        return points, f"{key}: {expression} {_fmt(value)} within {line.floor}..{line.points}: {points}"
    for step in line.steps:
        if step.reached(value):
            return step.points, f"{key}: {expression} {_fmt(value)} {step}: {step.points}"
    return line.otherwise, f"{key}: {expression} {_fmt(value)} reaches no step: {line.otherwise}"


def card_points(card: PointCard, values: Mapping[str, Number | None]) -> tuple[dict[str, Decimal], list[str]]:
    """Row values ``<prefix>_<line>`` and ``<prefix>_total``, with one reason per line (and for the cap)."""
    out: dict[str, Decimal] = {}
    reasons = []
    for line in card.lines:
        points, reason = line_points(line, values)
        out[f"{card.prefix}_{line.name}"] = points
        reasons.append(f"{card.prefix}_{reason}")
    total = sum(out.values(), Decimal(0))
    if card.cap is not None and total > card.cap:
        reasons.append(f"{card.prefix}_total {total} capped at {card.cap}")
        total = card.cap
    if card.floor is not None and total < card.floor:
        reasons.append(f"{card.prefix}_total {total} raised to the floor {card.floor}")
        total = card.floor
    out[f"{card.prefix}_total"] = total
    return out, reasons
