"""The write link: merge a batch with what the store holds, then write it.

Merging with the stored state makes a replay of a second file (late surveys,
the rest of a day) exact, and re-writing a merged state is harmless, so the
link is idempotent and safe under at-least-once delivery.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core.contact import merge
from pipeline.core.facts import derive
from pipeline.core.intake import Batch
from pipeline.store.store import Store


def flush(store: Store, batch: Batch, on_time_conflicts: Callable[[int], None] | None = None) -> list[int]:
    """Events first, then the contacts they change; a crash between them is repaired by a re-run.

    Returns the offered times of the contacts written, for the
    ``queue_intervals`` refresh of the intervals that hold them.
    ``on_time_conflicts`` is told how many contacts this batch newly flagged
    ``time_conflict`` (flagged now, not in the state stored before), so a
    contact rewritten by later batches is counted once.
    """
    stored = store.load_states(batch.contacts)
    merged = [merge(stored[cid], state) if cid in stored else state for cid, state in batch.contacts.items()]
    store.write_events(batch.accepted)
    conflicted = store.write_states(merged)
    if on_time_conflicts is not None and conflicted:
        on_time_conflicts(sum(1 for cid in conflicted if cid not in stored or not derive(stored[cid]).time_conflict))
    return [state.offered.ts_ms for state in merged if state.offered is not None]
