"""The additive components of section 3 as SQL over ``contact_facts``.

Per-queue thresholds come from the settings at read time through
``transform(queue, [...], [...], default)``, so changing a target in the TOML
file changes the next report without a replay.  Every contact is counted by
its own queue's ``sl_abandon_mode`` (the numerator and denominator are summed
per contact), which keeps a group of mixed queues exact.

FCR's repeat contact is a per-row comparison: the offered time of the same
customer's next inbound contact (``contact_next``, kept by every write through
``pipeline.store.next_contact``) against the contact's queue's window.  Only
the contacts the query reads are looked up in ``contact_next``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.settings import QueueSettings, Settings
from pipeline.store.engines import literal


def _per_queue(settings: Settings, field: str, scale: float = 1.0) -> str:
    def value(queue: QueueSettings) -> float | str:
        raw = getattr(queue, field)
        return raw if isinstance(raw, str) else float(raw) * scale

    default = literal(value(settings.queue_defaults))
    if not settings.queues:
        return default
    names = literal(list(settings.queues))
    values = literal([value(q) for q in settings.queues.values()])
    return f"transform(queue, {names}, {values}, {default})"


def per_contact_columns(settings: Settings) -> list[str]:
    """Inner-select expressions: one 0/1 flag or millisecond value per contact."""
    sl = _per_queue(settings, "sl_threshold_s", 1000)
    short = _per_queue(settings, "short_abandon_s", 1000)
    frt = _per_queue(settings, "frt_target_s", 1000)
    fcr = _per_queue(settings, "fcr_window_days", 86_400_000)
    mode = _per_queue(settings, "sl_abandon_mode")
    fcr_exclude = _per_queue(settings, "fcr_exclude_escalated")
    satisfied = _per_queue(settings, "csat_cutoff")
    return [
        "ifNull(wait_ms, 0) AS w",
        f"{sl} AS sl_ms",
        f"{mode} AS mode",
        f"is_abandoned AND w < {short} AS f_short",
        "is_answered AND w <= sl_ms AS f_answered_sl",
        "is_abandoned AND w <= sl_ms AS f_abandoned_sl",
        "f_answered_sl + (mode = 'count_as_met' AND f_abandoned_sl) AS f_sl_num",
        "multiIf(mode = 'exclude_short', 1 - f_short, mode = 'ignore', 1 - f_abandoned_sl, 1) AS f_sl_den",
        "is_answered AND wrapup_complete AS f_aht",
        "channel = 'chat' AND isNotNull(first_response_ms) AS f_frt",
        "ifNull(first_response_ms, 0) AS frt_value",
        "is_answered AND disposition != '' AS f_disposed",
        # FCR's population: the disposed contacts, less the escalated ones where the queue excludes them
        # (002: 首次解決客戶問題的比例 ... 需跨部門協作的問題除外); resolution_rate keeps every disposed contact
        f"f_disposed AND NOT ({fcr_exclude} = 1 AND disposition = 'escalated') AS f_fcr_counted",
        f"isNotNull(csat) AND ifNull(csat, 0) >= {satisfied} AS f_satisfied",
        # next_ms: the next inbound contact's offered time, 0 when there is none (no row in contact_next)
        f"next_ms > offered_ms AND next_ms <= offered_ms + {fcr} AS f_repeat",
        "f_disposed AND disposition = 'resolved' AS f_resolved",
        f"f_frt AND frt_value <= {frt} AS f_frt_ok",
    ]


# still waiting: offered and neither answered nor abandoned, and not ended either (a contact that left the
# queue by a transfer before an agent answered, FreeSWITCH's BREAK_OUT with a transfer, ended unanswered)
WAITING = "NOT is_answered AND NOT is_abandoned AND isNull(ended_ms)"
# component name -> outer aggregate over the per-contact columns; the last two are
# not additive: the FRT values for the p90 and the queues whose sl_abandon_mode applies
AGGREGATES: dict[str, str] = {
    "offered": "count()",
    "answered": "sum(is_answered)",
    "abandoned": "sum(is_abandoned)",
    # abandoned split by reason; '' is a contact stored before reasons were kept: the default, customer
    "abandoned_customer": "sum(is_abandoned AND abandon_reason IN ('customer', ''))",
    "abandoned_timeout": "sum(is_abandoned AND abandon_reason = 'timeout')",
    "abandoned_empty": "sum(is_abandoned AND abandon_reason = 'empty')",
    "abandoned_key": "sum(is_abandoned AND abandon_reason = 'key')",
    "time_conflicts": "sum(time_conflict)",
    "short_abandoned": "sum(f_short)",
    "answered_within_sl": "sum(f_answered_sl)",
    "abandoned_within_sl": "sum(f_abandoned_sl)",
    "waiting": f"sum({WAITING})",
    "sl_numerator": "sum(f_sl_num)",
    "sl_denominator": "sum(f_sl_den)",
    "wait_answered_sum_ms": "sum(if(is_answered, w, 0))",
    "aht_contacts": "sum(f_aht)",
    "handle_sum_ms": "sum(if(f_aht, ifNull(handle_ms, 0), 0))",
    "talk_sum_ms": "sum(if(f_aht, ifNull(talk_ms, 0), 0))",
    "hold_sum_ms": "sum(if(f_aht, hold_ms, 0))",
    "acw_sum_ms": "sum(if(f_aht, ifNull(acw_ms, 0), 0))",
    "frt_contacts": "sum(f_frt)",
    "frt_sum_ms": "sum(if(f_frt, frt_value, 0))",
    "frt_within_target": "sum(f_frt_ok)",
    "transferred": "sum(is_answered AND transferred)",
    "fcr_resolved": "sum(f_resolved AND NOT f_repeat)",
    "fcr_with_disposition": "sum(f_fcr_counted)",
    # resolution_rate (000 问题解决率, 001 Resolution Rate): resolved / disposed, no repeat window, no exclusion
    "resolved": "sum(f_resolved)",
    "disposed": "sum(f_disposed)",
    "csat_responses": "sum(isNotNull(csat))",
    "csat_sum": "sum(ifNull(csat, 0))",
    "csat_top2": "sum(f_satisfied)",  # at or above the queue's satisfied cut-off (4 on 1-5: the top 2 boxes)
    "nps_responses": "sum(isNotNull(nps))",
    "nps_promoters": "sum(ifNull(nps, 0) >= 9)",
    "nps_detractors": "sum(isNotNull(nps) AND ifNull(nps, 0) <= 6)",
    "frt_values_ms": "groupArrayIf(frt_value, f_frt)",
    "queues_seen": "groupUniqArray(queue)",
}
# what the pre-aggregates keep of FCR instead of ``fcr_resolved``, so that the window is applied when they are
# read: the resolved contacts with no later inbound contact, and for the others the gap to it
FCR_PARTS: dict[str, str] = {
    "fcr_unrepeated": "sum(f_resolved AND next_ms = 0)",
    "fcr_repeat_gaps_ms": "groupArrayIf(next_ms - offered_ms, f_resolved AND next_ms != 0)",
}


def thresholds(settings: Settings) -> str:
    """SQL: per contact (by its queue), the thresholds the components other than FCR depend on, as one string.

    Stored with each pre-aggregated row (``built_with``) and compared when it is
    read, so a changed target in the settings is never read from a row built
    with the old one.  The time zone is in it too: it places the daily rows.
    """
    def text(queue: QueueSettings) -> str:
        return (f"sl={float(queue.sl_threshold_s):g};short={float(queue.short_abandon_s):g};"
                f"frt={float(queue.frt_target_s):g};mode={queue.sl_abandon_mode};tz={settings.tz};"
                f"fcrx={int(queue.fcr_exclude_escalated)};csat={float(queue.csat_cutoff):g}")

    default = literal(text(settings.queue_defaults))
    if not settings.queues:
        return default
    return (f"transform(queue, {literal(list(settings.queues))}, "
            f"{literal([text(q) for q in settings.queues.values()])}, {default})")


def fcr_window_ms(settings: Settings) -> str:
    """SQL: the window of the row's queue, in ms (the same expression a per-contact FCR uses)."""
    return _per_queue(settings, "fcr_window_days", 86_400_000)


# Up to this much offered time, facts are found through ``contact_offers``; a longer range (a month's report,
# a replay's rebuild) reads most facts anyway, and scanning them costs less than a set of every contact id.
INDEXED_SPAN_MS = 2 * 86_400_000


def offered_in(ranges: Sequence[tuple[int, int]]) -> str:
    """``offered_ms`` in any of the half-open ranges (the same condition on the facts and on the index)."""
    if not ranges:
        return "0"
    return " OR ".join(f"(offered_ms >= {lo} AND offered_ms < {hi})" for lo, hi in ranges)


def offered_between(db: str, ranges: Sequence[tuple[int, int]]) -> str:
    """``contact_id IN (...)`` of the contacts offered in the half-open ranges, from ``contact_offers``.

    Only a narrowing for the primary key of ``contact_facts``: every query keeps
    its own condition on ``offered_ms``, so a stale index row changes nothing.
    """
    return f"contact_id IN (SELECT contact_id FROM {db}.contact_offers WHERE {offered_in(ranges)})"


def _narrowing(db: str, ranges: Sequence[tuple[int, int]] | None, indexed: bool = False) -> str:
    """``offered_between ... AND `` when the ranges are short enough to be worth it (or ``indexed``: the caller
    counted their contacts and knows they are few), else nothing."""
    if ranges is None or (not indexed and sum(hi - lo for lo, hi in ranges) > INDEXED_SPAN_MS):
        return ""
    return f"{offered_between(db, ranges)} AND "


def next_contacts(db: str, offered_ranges: Sequence[tuple[int, int]] | None, indexed: bool = False) -> str:
    """``contact_next`` as (contact_id, next_ms), only for the contacts offered in short ranges when known."""
    return (f"SELECT contact_id, min(next_offered_ms) AS next_ms FROM {db}.contact_next "
            f"WHERE {_narrowing(db, offered_ranges, indexed)}1 GROUP BY contact_id")


def contact_query(
    db: str, settings: Settings, keys: dict[str, str], where: str,
    offered_ranges: Sequence[tuple[int, int]] | None = None, fcr_parts: bool = False, indexed: bool = False,
) -> str:
    """Components grouped by ``keys`` (name -> expression over a fact), returned as ``k_<name>``.

    ``offered_ranges``: the ranges of offered time ``where`` keeps, when the
    caller knows them as numbers; short ones (``INDEXED_SPAN_MS``), or any when
    ``indexed``, are looked up in ``contact_offers`` instead of scanning every
    fact, and so are their next contacts.  ``fcr_parts`` adds ``FCR_PARTS``
    (for the pre-aggregates).
    """
    key_select = [f"{expr} AS k_{name}" for name, expr in keys.items()]
    inner = ", ".join(
        key_select
        + ["is_answered", "is_abandoned", "ended_ms", "wrapup_complete", "handle_ms", "talk_ms", "hold_ms", "acw_ms",
           "transferred", "disposition", "csat", "nps", "channel", "first_response_ms", "offered_ms", "queue",
           "abandon_reason", "time_conflict", "next_ms"]
        + per_contact_columns(settings)
    )
    aggregates = {**AGGREGATES, **(FCR_PARTS if fcr_parts else {})}
    outer = ", ".join([f"k_{name}" for name in keys] + [f"{agg} AS {name}" for name, agg in aggregates.items()])
    group = f" GROUP BY {', '.join('k_' + name for name in keys)}" if keys else ""
    return (
        f"SELECT {outer} FROM (SELECT {inner} FROM {db}.contact_facts FINAL "
        f"ANY LEFT JOIN ({next_contacts(db, offered_ranges, indexed)}) AS nexts USING contact_id "
        f"WHERE {_narrowing(db, offered_ranges, indexed)}{where}){group}"
    )
