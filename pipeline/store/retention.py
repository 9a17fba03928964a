"""Retention: delete the raw events and contact facts the settings no longer keep (``cckpi store expire``).

ClickHouse 18.16 has no TTL (``TTL`` in CREATE TABLE is a syntax error
there), so both engines expire the same way: ``ALTER TABLE ... DELETE WHERE``
(a mutation, run in the background; this waits until ``system.mutations``
says it is done).  chDB would take TTL or a lightweight ``DELETE FROM``, but
one statement for both engines keeps them giving the same rows.

What goes, by each row's own time (a row exactly at the cut stays):

* ``events``: raw events by their event time (``ts_ms``);
* a contact offered before the facts' cut, and neither answered, abandoned,
  ended nor wrapped up at or after it, nor answered with its wrap-up still
  open (else it still counts in the kept period's agent time, and waits for
  a later cut), leaves, in this order,
  ``contact_next`` (its link to its customer's next contact), ``customer_contacts``
  (the index by customer, so no later contact links to it) and ``contact_facts``
  (every stored version of it), all chosen by ``contact_offers`` (the contacts by
  offered time), which goes last, once the others are done.  A kept contact
  keeps its own ``contact_next`` row (its successor is later, so kept too):
  the FCR of the kept period does not move.  A contact with no offered event
  has no offered time and is kept.

Untouched: the pre-aggregates (``queue_intervals``, ``agent_intervals``,
``agent_days``), which go on counting expired contacts in every report; the
agent tables (states, QA, complaints), which pay reads; ``stale_intervals``,
``erasures`` and the payroll database.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.retention_settings import RetentionSettings
from pipeline.store.agent_reads import WORK_LOOKBACK_MS
from pipeline.store.erasure import wait_for_mutations
from pipeline.store.store import Store


@dataclass(frozen=True)
class Expiry:
    """One table's share: rows matching ``where`` are deleted; ``cut_ms`` None means the table is kept."""

    table: str
    setting: str
    cut_ms: int | None
    where: str = ""
    after_the_others: bool = False  # deleted once the statements before it are done (they read its rows)


def plan(db: str, retention: RetentionSettings, now_ms: int) -> list[Expiry]:
    """The deletions the settings ask for at ``now_ms``, in the order they run."""
    events_cut = retention.cut_ms("raw_events", now_ms)
    steps = [Expiry("events", "raw_events_days", events_cut, f"ts_ms < {events_cut}")]
    cut = retention.cut_ms("contact_facts", now_ms)
    if cut is None:
        return steps + [Expiry(table, "contact_facts_days", None)
                        for table in ("contact_next", "customer_contacts", "contact_facts", "contact_offers")]
    # offered before the cut but answered, abandoned, ended or wrapped up at or after it, or answered with its
    # wrap-up still open (agent time counts it as handling for WORK_LOOKBACK_MS): still in the kept period's
    # agent time (occupancy), so kept until a later cut; these rows never go, so the set is the same whenever
    # a mutation reads it (by the contact's latest version: an earlier one may still show the wrap-up open)
    later = " OR ".join([f"ifNull({column}, 0) >= {cut}" for column in ("answered_ms", "abandoned_ms", "ended_ms",
                                                                        "wrapup_ms")]
                        + [f"(is_answered AND wrapup_ms IS NULL AND offered_ms >= {cut - WORK_LOOKBACK_MS})"])
    straddling = f"contact_id NOT IN (SELECT contact_id FROM {db}.contact_facts FINAL WHERE {later})"
    expired = f"contact_id IN (SELECT contact_id FROM {db}.contact_offers WHERE offered_ms < {cut}) AND {straddling}"
    steps += [Expiry("contact_next", "contact_facts_days", cut, expired),
              Expiry("customer_contacts", "contact_facts_days", cut, expired),
              # every version of an expired contact, but never one that says it was offered after the cut
              Expiry("contact_facts", "contact_facts_days", cut,
                     f"{expired} AND NOT (has_offered AND offered_ms >= {cut})"),
              Expiry("contact_offers", "contact_facts_days", cut, f"offered_ms < {cut} AND {straddling}",
                     after_the_others=True)]
    return steps


def expire(store: Store, retention: RetentionSettings, now_ms: int, dry_run: bool = False,
           timeout_s: float = 3600) -> list[tuple[Expiry, int]]:
    """Delete what ``plan`` says (count only when ``dry_run``); returns each step with the rows it matched."""
    done: list[tuple[Expiry, int]] = []
    for step in plan(store.db, retention, now_ms):
        if step.cut_ms is None:
            done.append((step, 0))
            continue
        rows = int(store.engine.query(f"SELECT count() AS n FROM {store.db}.{step.table} WHERE {step.where}")["n"][0])
        if rows and not dry_run:
            if step.after_the_others:
                wait_for_mutations(store, timeout_s, "the expiry's deletions")
            store.engine.command(f"ALTER TABLE {store.db}.{step.table} DELETE WHERE {step.where}")
        done.append((step, rows))
    if not dry_run:
        wait_for_mutations(store, timeout_s, "the expiry's deletions")
    return done
