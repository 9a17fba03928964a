"""Plain values the payroll steps pass along: the month and one agent's rollup.

Kept free of the store and of the policy so the scorecard maths is testable
with hand-written figures alone.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Month:
    """A calendar month; its instants are taken in the centre's zone."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"month {text!r}: write YYYY-MM, e.g. 2026-10")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def minus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)

    def range_ms(self, tz: ZoneInfo) -> tuple[int, int]:
        """[local midnight of the 1st, local midnight of the next 1st) in epoch ms."""
        following = self.next()
        start = datetime(self.year, self.month, 1, tzinfo=tz)
        end = datetime(following.year, following.month, 1, tzinfo=tz)
        return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


@dataclass(frozen=True)
class AgentRollup:
    """One agent's month, as measured (no policy applied yet).

    Catalogue figures (AHT, FCR, CSAT, ...) come from the report builder, so
    they equal ``cckpi report --by agent`` for the same month; the QA split by
    source, complaint counts and handled-by-channel come from small extra
    queries.  ``None`` means no data (a ratio with a zero denominator).
    """

    agent_id: str
    handled_voice: int = 0
    handled_chat: int = 0
    handled_outbound: int = 0
    aht_s: float | None = None
    acw_share: float | None = None
    asa_s: float | None = None
    fcr_rate: float | None = None
    resolution_rate: float | None = None
    transfer_rate: float | None = None
    csat_avg: float | None = None
    csat_top2box: float | None = None
    csat_responses: int = 0
    nps: float | None = None
    complaint_rate: float | None = None
    qa_internal_evaluations: int = 0
    qa_internal_avg: float | None = None
    qa_internal_fatal: int = 0
    qa_internal_nonfatal: int = 0
    qa_external_evaluations: int = 0
    qa_external_avg: float | None = None
    qa_external_fatal: int = 0
    qa_external_nonfatal: int = 0
    # the counts qa.evaluated carries apart (business errors, tariff errors, fraud orders), per source
    qa_internal_business: int = 0
    qa_internal_tariff: int = 0
    qa_internal_fraud: int = 0
    qa_external_business: int = 0
    qa_external_tariff: int = 0
    qa_external_fraud: int = 0
    fatal_error_share: float | None = None
    nonfatal_accuracy: float | None = None
    complaints_valid: int = 0
    complaints_escalated: int = 0
    logged_in_s: float = 0.0
    occupancy: float | None = None
    team_output_avg: float | None = None

    @property
    def handled_total(self) -> int:
        return self.handled_voice + self.handled_chat + self.handled_outbound

    @property
    def hours(self) -> float:
        """Worked hours = logged-in time from agent states (every state but logged_out)."""
        return self.logged_in_s / 3600.0

    @property
    def output_vs_team(self) -> float | None:
        """Handled contacts / the team's average handled (1.05 = 105 % of the team average)."""
        if not self.team_output_avg:
            return None
        return self.handled_total / self.team_output_avg

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AdjustmentLine:
    """A correction of an earlier closed month, carried by a later close.

    ``amount`` = ``now`` (what the corrected month's data gives today, with the
    policy and roster it was closed with) - ``frozen`` (what it was closed at)
    - ``booked`` (corrections of that month already carried by other closes).
    Money as decimal strings, like the sheet rows.
    """

    agent_id: str
    for_month: str
    frozen: str
    now: str
    booked: str
    amount: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AgentInputs:
    """What a supervisor records per agent and month that no event carries (``payroll inputs``).

    ``None`` means not given: a score not given earns 0 on the 100-point card
    (with a reason), a count not given is 0; ``fraud_orders`` not given falls
    back to the roster's column.
    """

    agent_id: str
    attitude: Decimal | None = None
    teamwork: Decimal | None = None
    compliance_breaches: int = 0
    business_errors: int = 0
    fraud_orders: int | None = None
    callbacks_due: int = 0
    callbacks_done: int = 0
    tickets_due: int = 0
    tickets_in_time: int = 0
    hours_over_limit: int = 0
    values: Mapping[str, Decimal] = field(default_factory=dict)  # the policy's declared monthly inputs
    days: Mapping[date, Mapping[str, Decimal]] = field(default_factory=dict)  # its declared daily inputs

    @property
    def callback_rate(self) -> float | None:
        """Follow-up calls done / due (None when none were due)."""
        return self.callbacks_done / self.callbacks_due if self.callbacks_due else None

    @property
    def ticket_timeliness(self) -> float | None:
        """Tickets handled within their SLA / tickets due (None when none were due)."""
        return self.tickets_in_time / self.tickets_due if self.tickets_due else None
