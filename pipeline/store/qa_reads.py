"""An agent's QA evaluations of a period, for their scorecard page (``/me``) and their supervisor's."""

from __future__ import annotations

from typing import Any

from pipeline.store.engines import literal
from pipeline.store.store import Store

QA_FIELDS = ("event_id", "ts_ms", "contact_id", "score", "fatal_errors", "nonfatal_errors", "opportunities",
             "source")


def agent_evaluations(store: Store, agent_id: str, start_ms: int, end_ms: int) -> list[dict[str, Any]]:
    """Evaluations of ``agent_id`` dated in [start_ms, end_ms), oldest first (a re-sent event counts once)."""
    result = store.engine.query(
        f"SELECT {', '.join(QA_FIELDS)} FROM {store.db}.qa_evaluations FINAL "
        f"WHERE agent_id = {literal(agent_id)} AND ts_ms >= {int(start_ms)} AND ts_ms < {int(end_ms)} "
        f"ORDER BY ts_ms, event_id")
    return [{name: (value.item() if hasattr(value, "item") else value) for name, value in zip(QA_FIELDS, values)}
            for values in zip(*(result[name] for name in QA_FIELDS))]
