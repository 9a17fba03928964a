"""ClickHouse SQL of the Grafana dashboard panels (``pipeline/dashboards/`` lays them out), built on ``reads``.

Here, beside the store's other reads, so a column change touches ``pipeline/store/`` only.

The components (offered, answered, service-level numerator and denominator,
...) are summed from the pre-aggregates (``queue_intervals``,
``agent_intervals``), which hold exactly what the report's
``contact_query`` computes per 15-minute interval, and the ratios below mirror ``pipeline.core.kpi.compute``; so a panel and the
report cannot disagree about what a metric means.  Only the shared subset of
ClickHouse 18.16 and chDB is used.

Grafana fills in ``${database}`` (a hidden constant variable), ``${queue...}``
(template variables) and the plugin's macros ``$__fromTime``/``$__toTime``
(``toDateTime(<epoch seconds>)``).  The time filter is on ``offered_ms`` and
half-open, like the report's ``--from``/``--to``.

A panel that must answer within a wallboard refresh reads ``queue_intervals``
instead (``interval_metric``): the same components, already summed per
15-minute interval, so it reads a few hundred rows instead of every fact.
"""

from __future__ import annotations

import re

from pipeline.settings import Settings
from pipeline.store import reads
from pipeline.store.interval_sql import interval_start_sql
from pipeline.store.queue_intervals import COMPONENTS as INTERVAL_COMPONENTS

DB = "${database}"
QUEUES = "${queue:singlequote}"  # every selected queue, quoted: IN (...)
FROM_MS = "toInt64(toUInt32($__fromTime)) * 1000"
TO_MS = "toInt64(toUInt32($__toTime)) * 1000"


def _ratio(numerator: str, denominator: str, scale: float = 1.0) -> str:
    """``metrics.ratio``: NULL when the denominator is 0."""
    value = f"({numerator}) / ({denominator})" + (f" / {scale:g}" if scale != 1.0 else "")
    return f"if(({denominator}) = 0, NULL, {value})"


# report key -> SQL over the components (same formulas as metrics.compute)
METRICS: dict[str, str] = {
    "offered": "offered",
    "answered": "answered",
    "abandoned": "abandoned",
    "waiting": "waiting",
    "service_level": _ratio("sl_numerator", "sl_denominator"),
    "abandon_rate": _ratio("abandoned - short_abandoned", "offered - short_abandoned"),
    "answer_rate": _ratio("answered", "offered"),
    "asa_s": _ratio("wait_answered_sum_ms", "answered", 1000),
    "aht_s": _ratio("handle_sum_ms", "aht_contacts", 1000),
    "avg_talk_s": _ratio("talk_sum_ms", "aht_contacts", 1000),
    "avg_hold_s": _ratio("hold_sum_ms", "aht_contacts", 1000),
    "avg_acw_s": _ratio("acw_sum_ms", "aht_contacts", 1000),
    "frt_avg_s": _ratio("frt_sum_ms", "frt_contacts", 1000),
    "transfer_rate": _ratio("transferred", "answered"),
    "fcr_rate": _ratio("fcr_resolved", "fcr_with_disposition"),
    "resolution_rate": _ratio("resolved", "disposed"),
    "csat_avg": _ratio("csat_sum", "csat_responses"),
    "csat_responses": "csat_responses",
}
RATIOS = {"service_level", "abandon_rate", "answer_rate", "transfer_rate", "fcr_rate", "resolution_rate"}
SECONDS = {"asa_s", "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "frt_avg_s"}


def components(settings: Settings, keys: dict[str, str], where: list[str], table: str = "queue_intervals") -> str:
    """The components over the dashboard's time range (inbound contacts, like the report's default), summed from
    a pre-aggregate table (``pipeline.store.reads.interval_components``): a panel reads a few thousand 15-minute
    rows, never the facts (at 50 million contacts a month the facts took 30-105 s a panel).

    The same choice as ``interval_metric``: the panel counts the 15-minute
    intervals starting in the range; for a range on 15-minute boundaries (a
    day, a month, midnight to now) those are exactly the contacts offered in it.
    """
    conditions = ["direction = 'inbound'", "interval_start >= $__fromTime AND interval_start < $__toTime", *where]
    return reads.interval_components(DB, settings, table, keys, conditions)


def _start(interval: str, settings: Settings) -> str:
    """A pre-aggregated row's local interval start (epoch seconds), like ``interval_start_sql`` on a fact."""
    return interval_start_sql("interval_ms", interval, settings.tz)


def _select(metrics: list[str]) -> str:
    return ", ".join(METRICS[name] if METRICS[name] == name else f"{METRICS[name]} AS {name}" for name in metrics)


QUEUE_METRICS = ["offered", "answered", "abandoned", "service_level", "abandon_rate", "answer_rate", "asa_s",
                 "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "frt_avg_s", "transfer_rate", "fcr_rate",
                 "resolution_rate", "csat_avg"]


def queue_intervals(settings: Settings, interval: str) -> str:
    """One row per queue and local interval (``15m``/``30m``), like an ACD interval report."""
    inner = components(settings, {"queue": "queue", "interval": _start(interval, settings)}, [f"queue IN ({QUEUES})"])
    return (f"SELECT toDateTime(k_interval) AS interval_start, k_queue AS queue, {_select(QUEUE_METRICS)} "
            f"FROM ({inner}) ORDER BY interval_start, queue")


def queue_totals(settings: Settings) -> str:
    """One row per queue for the whole time range."""
    inner = components(settings, {"queue": "queue"}, [f"queue IN ({QUEUES})"])
    return f"SELECT k_queue AS queue, {_select(QUEUE_METRICS)} FROM ({inner}) ORDER BY queue"


def service_level_series(settings: Settings, interval: str) -> str:
    """Service level per queue and interval as a time series (time, queue, value)."""
    inner = components(settings, {"queue": "queue", "interval": _start(interval, settings)}, [f"queue IN ({QUEUES})"])
    return (f"SELECT toDateTime(k_interval) AS time, k_queue AS queue, {METRICS['service_level']} AS service_level "
            f"FROM ({inner}) ORDER BY time, queue")


AGENT_METRICS = ["answered", "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "transfer_rate", "fcr_rate",
                 "resolution_rate", "csat_avg", "csat_responses"]


def agent_scorecard(settings: Settings) -> str:
    """One row per agent: handled contacts and handling quality over the local days starting in the time range
    (the scorecard's ranges are days and months: "this month" is the days of the month so far)."""
    # the agents' local days: a month is 60,000 rows for 2,000 agents, not 5.8 million 15-minute ones
    inner = components(settings, {"agent": "agent_id"}, ["agent_id != ''"], table="agent_days")
    # queues_handled also keeps the inner `queue` column in use: ClickHouse 18.16 prunes unused subquery
    # columns and then fails on transform(queue, ...) with "Unknown identifier: queue"
    return (f"SELECT k_agent AS agent_id, length(queues_seen) AS queues_handled, {_select(AGENT_METRICS)} "
            f"FROM ({inner}) ORDER BY agent_id")


def agent_quality() -> str:
    """QA evaluations per agent, attributed like the report: to the contact's offered time when known."""
    # only the evaluated contacts: the whole facts table would be the join's in-memory right side
    facts = (f"SELECT contact_id, has_offered, offered_ms, direction FROM {DB}.contact_facts FINAL "
             f"WHERE has_offered AND contact_id IN (SELECT contact_id FROM {DB}.qa_evaluations)")
    when = "if(has_offered, offered_ms, ts_ms)"
    return (
        f"SELECT agent_id, count() AS qa_evaluations, {reads.QA_SCORE_SUM} / count() AS qa_avg, "
        f"sum(fatal_errors > 0) / count() AS fatal_error_share "
        f"FROM {DB}.qa_evaluations FINAL ANY LEFT JOIN ({facts}) AS facts USING contact_id "
        f"WHERE {when} >= {FROM_MS} AND {when} < {TO_MS} AND (NOT has_offered OR direction = 'inbound') "
        f"AND agent_id != '' GROUP BY agent_id ORDER BY agent_id"
    )


def _components_of(metric: str) -> list[str]:
    """The component columns ``METRICS[metric]`` reads (identifiers that are not function calls or NULL)."""
    names = re.findall(r"\b([a-z_][a-z0-9_]*)\b(?!\s*\()", METRICS[metric])
    return sorted({name for name in names if name != "NULL"})


def interval_metric(metric: str, where: list[str]) -> str:
    """One metric over the time range from ``queue_intervals``, inbound contacts (one row).

    The components are summed over the table's 15-minute rows, then combined by
    the same ``METRICS`` expression as every other panel (NULL when the
    denominator is 0), so the number is the report's.  The choice this makes:
    the time filter is on ``interval_start``, so the panel counts the contacts
    of every whole 15-minute interval (local clock) *starting* in the range,
    not the contacts offered in it.  For a range from a local interval boundary
    to now (the wallboard's "today": local midnight to now) the two are the
    same contacts; for a range starting mid-interval they are not.

    Only metrics whose every component is a column of ``queue_intervals`` can be
    read this way: ``fcr_rate`` depends on later contacts and is not stored
    there, so asking for it is an error rather than a wrong number.
    """
    needed = _components_of(metric)
    missing = [name for name in needed if name not in INTERVAL_COMPONENTS]
    if missing:
        raise ValueError(f"{metric} needs {', '.join(missing)}, which queue_intervals does not hold; "
                         f"read it from the facts (components())")
    sums = ", ".join(f"sum({name}) AS {name}" for name in needed)
    conditions = ["direction = 'inbound'", "interval_start >= $__fromTime AND interval_start < $__toTime", *where]
    inner = f"SELECT {sums} FROM {DB}.queue_intervals FINAL WHERE {' AND '.join(conditions)}"
    return f"SELECT {_select([metric])} FROM ({inner})"


def queue_today(queue: str, metric: str) -> str:
    """One metric of one queue over the time range (the wallboard's "today" numbers), from ``queue_intervals``.

    The facts are ordered by contact id and not partitioned, so the same
    number from ``contact_facts`` scans every fact (28.7 s at 50 million);
    ``queue_intervals`` answers in milliseconds.  The wallboard's range starts
    at local midnight, an interval boundary, so whole intervals give exactly
    the contacts offered since midnight (see ``interval_metric``).
    """
    return interval_metric(metric, [f"queue = {queue}"])


def queue_names() -> str:
    """The values of the ``queue`` variable: every queue with contacts (a queue has a 15-minute row per interval
    with a contact, so the small table answers)."""
    return (f"SELECT queue FROM (SELECT queue, sum(offered) AS contacts FROM {DB}.queue_intervals FINAL "
            f"GROUP BY queue) WHERE contacts > 0 ORDER BY queue")
