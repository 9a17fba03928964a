"""The monthly per-agent rollup (``pipeline.payroll.rollup``) on a month generated in SQL.

``agents`` agents and ``contacts`` contacts offered over November 2026, plus QA
evaluations, complaints and daily log-in/log-out states, in a dedicated
database.  Baseline in the same run: one plain ``GROUP BY agent_id`` over the
same facts (no FINAL, no joins).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pipeline.bench.harness import Target, drop_database, fresh_name
from pipeline.bench.fact_generator import Shape, generate_facts, generate_side_tables, roster_csv
from pipeline.payroll.model import Month
from pipeline.payroll.rollup import monthly_rollup
from pipeline.payroll.roster import parse_roster
from pipeline.settings import Settings
from pipeline.store import probes
from pipeline.store.store import Store


@dataclass
class PayrollResult:
    agents: int
    contacts: int
    rollup_s: list[float] = field(default_factory=list)
    baseline_s: list[float] = field(default_factory=list)
    rows: int = 0


def run(target: Target, settings: Settings, agents: int, contacts: int, runs: int) -> PayrollResult:
    month = Month(2026, 11)
    start_ms, end_ms = month.range_ms(settings.zone)
    shape = Shape(contacts=contacts, start_ms=start_ms, span_ms=end_ms - start_ms, agents=agents)
    database = fresh_name("bench_payroll")
    store = Store.open(target.store_url(database))
    result = PayrollResult(agents, contacts)
    try:
        generate_facts(store, shape)
        generate_side_tables(store, shape)
        roster = parse_roster(roster_csv(shape))
        for _ in range(runs):
            t0 = time.perf_counter()
            rollup = monthly_rollup(store, month, settings, roster)
            result.rollup_s.append(time.perf_counter() - t0)
            result.rows = len(rollup.agents)
            t0 = time.perf_counter()
            probes.handled_per_agent_baseline(store.engine, database, start_ms, end_ms)
            result.baseline_s.append(time.perf_counter() - t0)
        return result
    finally:
        store.close()
        drop_database(target, database)
