"""A roster team's month from its agents' rollups: the figures a supervisor's card (000) is scored on.

Each is summed from the agents' counts, never an average of their ratios:
- ``team_csat_avg`` = sum(csat_avg x responses) / sum(responses) (the team's answers' mean);
- ``team_csat_top2box`` = satisfied answers / answers, the same way;
- ``team_qa_avg`` = the mean over every QA evaluation of the team's agents (both sources);
- ``team_handled`` = contacts handled (voice, chat, outbound); ``team_complaints_valid``;
- ``team_complaint_rate`` = valid complaints / inbound contacts handled (voice + chat);
- ``team_agents`` = agents of the team with a row this month.
A figure without data (no answers, no evaluations) is None.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from pipeline.payroll.model import AgentRollup
from pipeline.payroll.roster import Roster

TEAM_NAMES = ("team_csat_avg", "team_csat_top2box", "team_qa_avg", "team_handled", "team_complaints_valid",
              "team_complaint_rate", "team_agents")


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def team_figures(agents: Iterable[AgentRollup], roster: Roster) -> dict[str, Mapping[str, float | None]]:
    """Figures per roster team (agents not in the roster belong to no team)."""
    members: dict[str, list[AgentRollup]] = defaultdict(list)
    for agent in agents:
        if agent.agent_id in roster:
            members[roster[agent.agent_id].team].append(agent)
    out: dict[str, Mapping[str, float | None]] = {}
    for team, rows in members.items():
        answers = sum(a.csat_responses for a in rows)
        evaluations = sum(a.qa_internal_evaluations + a.qa_external_evaluations for a in rows)
        score_sum = sum((a.qa_internal_avg or 0) * a.qa_internal_evaluations
                        + (a.qa_external_avg or 0) * a.qa_external_evaluations for a in rows)
        inbound = sum(a.handled_voice + a.handled_chat for a in rows)
        valid = sum(a.complaints_valid for a in rows)
        out[team] = {
            "team_csat_avg": _ratio(sum((a.csat_avg or 0) * a.csat_responses for a in rows), answers),
            "team_csat_top2box": _ratio(sum((a.csat_top2box or 0) * a.csat_responses for a in rows), answers),
            "team_qa_avg": _ratio(score_sum, evaluations),
            "team_handled": sum(a.handled_total for a in rows),
            "team_complaints_valid": valid,
            "team_complaint_rate": _ratio(valid, inbound),
            "team_agents": len(rows),
        }
    return out
