"""Queue intervals: 15- and 30-minute rows per queue, like an ACD interval report, from ClickHouse.

Every number is the report's (``cckpi report --by queue,interval``): the panels
run the same component SQL, so supervisors and payroll see one truth.
"""

from __future__ import annotations

from pipeline.dashboards import grafana as g
from pipeline.store import panel_sql as sql
from pipeline.settings import Settings

UID = "cckpi-queue-intervals"


def _overrides() -> list[g.JSON]:
    out = [g.unit_override(name, "percentunit", 1) for name in sorted(sql.RATIOS & set(sql.QUEUE_METRICS))]
    out += [g.unit_override(name, "s", 1) for name in sorted(sql.SECONDS & set(sql.QUEUE_METRICS))]
    out.append(g.unit_override("interval_start", "dateTimeAsLocal"))
    return out


def build(settings: Settings) -> g.JSON:
    panels = [
        g.table("Queues over the period", [g.sql_target(sql.queue_totals(settings))], (0, 0, 24, 6),
                "One row per queue for the chosen time range (inbound contacts by offered time).",
                overrides=_overrides()),
        g.timeseries("Service level by 30 minutes",
                     [g.sql_target(sql.service_level_series(settings, "30m"), fmt=g.FORMAT_TIME_SERIES)],
                     "percentunit", (0, 6, 24, 8), "Service level of contacts offered in each half hour"),
        g.row("15-minute intervals", 14),
        g.table("15-minute intervals", [g.sql_target(sql.queue_intervals(settings, "15m"))], (0, 15, 24, 14),
                "One row per queue and quarter hour, in the centre's time zone.", overrides=_overrides()),
        g.row("30-minute intervals", 29, collapsed=True, panels=[
            g.table("30-minute intervals", [g.sql_target(sql.queue_intervals(settings, "30m"))], (0, 30, 24, 14),
                    "One row per queue and half hour, in the centre's time zone.", overrides=_overrides()),
        ]),
    ]
    variables = [
        g.constant_variable("database", settings.stack.database, "ClickHouse database of the pipeline"),
        g.query_variable("queue", "Queue", g.CLICKHOUSE, sql.queue_names()),
    ]
    return g.dashboard(UID, "Queue intervals", panels, tags=["queues", "intervals"],
                       description="ACD-style interval report per queue from the contact facts in ClickHouse.",
                       time_from="now/d", time_to="now/d", variables=variables, tz=settings.tz)
