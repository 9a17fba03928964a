"""ClickHouse SQL of the dashboard panels, built on ``pipeline.store.components_sql``.

The components (offered, answered, service-level numerator and denominator,
...) come from ``contact_query``, the same SQL ``cckpi report`` runs, and the
ratios below mirror ``pipeline.core.metrics.compute``; so a panel and the
report cannot disagree about what a metric means.  Only the shared subset of
ClickHouse 18.16 and chDB is used.

Grafana fills in ``${database}`` (a hidden constant variable), ``${queue...}``
(template variables) and the plugin's macros ``$__fromTime``/``$__toTime``
(``toDateTime(<epoch seconds>)``).  The time filter is on ``offered_ms`` and
half-open, like the report's ``--from``/``--to``.
"""

from __future__ import annotations

from typing import cast

from pipeline.core import intervals
from pipeline.settings import Settings
from pipeline.store.components_sql import contact_query

DB = "${database}"
QUEUES = "${queue:singlequote}"  # every selected queue, quoted: IN (...)
FROM_MS = "toInt64(toUInt32($__fromTime)) * 1000"
TO_MS = "toInt64(toUInt32($__toTime)) * 1000"


def _ratio(numerator: str, denominator: str, scale: float = 1.0) -> str:
    """``metrics.ratio``: NULL when the denominator is 0."""
    value = f"({numerator}) / ({denominator})" + (f" / {scale:g}" if scale != 1.0 else "")
    return f"if(({denominator}) = 0, NULL, {value})"


# report key -> SQL over the components of contact_query (same formulas as metrics.compute)
METRICS: dict[str, str] = {
    "offered": "offered",
    "answered": "answered",
    "abandoned": "abandoned",
    "waiting": "waiting",
    "service_level": _ratio("sl_numerator", "sl_denominator"),
    "abandon_rate": _ratio("abandoned - short_abandoned", "offered - short_abandoned"),
    "asa_s": _ratio("wait_answered_sum_ms", "answered", 1000),
    "aht_s": _ratio("handle_sum_ms", "aht_contacts", 1000),
    "avg_talk_s": _ratio("talk_sum_ms", "aht_contacts", 1000),
    "avg_hold_s": _ratio("hold_sum_ms", "aht_contacts", 1000),
    "avg_acw_s": _ratio("acw_sum_ms", "aht_contacts", 1000),
    "frt_avg_s": _ratio("frt_sum_ms", "frt_contacts", 1000),
    "transfer_rate": _ratio("transferred", "answered"),
    "fcr_rate": _ratio("fcr_resolved", "fcr_with_disposition"),
    "csat_avg": _ratio("csat_sum", "csat_responses"),
    "csat_responses": "csat_responses",
}
RATIOS = {"service_level", "abandon_rate", "transfer_rate", "fcr_rate"}
SECONDS = {"asa_s", "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "frt_avg_s"}


def _longest_fcr_ms(settings: Settings) -> int:
    days = max([settings.queue_defaults.fcr_window_days] + [q.fcr_window_days for q in settings.queues.values()])
    return int(days * 86_400_000)


def components(settings: Settings, keys: dict[str, str], where: list[str]) -> str:
    """``contact_query`` over the dashboard's time range (inbound contacts, like the report's default)."""
    conditions = ["has_offered AND direction = 'inbound'", f"offered_ms >= {FROM_MS} AND offered_ms < {TO_MS}", *where]
    # contact_query formats the repeat-contact range into SQL text, so SQL expressions fit where ints usually go
    repeat_from = cast(int, FROM_MS)
    repeat_to = cast(int, f"{TO_MS} + {_longest_fcr_ms(settings)}")
    return contact_query(DB, settings, keys, " AND ".join(conditions), repeat_from, repeat_to)


def _select(metrics: list[str]) -> str:
    return ", ".join(METRICS[name] if METRICS[name] == name else f"{METRICS[name]} AS {name}" for name in metrics)


QUEUE_METRICS = ["offered", "answered", "abandoned", "service_level", "abandon_rate", "asa_s", "aht_s",
                 "avg_talk_s", "avg_hold_s", "avg_acw_s", "frt_avg_s", "transfer_rate", "fcr_rate", "csat_avg"]


def queue_intervals(settings: Settings, interval: str) -> str:
    """One row per queue and local interval (``15m``/``30m``), like an ACD interval report."""
    start = intervals.sql_start("offered_ms", interval, settings.tz)
    inner = components(settings, {"queue": "queue", "interval": start}, [f"queue IN ({QUEUES})"])
    return (f"SELECT toDateTime(k_interval) AS interval_start, k_queue AS queue, {_select(QUEUE_METRICS)} "
            f"FROM ({inner}) ORDER BY interval_start, queue")


def queue_totals(settings: Settings) -> str:
    """One row per queue for the whole time range."""
    inner = components(settings, {"queue": "queue"}, [f"queue IN ({QUEUES})"])
    return f"SELECT k_queue AS queue, {_select(QUEUE_METRICS)} FROM ({inner}) ORDER BY queue"


def service_level_series(settings: Settings, interval: str) -> str:
    """Service level per queue and interval as a time series (time, queue, value)."""
    start = intervals.sql_start("offered_ms", interval, settings.tz)
    inner = components(settings, {"queue": "queue", "interval": start}, [f"queue IN ({QUEUES})"])
    return (f"SELECT toDateTime(k_interval) AS time, k_queue AS queue, {METRICS['service_level']} AS service_level "
            f"FROM ({inner}) ORDER BY time, queue")


AGENT_METRICS = ["answered", "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "transfer_rate", "fcr_rate",
                 "csat_avg", "csat_responses"]


def agent_scorecard(settings: Settings) -> str:
    """One row per agent: handled contacts and handling quality over the time range."""
    inner = components(settings, {"agent": "agent_id"}, ["agent_id != ''"])
    # queues_handled also keeps the inner `queue` column in use: ClickHouse 18.16 prunes unused subquery
    # columns and then fails on transform(queue, ...) with "Unknown identifier: queue"
    return (f"SELECT k_agent AS agent_id, length(queues_seen) AS queues_handled, {_select(AGENT_METRICS)} "
            f"FROM ({inner}) ORDER BY agent_id")


def agent_quality() -> str:
    """QA evaluations per agent, attributed like the report: to the contact's offered time when known."""
    facts = (f"SELECT contact_id, has_offered, offered_ms, direction FROM {DB}.contact_facts FINAL "
             f"WHERE has_offered")
    when = "if(has_offered, offered_ms, ts_ms)"
    return (
        f"SELECT agent_id, count() AS qa_evaluations, sum(score) / count() AS qa_avg, "
        f"sum(fatal_errors > 0) / count() AS fatal_error_share "
        f"FROM {DB}.qa_evaluations FINAL ANY LEFT JOIN ({facts}) AS facts USING contact_id "
        f"WHERE {when} >= {FROM_MS} AND {when} < {TO_MS} AND (NOT has_offered OR direction = 'inbound') "
        f"AND agent_id != '' GROUP BY agent_id ORDER BY agent_id"
    )


def queue_today(settings: Settings, queue: str, metric: str) -> str:
    """One metric of one queue over the time range (the wallboard's "today" numbers)."""
    inner = components(settings, {"queue": "queue"}, [f"queue = {queue}"])
    return f"SELECT {_select([metric])} FROM ({inner})"


def queue_names() -> str:
    """The values of the ``queue`` variable: every queue with contacts."""
    return f"SELECT DISTINCT queue FROM {DB}.contact_facts FINAL WHERE has_offered ORDER BY queue"
