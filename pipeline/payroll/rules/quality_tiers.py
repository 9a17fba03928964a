"""Tiers of a bonus: best first, the first whose internal AND external conditions all hold pays.

003's service-quality bonus (优秀/良好/一般/差) is the shape: each tier names,
per QA source, a lowest combined QA average and the most business, tariff and
fraud errors and valid complaints it allows; ``failures`` says in words which
conditions of one side fail (the reason a tier was missed).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Conditions(_Strict):
    """Limits checked on one QA source (internal or external); None: no limit.

    ``max_errors`` limits fraud orders + business errors + tariff errors
    together (003's "诈单量总和≤3通(含诈单、业务差错、资费差错)");
    ``max_business_errors`` and ``max_tariff_errors`` limit each alone.  QA
    errors and QA fraud orders of this side only are counted; fraud orders
    given per agent (roster or inputs) and valid complaints count on both sides.
    """

    qa_avg_min: float | None = Field(default=None, ge=0, le=100)
    max_errors: int | None = Field(default=None, ge=0)
    max_business_errors: int | None = Field(default=None, ge=0)
    max_tariff_errors: int | None = Field(default=None, ge=0)
    max_fraud_orders: int | None = Field(default=None, ge=0)
    max_valid_complaints: int | None = Field(default=None, ge=0)


class Tier(_Strict):
    name: str = Field(min_length=1)
    amount: Decimal = Field(ge=0)
    internal: Conditions = Conditions()
    external: Conditions = Conditions()

    @property
    def unconditional(self) -> bool:
        return self.internal == Conditions() and self.external == Conditions()


def failures(side: str, c: Conditions, qa_avg: float | None, errors: int, fraud: int,
              complaints: int, tariff: int = 0) -> list[str]:
    """Which conditions of one side fail, in words."""
    failed = []
    if c.qa_avg_min is not None and (qa_avg is None or qa_avg < c.qa_avg_min):
        shown = "none" if qa_avg is None else f"{qa_avg:.2f}"
        failed.append(f"QA avg {shown} < {c.qa_avg_min:g}")
    if c.max_business_errors is not None and errors > c.max_business_errors:
        failed.append(f"{side} business errors {errors} > {c.max_business_errors}")
    if c.max_tariff_errors is not None and tariff > c.max_tariff_errors:
        failed.append(f"{side} tariff errors {tariff} > {c.max_tariff_errors}")
    if c.max_errors is not None and errors + fraud + tariff > c.max_errors:
        shown = f"fraud {fraud} + business {errors}" + (f" + tariff {tariff}" if tariff else "")
        failed.append(f"{side} errors ({shown}) {errors + fraud + tariff} > {c.max_errors}")
    if c.max_fraud_orders is not None and fraud > c.max_fraud_orders:
        failed.append(f"fraud orders {fraud} > {c.max_fraud_orders}")
    if c.max_valid_complaints is not None and complaints > c.max_valid_complaints:
        failed.append(f"valid complaints {complaints} > {c.max_valid_complaints}")
    return failed
