"""The agent roster: what payroll needs that no event carries.

CSV (header ``agent_id,name,team,hire_date[,leave_date][,fraud_orders][,seat_group]``) or
YAML (a list of mappings with the same keys).  ``fraud_orders`` is the month's
count of fraud orders confirmed for the agent: no event carries fraud, so it
is a payroll input (0 when absent).  Errors name the file, the row and the key.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

REQUIRED = ("agent_id", "name", "team", "hire_date")
OPTIONAL = ("leave_date", "fraud_orders", "seat_group")


class RosterError(Exception):
    """The roster file is wrong; the message names the row and the key."""


@dataclass(frozen=True)
class RosterEntry:
    agent_id: str
    name: str
    team: str
    hire_date: date
    leave_date: date | None = None
    fraud_orders: int = 0
    seat_group: str = ""  # the agent's seat group: its own policy with --policy-for GROUP=FILE

    def active_in(self, first: date, last: date) -> bool:
        """Employed on some day from ``first`` to ``last`` (inclusive)."""
        return self.hire_date <= last and (self.leave_date is None or self.leave_date >= first)

    def as_json(self) -> dict[str, Any]:
        return {"agent_id": self.agent_id, "name": self.name, "team": self.team,
                "hire_date": self.hire_date.isoformat(),
                "leave_date": self.leave_date.isoformat() if self.leave_date else None,
                "fraud_orders": self.fraud_orders,
                **({"seat_group": self.seat_group} if self.seat_group else {})}


Roster = dict[str, RosterEntry]


def _date(value: Any, where: str, key: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise RosterError(f"{where}: {key} {value!r} is not a date; write YYYY-MM-DD") from None


def _entry(raw: dict[str, Any], where: str) -> RosterEntry:
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise RosterError(f"{where}: unknown key {unknown[0]!r}; keys are {', '.join(REQUIRED + OPTIONAL)}")
    missing = [k for k in REQUIRED if raw.get(k) in (None, "")]
    if missing:
        raise RosterError(f"{where}: {missing[0]} is missing")
    leave = raw.get("leave_date")
    fraud = raw.get("fraud_orders")
    try:
        fraud_orders = int(fraud) if fraud not in (None, "") else 0
    except (TypeError, ValueError):
        raise RosterError(f"{where}: fraud_orders {fraud!r} is not a whole number") from None
    if fraud_orders < 0:
        raise RosterError(f"{where}: fraud_orders {fraud_orders} is negative")
    entry = RosterEntry(
        agent_id=str(raw["agent_id"]).strip(), name=str(raw["name"]).strip(), team=str(raw["team"]).strip(),
        hire_date=_date(raw["hire_date"], where, "hire_date"),
        leave_date=_date(leave, where, "leave_date") if leave not in (None, "") else None,
        fraud_orders=fraud_orders, seat_group=str(raw.get("seat_group") or "").strip(),
    )
    if entry.leave_date and entry.leave_date < entry.hire_date:
        raise RosterError(f"{where}: leave_date {entry.leave_date} is before hire_date {entry.hire_date}")
    return entry


def parse_roster(text: str, source: str = "roster", fmt: str = "csv") -> Roster:
    """Entries by agent id; a repeated agent id is an error (which row would pay?)."""
    if fmt == "csv":
        rows: list[Any] = list(csv.DictReader(io.StringIO(text)))
        offset = 2  # row 1 is the header
    else:
        try:
            rows = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            raise RosterError(f"{source}: not valid YAML ({exc})") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise RosterError(f"{source}: a YAML roster is a list of mappings (agent_id, name, team, hire_date)")
        offset = 1
    roster: Roster = {}
    for index, raw in enumerate(rows):
        where = f"{source} row {index + offset}"
        entry = _entry({k.strip() if isinstance(k, str) else k: v for k, v in raw.items()}, where)
        if entry.agent_id in roster:
            raise RosterError(f"{where}: agent {entry.agent_id!r} is listed twice")
        roster[entry.agent_id] = entry
    return roster


def load_roster(path: Path) -> tuple[Roster, str]:
    """The roster and its exact text (kept by a closed month)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RosterError(f"roster {path}: cannot read it ({exc.strerror})") from None
    fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "csv"
    return parse_roster(text, str(path), fmt), text
