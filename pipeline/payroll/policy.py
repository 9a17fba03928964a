"""The pay policy file (YAML) as pydantic models.

Every figure of docs/kpi-sources.md's pay rules is a setting here, never a constant
in code.  Unknown keys are errors (``extra="forbid"``) because a misspelt key
in a pay rule would otherwise be silently ignored and pay the wrong amount;
``load_policy`` turns a validation error into one line naming the key path.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.payroll.model import AgentRollup
from pipeline.payroll.points_scheme import PointsScheme
from pipeline.payroll.rules.declared_inputs import InputSpec
from pipeline.payroll.rules.eligibility import HireRules, HourRules
from pipeline.payroll.rules.expressions import ExpressionError, check
from pipeline.payroll.rules.point_lines import PointCard
from pipeline.payroll.rules.quality_tiers import Tier
from pipeline.payroll.rules.weighted_lines import CardKpi
from pipeline.payroll.team_figures import TEAM_NAMES


class PolicyError(Exception):
    """The policy file is wrong; the message names the file and the bad key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QaRules(_Strict):
    """How the QA average and business errors come out of QA evaluations."""

    average: Literal["mean_of_sources", "all_evaluations"] = Field(
        default="mean_of_sources", description="mean_of_sources: (internal avg + external avg) / 2")
    missing_source: Literal["use_other", "no_bonus"] = Field(
        default="use_other",
        description="a source without evaluations: average the other alone, or fail the QA condition")
    business_errors: Literal["fatal_errors", "nonfatal_errors", "all_errors", "business_errors"] = Field(
        default="fatal_errors", description="which QA counts are business errors (business_errors: the "
                                            "evaluation's own business_errors; tariff errors are then apart)")


class Rounding(_Strict):
    quantum: Decimal = Field(default=Decimal("0.01"), gt=0, description="money is rounded to a multiple of this")
    mode: Literal["ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN", "ROUND_UP", "ROUND_FLOOR",
                  "ROUND_CEILING", "ROUND_HALF_DOWN"] = "ROUND_HALF_UP"

    def money(self, value: Decimal) -> Decimal:
        return value.quantize(self.quantum, rounding=getattr(decimal, self.mode))


class CsatLine(_Strict):
    kpi: Literal["csat_top2box", "csat_avg"] = Field(
        default="csat_top2box", description="csat_top2box: share of satisfied (4-5) answers")
    target: float = 0.90
    points: Decimal = Field(default=Decimal(10), ge=0, description="all when the target is met, else 0")


class DeductionLine(_Strict):
    points: Decimal = Field(default=Decimal(10), ge=0)
    per_unit: Decimal = Field(default=Decimal(5), ge=0, description="deducted per unit, never below 0")


class WorkloadLine(_Strict):
    points: Decimal = Field(default=Decimal(30), ge=0)
    target: float = Field(default=1.05, gt=0, description="output vs team average earning all the points")


class Card100(_Strict):
    """The 100-point monthly card of docs/kpi-sources.md: work quality 40, workload 30, attitude 15, teamwork 10.

    Work quality: CSAT (satisfied share >= 90 % gives 10, else 0), resolution
    speed (10 minus 5 per whole hour over the time limit), accuracy (10 minus 5
    per business error), compliance (10 minus 5 per breach); workload: the
    points times output vs team average / target, capped at the points;
    attitude and teamwork: the supervisor's scores (0..their weight).
    """

    csat: CsatLine = CsatLine()
    speed: DeductionLine = DeductionLine()
    accuracy: DeductionLine = DeductionLine()
    compliance: DeductionLine = DeductionLine()
    workload: WorkloadLine = WorkloadLine()
    attitude: Decimal = Field(default=Decimal(15), ge=0)
    teamwork: Decimal = Field(default=Decimal(10), ge=0)


class Target(_Strict):
    """A department target on a catalogue KPI of the whole month (``cckpi report`` with no grouping)."""

    kpi: str
    target: float
    comparison: Literal[">=", "<="] = ">="

    @model_validator(mode="after")
    def _catalogue_key(self) -> Target:
        from pipeline.core.kpi import METRIC_KEYS

        if self.kpi not in METRIC_KEYS:
            raise ValueError(f"kpi {self.kpi!r} is not a catalogue KPI; use one of {', '.join(METRIC_KEYS)}")
        return self


class Department(_Strict):
    """Department bonus and "best agent", as shares of the month's salary total (given per month).

    The department is the centre of the store: its targets are checked on the
    month's catalogue figures (inbound, every queue).  The best agent is the
    roster agent with the highest (``best_agent_comparison`` ">=") or lowest
    ("<=") value of a sheet column; tied agents share the amount equally.
    """

    salary_share: Decimal = Field(default=Decimal("0.01"), ge=0, description="paid when every target is met")
    targets: tuple[Target, ...] = ()
    best_agent_share: Decimal = Field(default=Decimal("0.005"), ge=0)
    best_agent_kpi: str = "card_total"
    best_agent_comparison: Literal[">=", "<="] = ">="


class Ranking(_Strict):
    """Points by rank on one KPI per day, week and month, and the points ledger (docs/kpi-sources.md)."""

    kpi: str = Field(default="handled", description="a catalogue KPI of `cckpi report --by agent`")
    comparison: Literal[">=", "<="] = Field(default=">=", description=">=: the highest value ranks first")
    day: tuple[int, ...] = (3, 2, 1)
    week: tuple[int, ...] = (5, 4, 2, 1)
    month: tuple[int, ...] = (10, 5, 2)
    redeemable_share: Decimal = Field(default=Decimal("0.8"), ge=0, le=1,
                                      description="share of the points available redeemable each month")

    @model_validator(mode="after")
    def _catalogue_key(self) -> Ranking:
        from pipeline.core.kpi import METRIC_KEYS

        if self.kpi not in METRIC_KEYS:
            raise ValueError(f"kpi {self.kpi!r} is not a catalogue KPI; use one of {', '.join(METRIC_KEYS)}")
        return self


# Figures of an agent's month a policy expression may name besides its inputs and KPIs.
ROLLUP_NAMES = tuple(name for name in AgentRollup.__dataclass_fields__ if name != "agent_id") + (
    "handled_total", "hours", "output_vs_team", "qa_avg_combined") + TEAM_NAMES


class Policy(_Strict):
    name: str = Field(min_length=1)
    source: str = Field(default="", description="the document (and part) the policy reads")
    currency: str = "CNY"
    rounding: Rounding = Rounding()
    qa: QaRules = QaRules()
    tiers: tuple[Tier, ...] = Field(default=(Tier(name="none", amount=Decimal(0)),), min_length=1,
                                    description="best first; the last one has no conditions")
    inputs: tuple[InputSpec, ...] = Field(default=(), description="declared supervisor inputs (payroll inputs)")
    kpis: dict[str, str] = Field(default_factory=dict, description="name -> expression over figures and inputs")
    point_card: PointCard | None = None
    points: PointsScheme | None = None
    hours: HourRules = HourRules()
    hire: HireRules = HireRules()
    card: tuple[CardKpi, ...] = ()
    card100: Card100 | None = None
    department: Department | None = None
    ranking: Ranking | None = None

    @model_validator(mode="after")
    def _check(self) -> Policy:
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError(f"tier names must be unique, got {names}")
        if not self.tiers[-1].unconditional:
            raise ValueError(f"the last tier ({self.tiers[-1].name}) is the fallback and must have no conditions")
        kpis = [c.kpi for c in self.card]
        if len(set(kpis)) != len(kpis):
            raise ValueError(f"card KPIs must be unique, got {kpis}")
        self._check_names()
        return self

    @property
    def pays_tiers(self) -> bool:
        """The policy names its bonus tiers (without them it pays no quality bonus, only cards or points)."""
        return "tiers" in self.model_fields_set

    def _check_names(self) -> None:
        """Every name an expression reads is a declared input, a KPI of the policy or a rollup figure."""
        inputs = [spec.name for spec in self.inputs]
        if len(set(inputs)) != len(inputs):
            raise ValueError(f"input names must be unique, got {inputs}")
        if len({spec.per for spec in self.inputs}) > 1:
            raise ValueError("inputs: every input is per month or every input is per day (one file shape)")
        hours = [self.hours.replaced_by] if self.hours.replaced_by else []
        for name in hours + list(self.hours.plus):
            if name not in inputs:
                raise ValueError(f"hours: {name!r} is not a declared input; declare it under inputs (kind amount)")
        known = set(ROLLUP_NAMES) | set(inputs)
        checks = [(f"kpis.{name}", expression, known) for name, expression in self.kpis.items()]
        known = known | set(self.kpis)
        for line in self.point_card.lines if self.point_card else ():
            checks += [(f"point_card.lines.{line.name}", expression, known) for expression in line.expressions]
        if self.points is not None:
            checks += [("points", expression, set(inputs)) for expression in self.points.expressions]
            ratio = self.points.ledger.value_ratio_of
            if ratio is not None:
                checks.append(("points.ledger.value_ratio_of", ratio, set(inputs)))
        for key, expression, names in checks:
            try:
                check(expression, names)
            except ExpressionError as exc:
                raise ValueError(f"{key}: {exc}") from None


def _explain(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        if not item["loc"]:  # a whole-policy check: its message names the key
            lines.append(f"{source}: {item['msg'].removeprefix('Value error, ')}")
        elif item["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key {where!r}; check its spelling against the example policy")
        else:
            lines.append(f"{source}: {where}: {item['msg']} (got {item.get('input')!r})")
    return "; ".join(lines)


def parse_policy(text: str, source: str = "policy") -> Policy:
    """A policy from YAML text; PolicyError names the bad key."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: must be a YAML mapping of policy keys")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_explain(exc, source)) from None


def load_policy(path: Path | str) -> tuple[Policy, str]:
    """The policy and its exact text (the text is what a closed month keeps).

    ``path`` is a file, or the name of a shipped policy (``cckpi payroll policies``)."""
    from pipeline.payroll.policies import shipped_text

    text = shipped_text(str(path))
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"policy {path}: cannot read it ({exc.strerror}); give a policy file or the name "
                              f"of a shipped policy (`cckpi payroll policies`)") from None
    return parse_policy(text, str(path)), text
