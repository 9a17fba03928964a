"""Agent scorecard: handled contacts, handle time, transfers, FCR, CSAT and QA per agent, from ClickHouse.

The same components and attribution as ``cckpi report --by agent``; occupancy
and logged-in time come from agent-state intervals computed in Python, so they
are in the report and not on this dashboard.
"""

from __future__ import annotations

from pipeline.dashboards import grafana as g
from pipeline.store import panel_sql as sql
from pipeline.settings import Settings

UID = "cckpi-agent-scorecard"


def build(settings: Settings) -> g.JSON:
    overrides = [g.unit_override(name, "percentunit", 1) for name in sorted(sql.RATIOS & set(sql.AGENT_METRICS))]
    overrides += [g.unit_override(name, "s", 0) for name in sorted(sql.SECONDS & set(sql.AGENT_METRICS))]
    overrides.append(g.unit_override("csat_avg", "none", 2))
    panels = [
        g.table("Agents", [g.sql_target(sql.agent_scorecard(settings))], (0, 0, 24, 16),
                "Inbound contacts each agent answered in the time range (by offered time).", overrides=overrides),
        g.table("Quality evaluations", [g.sql_target(sql.agent_quality())], (0, 16, 24, 10),
                "QA evaluations by the time of the evaluated contact (or of the evaluation when it is unknown).",
                overrides=[g.unit_override("fatal_error_share", "percentunit", 1),
                           g.unit_override("qa_avg", "none", 1)]),
    ]
    variables = [g.constant_variable("database", settings.stack.database, "ClickHouse database of the pipeline")]
    return g.dashboard(UID, "Agent scorecard", panels, tags=["agents"],
                       description="Per-agent handling and quality for coaching and the monthly scorecards.",
                       time_from="now/M", time_to="now/M", variables=variables, tz=settings.tz)
