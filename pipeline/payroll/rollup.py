"""One calendar month (centre's zone) per agent, from the store.

The catalogue figures come from ``build_report(by=agent)`` so a payroll figure
and ``cckpi report --by agent`` can never disagree; three small queries add
what payroll needs and the report lacks: handled by channel and direction (and
the resolution rate), QA split by internal/external source, and counts of
valid and escalated complaints.  Attribution is the report's: a contact counts
in the month it was offered in; a QA evaluation or complaint in its contact's
month (its own time when the contact is unknown).  Unlike the report (inbound
only), QA and complaints on outbound contacts count too: they are the agent's
work.  Hours are logged-in time from agent states clipped to the month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from pipeline.payroll.model import AgentRollup, Month
from pipeline.payroll.roster import Roster
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import Settings
from pipeline.store import reads
from pipeline.store.engines import Columns
from pipeline.store.store import Store

NOT_IN_ROSTER_TEAM = "(not in roster)"
# catalogue keys taken as they are from the report's agent rows
FROM_REPORT = ("aht_s", "acw_share", "asa_s", "fcr_rate", "transfer_rate", "csat_avg", "csat_top2box",
               "csat_responses", "nps", "complaint_rate", "fatal_error_share", "nonfatal_accuracy", "occupancy",
               "logged_in_s")


@dataclass(frozen=True)
class MonthRollup:
    month: Month
    tz: str
    start_ms: int
    end_ms: int
    agents: tuple[AgentRollup, ...]
    not_in_roster: tuple[str, ...]


def monthly_rollup(store: Store, month: Month, settings: Settings, roster: Roster) -> MonthRollup:
    start_ms, end_ms = month.range_ms(settings.zone)
    figures: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in build_report(store, ReportRequest(start_ms, end_ms, by=("agent",)), settings):
        figures[row["agent_id"]].update({k: row[k] for k in FROM_REPORT if row.get(k) is not None})
    for agent, extra in _handled(store, start_ms, end_ms).items():
        figures[agent].update(extra)
    for agent, extra in _qa_by_source(store, start_ms, end_ms).items():
        figures[agent].update(extra)
    for agent, extra in _complaints(store, start_ms, end_ms).items():
        figures[agent].update(extra)
    for entry in roster.values():
        if entry.active_in(month.first, month.last):
            figures.setdefault(entry.agent_id, {})  # an agent with no contacts still gets a row
    agents = [AgentRollup(agent_id=agent, **values) for agent, values in sorted(figures.items())]
    agents = _with_team_averages(agents, roster)
    missing = tuple(a.agent_id for a in agents if a.agent_id not in roster)
    return MonthRollup(month, settings.tz, start_ms, end_ms, tuple(agents), missing)


def _with_team_averages(agents: list[AgentRollup], roster: Roster) -> list[AgentRollup]:
    """Output vs team: each agent's handled against the mean of the agents of their roster team."""
    def team(agent_id: str) -> str:
        entry = roster.get(agent_id)
        return entry.team if entry else NOT_IN_ROSTER_TEAM

    handled: dict[str, list[int]] = defaultdict(list)
    for agent in agents:
        handled[team(agent.agent_id)].append(agent.handled_total)
    means = {name: sum(values) / len(values) for name, values in handled.items()}
    return [replace(a, team_output_avg=means[team(a.agent_id)]) for a in agents]


def _handled(store: Store, start_ms: int, end_ms: int) -> dict[str, dict[str, Any]]:
    """Answered contacts by channel (inbound) and outbound; resolution rate of the inbound ones."""
    result = reads.answered_by_agent(store, start_ms, end_ms)
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"handled_voice": 0, "handled_chat": 0,
                                                           "handled_outbound": 0})
    resolution: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for agent, channel, direction, handled, resolved, disposed in zip(
            result["agent_id"], result["channel"], result["direction"], result["handled"], result["resolved"],
            result["disposed"]):
        row = out[agent]
        if direction == "outbound":
            row["handled_outbound"] += int(handled)
            continue
        row["handled_chat" if channel == "chat" else "handled_voice"] += int(handled)
        resolution[agent][0] += int(resolved)
        resolution[agent][1] += int(disposed)
    for agent, (resolved, disposed) in resolution.items():
        out[agent]["resolution_rate"] = resolved / disposed if disposed else None
    return dict(out)


def _attributed(store: Store, table: str, keys: dict[str, str], aggregates: str, start_ms: int,
                end_ms: int) -> Columns:
    """QA evaluations or complaints in the month of their contact's offer (their own time if it is unknown)."""
    when = "if(has_offered, offered_ms, ts_ms)"
    return reads.side_components(store, table, keys, [f"{when} >= {start_ms}", f"{when} < {end_ms}"], aggregates)


def _qa_by_source(store: Store, start_ms: int, end_ms: int) -> dict[str, dict[str, Any]]:
    result = _attributed(store, "qa_evaluations", {"agent_id": "agent_id", "source": "source"},
                         f"count() AS n, {reads.QA_SCORE_SUM} AS score_sum, sum(fatal_errors) AS fatal, "
                         "sum(nonfatal_errors) AS nonfatal, sum(business_errors) AS business, "
                         "sum(tariff_errors) AS tariff, sum(fraud_orders) AS fraud", start_ms, end_ms)
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    for agent, source, n, score_sum, fatal, nonfatal, business, tariff, fraud in zip(
            result.get("k_agent_id", ()), result.get("k_source", ()), result.get("n", ()), result.get("score_sum", ()),
            result.get("fatal", ()), result.get("nonfatal", ()), result.get("business", ()),
            result.get("tariff", ()), result.get("fraud", ())):
        side = "external" if source == "external" else "internal"
        out[agent].update({f"qa_{side}_evaluations": int(n), f"qa_{side}_avg": float(score_sum) / int(n),
                           f"qa_{side}_fatal": int(fatal), f"qa_{side}_nonfatal": int(nonfatal),
                           f"qa_{side}_business": int(business), f"qa_{side}_tariff": int(tariff),
                           f"qa_{side}_fraud": int(fraud)})
    return dict(out)


def _complaints(store: Store, start_ms: int, end_ms: int) -> dict[str, dict[str, Any]]:
    result = _attributed(store, "complaints", {"agent_id": "agent_id"}, "sum(valid) AS valid, "
                         "sum(escalated) AS escalated", start_ms, end_ms)
    return {agent: {"complaints_valid": int(valid), "complaints_escalated": int(escalated)} for agent, valid, escalated
            in zip(result.get("k_agent_id", ()), result.get("valid", ()), result.get("escalated", ()))}
