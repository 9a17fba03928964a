"""The inputs a policy declares: what a supervisor records that no event carries.

``payroll inputs`` accepts exactly the declared columns (plus ``agent_id``,
and ``date`` when the inputs are per day) and checks each cell against its
kind: ``count`` a whole number >= 0, ``flag`` 0 or 1, ``score`` and
``amount`` a number within ``range`` (default 0..100 for a score, >= 0 for an
amount).  A count's range may bound it too.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

KINDS = ("count", "score", "flag", "amount")


class InputSpec(BaseModel):
    """One declared input column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="the CSV column and the name rules use")
    kind: Literal["count", "score", "flag", "amount"]
    per: Literal["month", "day"] = Field(default="month", description="day: one row per agent and local day")
    range: tuple[Decimal, Decimal] | None = Field(default=None, description="[lowest, highest] allowed")
    description: str = ""

    @model_validator(mode="after")
    def _range(self) -> InputSpec:
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"input {self.name}: range {list(self.range)} has its lowest above its highest")
        if self.range is not None and self.kind in ("count", "flag") and self.range[0] < 0:
            raise ValueError(f"input {self.name}: a {self.kind} is never negative")
        return self

    @property
    def bounds(self) -> tuple[Decimal, Decimal | None]:
        if self.range is not None:
            return self.range
        return {"score": (Decimal(0), Decimal(100)), "flag": (Decimal(0), Decimal(1))}.get(
            self.kind, (Decimal(0), None))

    def parse(self, raw: str) -> Decimal:
        """The cell's value; ValueError says what is wrong and what is allowed."""
        low, high = self.bounds
        if self.kind in ("count", "flag"):
            if not raw.isdigit():
                raise ValueError(f"{raw!r} is not a whole number >= 0")
            value = Decimal(int(raw))
        else:
            try:
                value = Decimal(raw)
            except InvalidOperation:
                raise ValueError(f"{raw!r} is not a number") from None
            if not value.is_finite():
                raise ValueError(f"{raw!r} is not a number")
        if value < low or (high is not None and value > high):
            shown = f"{low}..{high}" if high is not None else f">= {low}"
            raise ValueError(f"{raw} is out of range {shown} (its {self.kind} range in the policy)")
        return value
