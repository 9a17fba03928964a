"""Named reads over the store's tables, beside its writes (``store.py``).

Callers (the worker's clock and gauges, reports, payroll, dashboards) ask
for a figure by name instead of writing SQL, so a column change touches the
migrations and ``pipeline/store/`` only.
"""

from __future__ import annotations

from pipeline.store.store import Store


def newest_timeline_ms(store: Store) -> int | None:
    """The newest stored time of a contact or agent-state event (the ``events`` clock), or None when empty."""
    result = store.engine.query(f"SELECT count() AS n, max(ts_ms) AS newest FROM {store.db}.events "
                                f"WHERE type = 'agent.state' OR type LIKE 'contact.%'")
    return int(result["newest"][0]) if result["n"] and result["n"][0] else None
