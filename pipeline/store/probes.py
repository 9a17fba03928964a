"""Reads that only measure: the benchmark's progress probes and same-run baselines.

They live with the rest of the store's SQL so a column change is found in one
place; nothing but ``pipeline.bench`` calls them.  A baseline is deliberately
the plainest query over the same rows (no FINAL, no join), the floor that a
report or rollup is compared with.
"""

from __future__ import annotations

from pipeline.store.engines import Engine, literal


def events_stored(engine: Engine, db: str) -> tuple[int, int]:
    """(events stored, newest ingested ms; 0 when none)."""
    got = engine.query(f"SELECT count() AS n, max(ingested_ms) AS m FROM {db}.events")
    n = int(got["n"][0])
    return n, int(got["m"][0]) if n else 0


def events_ingested_after(engine: Engine, db: str, after_ms: int) -> list[tuple[int, int]]:
    """(event ts ms, ingested ms) of the events stored after ``after_ms``."""
    got = engine.query(f"SELECT ts_ms, ingested_ms FROM {db}.events WHERE ingested_ms > {after_ms}")
    return [(int(ts), int(ingested)) for ts, ingested in zip(got["ts_ms"], got["ingested_ms"])]


def worker_progress(engine: Engine, db: str) -> tuple[int, int, int, int, int]:
    """(events stored, first flush ms, events of the first flush, newest fact version, newest interval version)."""
    q = engine.query
    events = q(f"SELECT count() AS n, min(ingested_ms) AS first FROM {db}.events")
    n, first = int(events["n"][0]), int(events["first"][0]) if events["n"][0] else 0
    first_n = int(q(f"SELECT count() AS n FROM {db}.events WHERE ingested_ms = {first}")["n"][0]) if n else 0
    facts = int(q(f"SELECT max(version) AS v FROM {db}.contact_facts")["v"][0] or 0)
    intervals = int(q(f"SELECT max(version) AS v FROM {db}.queue_intervals")["v"][0] or 0)
    return n, first, first_n, facts, intervals


def newest_offered_ms(engine: Engine, db: str) -> int:
    """The newest offered time stored (the benchmark's "now" over generated facts)."""
    return int(engine.query(f"SELECT max(offered_ms) AS m FROM {db}.contact_facts")["m"][0])


def handled_per_agent_baseline(engine: Engine, db: str, start_ms: int, end_ms: int) -> None:
    """The payroll rollup's floor: contacts and handle time per agent over the month, plainly grouped."""
    engine.query(f"SELECT agent_id, count() AS n, sum(handle_ms) AS h FROM {db}.contact_facts "
                 f"WHERE offered_ms >= {start_ms} AND offered_ms < {end_ms} GROUP BY agent_id")


def server_version(engine: Engine) -> str:
    return str(engine.query("SELECT version() AS v")["v"][0])


def plain_group_by(db: str, key_columns: dict[str, str], start_ms: int, end_ms: int) -> str:
    """A month report's floor: contacts, answered and handle time per key (name -> expression), plainly grouped."""
    keys = ", ".join(f"{expr} AS k_{name}" for name, expr in key_columns.items())
    return (f"SELECT {keys}, count() AS n, sum(is_answered) AS a, sum(handle_ms) AS h FROM {db}.contact_facts "
            f"WHERE direction = 'inbound' AND offered_ms >= {start_ms} AND offered_ms < {end_ms} "
            f"GROUP BY {', '.join('k_' + name for name in key_columns)}")


def queue_aht_from_facts(db: str, queue: str, start_ms: int, end_ms: int) -> str:
    """The wallboard's "AHT today" as a plain scan of the facts (its baseline)."""
    return (f"SELECT sum(handle_ms) / count() AS aht FROM {db}.contact_facts WHERE queue = {literal(queue)} "
            f"AND direction = 'inbound' AND offered_ms >= {start_ms} AND offered_ms < {end_ms}")


def queue_aht_from_intervals(db: str, queue: str, start_ms: int, end_ms: int) -> str:
    """The same figure from the 15-minute pre-aggregates."""
    return (f"SELECT sum(handle_sum_ms) / sum(aht_contacts) / 1000 AS aht_s FROM {db}.queue_intervals FINAL "
            f"WHERE queue = {literal(queue)} AND direction = 'inbound' "
            f"AND interval_start >= toDateTime({start_ms // 1000}) "
            f"AND interval_start < toDateTime({end_ms // 1000 + 1})")
