"""The chain every event goes through, written once for ``cckpi replay`` and the streaming worker.

``Chain.steps`` is the one place its order is written: read it as the list
of its steps.  Each step reads the ``Load`` the steps before it filled.  Three
steps are the caller's (``Ends``): where dead letters go (a file; a Kafka
topic), when the touched pre-aggregates are rebuilt (now; or deferred while
the worker catches up on a backlog, ``pipeline.worker.refresher``) and what
"commit" means (nothing for a replay; Kafka offsets for the worker).  The
rest is the same code for both, so a stream and a replay of the same events
give the same numbers.

A replay runs the whole list per chunk of lines (``ingest.batch``); the
worker runs it in five stretches, because it changes thread between them
(``worker.agent``): up to the dead letters on the event loop, the events on
the events thread while the contacts and their links are written on the store
thread, refresh on the refresh thread, commit back on the loop.

Merging with the stored state makes a second file (late surveys, the rest of
a day) exact, and re-writing a merged state is harmless, so the chain is
idempotent and safe under at-least-once delivery.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pipeline.core.contact import ContactState, merge
from pipeline.core.facts import derive
from pipeline.core.intake import Batch, Intake
from pipeline.ingest.gc_pause import gc_paused
from pipeline.settings import Settings
from pipeline.store import next_contact, queue_intervals
from pipeline.store.store import Store


@dataclass
class Load:
    """One batch on its way through the chain: what each step leaves for the next."""

    messages: Iterable[tuple[bytes, Any]] = ()  # (raw message, where it came from), read by the first step
    where: Callable[[Any], str] = str  # a message's place as its dead letter's ``source`` (``Intake.feed_all``)
    batch: Batch = field(default_factory=Batch)
    stored: dict[str, ContactState] = field(default_factory=dict)  # the batch's contacts as stored before it
    merged: list[ContactState] = field(default_factory=list)  # as written
    touched: set[int] = field(default_factory=set)  # local 15-minute interval starts (epoch ms) whose contacts changed
    full: bool = False  # the batch reached the worker's batch_max_events: a backlog is being read

    def let_go(self) -> None:
        """Drop what the steps left (events, states), so it is freed now, inside the caller's pause."""
        self.messages, self.batch, self.stored, self.merged = (), Batch(), {}, []
        self.touched = set()


Step = Callable[[Load], Any]  # returns None, or an awaitable that a caller on an event loop awaits


class Ends(NamedTuple):
    """The steps each caller supplies."""

    dead_letters: Step
    refresh: Step
    commit: Step


class Chain:
    """The chain with its caller's ends; ``steps`` is its order, ``run`` and ``run_async`` run a stretch of it."""

    def __init__(self, intake: Intake, store: Store, settings: Settings, ends: Ends,
                 on_time_conflicts: Callable[[int], None] | None = None, events_store: Store | None = None) -> None:
        """``events_store``: the connection the ``events`` step writes on, when a caller runs it beside the
        ``contacts`` step (the worker); the same store, else."""
        self.intake, self.store, self.settings, self.ends = intake, store, settings, ends
        self.on_time_conflicts = on_time_conflicts
        self.events_store = events_store or store

    @property
    def steps(self) -> tuple[tuple[str, Step], ...]:
        """The chain, in the order it runs."""
        return (
            # per message: decode/validate -> pseudonymise -> dedupe -> assemble (core.intake.Intake.feed)
            ("take in", lambda load: take_in(self.intake, load)),
            # rejected messages to the caller's destination (a file; a Kafka topic)
            ("dead letters", self.ends.dead_letters),
            # the accepted events as they came (the raw table and the per-type tables)
            ("events", lambda load: self.events_store.write_events(load.batch.accepted)),
            # the touched contacts merged with their stored states, written with their indexes
            ("contacts", lambda load: write_contacts(self.store, load, self.on_time_conflicts)),
            # the customers' next contacts (FCR's repeat contact); the intervals touched
            ("link", lambda load: link(self.store, self.settings, load)),
            # rebuild the pre-aggregates the write touched (the caller's: now, or deferred)
            ("refresh", self.ends.refresh),
            # the caller's, only after the store returned (Kafka offsets; nothing for a replay)
            ("commit", self.ends.commit),
        )

    def stretch(self, first: str, last: str) -> list[Step]:
        """The steps from ``first`` to ``last``, both included, in order."""
        names = [name for name, _ in self.steps]
        return [step for _, step in self.steps[names.index(first):names.index(last) + 1]]

    def run(self, load: Load, first: str = "take in", last: str = "commit") -> None:
        with gc_paused():  # the batch's objects live until it is stored: nothing for the collector to find
            for step in self.stretch(first, last):
                step(load)

    async def run_async(self, load: Load, first: str = "take in", last: str = "commit") -> None:
        """The same on an event loop: a step's awaitable (the worker's dead letters) is awaited before the next."""
        for step in self.stretch(first, last):
            with gc_paused():  # not across the await: other tasks of the loop run then
                result = step(load)
            if inspect.isawaitable(result):
                await result


def take_in(intake: Intake, load: Load) -> None:
    """Every message through the intake, then its batch taken."""
    intake.feed_all(load.messages, where=load.where)
    load.batch = intake.take()


def write_contacts(store: Store, load: Load, on_time_conflicts: Callable[[int], None] | None = None) -> None:
    """Merge the batch's contacts with their stored states and write them.

    Independent of the ``events`` step (the worker runs the two at once, on
    two connections): a crash between or during them is repaired by the
    re-delivery, since both writes are idempotent.  ``on_time_conflicts`` is
    told how many contacts this batch newly flagged ``time_conflict`` (not
    flagged in the state stored before), so a contact rewritten by later
    batches is counted once.
    """
    batch = load.batch
    load.stored = stored = store.load_states(batch.contacts)
    load.merged = [merge(stored[cid], state) if cid in stored else state for cid, state in batch.contacts.items()]
    conflicted = store.write_states(load.merged)
    if on_time_conflicts is not None and conflicted:
        on_time_conflicts(sum(1 for cid in conflicted if cid not in stored or not derive(stored[cid]).time_conflict))


def link(store: Store, settings: Settings, load: Load) -> None:
    """The customers' next contacts; then the intervals touched: those the batch's contacts are offered in (now
    and as stored before), and those of earlier contacts whose next contact it moved."""
    offered = [s for s in load.merged if s.offered is not None]
    relinked = next_contact.link(store, ((s.offered.customer_key, s.contact_id) for s in offered if s.offered))
    # the stored offers too: a contact moved to an earlier offer must leave the interval it was counted in
    before = [s.offered.ts_ms for s in load.stored.values() if s.offered is not None]
    load.touched = queue_intervals.touched([s.offered.ts_ms for s in offered if s.offered] + before + relinked,
                                           settings)


def refresh_now(store: Store, settings: Settings) -> Step:
    """The replay's refresh: the touched intervals rebuilt before the next chunk."""
    return lambda load: queue_intervals.refresh(store, settings, load.touched)


def flush(store: Store, settings: Settings, batch: Batch,
          on_time_conflicts: Callable[[int], None] | None = None) -> set[int]:
    """The events, contacts and link steps for a batch already taken (tests, tools); returns the intervals
    touched."""
    load = Load(batch=batch)
    store.write_events(batch.accepted)
    write_contacts(store, load, on_time_conflicts)
    link(store, settings, load)
    return load.touched


def store_batch(store: Store, settings: Settings, batch: Batch,
                on_time_conflicts: Callable[[int], None] | None = None) -> set[int]:
    """``flush``, then the touched intervals rebuilt at once; returns them."""
    touched = flush(store, settings, batch, on_time_conflicts)
    queue_intervals.refresh(store, settings, touched)
    return touched
