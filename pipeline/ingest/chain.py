"""The chain every event goes through, written once for ``cckpi replay`` and the streaming worker.

    take_in   decode/validate -> dedupe -> pseudonymise -> assemble   pure: ``pipeline.core.intake.Intake``
    (letters) rejected messages to the dead-letter destination        the caller's: a file, or a Kafka topic
    store     merge with the stored contact states -> write           ``flush`` below
    link      the customers' next contacts (FCR's repeat contact)     ``pipeline.store.next_contact``
    refresh   rebuild the 15-minute queue intervals the write touched ``pipeline.store.queue_intervals``
    (commit)  the caller's: Kafka offsets once the batch is stored (worker); nothing (replay)

Both callers write with ``flush`` and rebuild with ``queue_intervals.refresh``,
so a stream and a replay of the same events give the same numbers.  A replay
calls ``store_batch``, the two in one; the worker may defer the rebuild while
it catches up on a backlog (``pipeline.worker.refresher``).

Merging with the stored state makes a second file (late surveys, the rest of
a day) exact, and re-writing a merged state is harmless, so the chain is
idempotent and safe under at-least-once delivery.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core.contact import merge
from pipeline.core.facts import derive
from pipeline.core.intake import Batch
from pipeline.settings import Settings
from pipeline.store import next_contact, queue_intervals
from pipeline.store.store import Store


def flush(store: Store, settings: Settings, batch: Batch,
          on_time_conflicts: Callable[[int], None] | None = None) -> set[int]:
    """Merge, write and link; returns the 15-minute intervals (local starts, epoch ms) whose contacts changed:
    those the batch's contacts are offered in (now and as stored before), and those of earlier contacts whose
    next contact it moved.

    Events first, then the contacts they change: a crash between the two is
    repaired by the re-delivery, since both writes are idempotent.
    ``on_time_conflicts`` is told how many contacts this batch newly flagged
    ``time_conflict`` (not flagged in the state stored before), so a contact
    rewritten by later batches is counted once.
    """
    stored = store.load_states(batch.contacts)
    merged = [merge(stored[cid], state) if cid in stored else state for cid, state in batch.contacts.items()]
    store.write_events(batch.accepted)
    conflicted = store.write_states(merged)
    if on_time_conflicts is not None and conflicted:
        on_time_conflicts(sum(1 for cid in conflicted if cid not in stored or not derive(stored[cid]).time_conflict))
    offered = [s for s in merged if s.offered is not None]
    relinked = next_contact.link(store, ((s.offered.customer_key, s.contact_id) for s in offered if s.offered))
    # the stored offers too: a contact moved to an earlier offer must leave the interval it was counted in
    before = [s.offered.ts_ms for s in stored.values() if s.offered is not None]
    return queue_intervals.touched([s.offered.ts_ms for s in offered if s.offered] + before + relinked, settings)


def store_batch(store: Store, settings: Settings, batch: Batch,
                on_time_conflicts: Callable[[int], None] | None = None) -> set[int]:
    """store -> refresh: the batch written and its intervals rebuilt; returns the intervals touched."""
    touched = flush(store, settings, batch, on_time_conflicts)
    queue_intervals.refresh(store, settings, touched)
    return touched
