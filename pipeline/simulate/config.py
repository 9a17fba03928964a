"""What a simulated contact centre looks like: queues, volume, period, staffing.

The config is a frozen dataclass so a run is fully described by it: the same
config (seed included) gives the same event stream, which is what makes the
simulator usable as a test fixture and as a reproducible demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Channel = Literal["voice", "chat"]

DEFAULT_QUEUES = "billing:voice:30,support:voice:35,sales:voice:15,webchat:chat:20"
# A fixed default day keeps "same seed, same args -> same file" true on any date.
DEFAULT_START = date(2026, 11, 2)


class ConfigError(ValueError):
    """A simulator option has a bad value; the message says which and why."""


@dataclass(frozen=True)
class QueueSpec:
    """One queue of the centre and its share of the inbound traffic."""

    name: str
    channel: Channel
    weight: float = 1.0


@dataclass(frozen=True)
class Behaviour:
    """Customer and agent behaviour; means in seconds, shares as fractions.

    Kept apart from the volume options so tests and the CLI tweak volume
    without restating every distribution.
    """

    voice_talk_mean_s: float = 210.0
    chat_talk_mean_s: float = 420.0
    talk_sigma: float = 0.6
    voice_acw_mean_s: float = 30.0
    chat_acw_mean_s: float = 20.0
    voice_patience_mean_s: float = 150.0
    chat_patience_mean_s: float = 240.0
    hold_share: float = 0.15
    hold_mean_s: float = 45.0
    transfer_share: float = 0.04
    outbound_share: float = 0.05
    repeat_share: float = 0.08
    unresolved_repeat_share: float = 0.35
    anonymous_share: float = 0.10
    csat_share: float = 0.25
    nps_share: float = 0.12
    late_survey_share: float = 0.15
    qa_share: float = 0.04
    complaint_share: float = 0.0005  # of contacts; most agents end a month with no valid complaint
    disposition_resolved: float = 0.78
    disposition_escalated: float = 0.07
    opening: time = time(8, 0)
    closing: time = time(20, 0)
    weekend_factor: float = 0.45


@dataclass(frozen=True)
class SimulationConfig:
    """Everything a run depends on; ``generate(config)`` is a pure function of it."""

    contacts: int = 5000
    days: int = 1
    seed: int = 1
    start: datetime | date = DEFAULT_START
    queues: tuple[QueueSpec, ...] = field(default_factory=lambda: parse_queues(DEFAULT_QUEUES))
    agents: int | None = None
    staffing: float = 1.0
    tz: str = "Asia/Shanghai"
    behaviour: Behaviour = field(default_factory=Behaviour)

    def __post_init__(self) -> None:
        if self.contacts < 0:
            raise ConfigError("contacts must be >= 0")
        if self.days < 1:
            raise ConfigError("days must be >= 1")
        if self.staffing <= 0:
            raise ConfigError("staffing must be > 0 (1.0 is the planned staffing, 0.5 half of it)")
        if self.agents is not None and self.agents < len(self.queues):
            raise ConfigError(f"agents must be at least the number of queues ({len(self.queues)})")
        if not self.queues:
            raise ConfigError("at least one queue is needed")
        if len({q.name for q in self.queues}) != len(self.queues):
            raise ConfigError("queue names must be unique")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"unknown time zone {self.tz!r}; use an IANA name such as Asia/Shanghai") from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def first_day(self) -> date:
        return self.start.date() if isinstance(self.start, datetime) else self.start


def parse_queues(text: str) -> tuple[QueueSpec, ...]:
    """``name:channel[:weight],...`` -> queue specs (weights are relative)."""
    specs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        parts = item.split(":")
        if len(parts) not in (2, 3) or not parts[0]:
            raise ConfigError(f"queue {item!r}: write name:channel or name:channel:weight")
        name, channel = parts[0], parts[1]
        if channel not in ("voice", "chat"):
            raise ConfigError(f"queue {item!r}: channel must be voice or chat")
        try:
            weight = float(parts[2]) if len(parts) == 3 else 1.0
        except ValueError:
            raise ConfigError(f"queue {item!r}: weight must be a number") from None
        if weight <= 0:
            raise ConfigError(f"queue {item!r}: weight must be > 0")
        specs.append(QueueSpec(name, channel, weight))  # type: ignore[arg-type]
    if not specs:
        raise ConfigError("no queue given")
    return tuple(specs)


def parse_start(text: str) -> datetime | date:
    """An ISO date (the whole day) or datetime (traffic from that moment on)."""
    try:
        if "T" in text or " " in text.strip():
            return datetime.fromisoformat(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"start {text!r}: use an ISO date (2026-11-02) or datetime (2026-11-02T09:00)") from None
