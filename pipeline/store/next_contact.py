"""Each contact's next contact: the offered time of the same customer's next inbound contact.

FCR (docs/design.md section 3) counts a resolved contact unless the same
customer makes another inbound contact within the queue's window.  Reading
that as a join of every contact to its customer's later offers needed more
than 8 GB at 50 million contacts a month; storing the next contact's time per
contact (``contact_next``) makes it a per-row comparison at read time, with
the window still applied when reading (changing ``fcr_window_days`` needs no
replay).

Why a table of candidates whose smallest value counts, rather than a column
rewritten on the fact: a worker that rewrites another contact's fact row to
set its next contact could replace a newer state another worker is writing at
the same moment.  Candidates are only ever added, each is a real later inbound
contact of the customer, and min() does not care in which order they land:

- ``link`` runs after the batch's ``customer_contacts`` rows are written, and
  for every contact of the batch inserts its successor (the first inbound
  contact offered strictly later) and, for every inbound contact of the batch,
  inserts it as the successor of its predecessors (the contacts offered from
  the previous inbound contact up to it), both as seen in ``customer_contacts``.
- Two workers writing contacts p and n (n the true next of p) at once: each
  writes its index row before reading the index, so the later of the two
  reads sees both rows; it inserts (p, n) either as p's successor or as n's
  predecessor.  Nothing smaller than n can be inserted for p, since every
  candidate is a real contact.  So the smallest candidate is n: exact for late
  contacts, contacts in reverse order and concurrent writers alike, and
  idempotent (re-linking inserts the same candidates, which the table collapses).

The choice this makes: a contact's customer and offered time are taken as
final once offered (a later conflicting duplicate of ``contact.offered`` that
moved a contact would leave its old candidates behind).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable

from pipeline.store import rows
from pipeline.store.engines import literal
from pipeline.store.store import Store

_CHUNK = 5000


def _in(values: list[str]) -> str:
    return ", ".join(literal(v) for v in values)


def _chains(store: Store, customers: list[str]) -> dict[str, list[tuple[int, str, str]]]:
    """customer -> [(offered_ms, contact_id, direction)] sorted, from ``customer_contacts`` (latest version)."""
    chains: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for start in range(0, len(customers), _CHUNK):
        result = store.engine.query(
            f"SELECT customer_key, contact_id, argMax(offered_ms, version) AS offered_ms, "
            f"argMax(direction, version) AS direction FROM {store.db}.customer_contacts "
            f"WHERE customer_key IN ({_in(customers[start:start + _CHUNK])}) GROUP BY customer_key, contact_id"
        )
        for key, cid, offered, direction in zip(result["customer_key"], result["contact_id"], result["offered_ms"],
                                                result["direction"]):
            chains[key].append((int(offered), cid, direction))
    for chain in chains.values():
        chain.sort()
    return chains


def candidates(chains: dict[str, list[tuple[int, str, str]]],
               written: Iterable[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """contact -> (its offered ms, the smallest next-contact time this view shows) for the written contacts'
    successors and predecessors.  Pure: ``written`` is (customer_key, contact_id) of the batch."""
    found: dict[str, tuple[int, int]] = {}

    def add(contact_id: str, offered: int, next_ms: int) -> None:
        if contact_id not in found or next_ms < found[contact_id][1]:
            found[contact_id] = (offered, next_ms)

    inbound_of = {key: [o for o, _, d in chain if d == "inbound"] for key, chain in chains.items()}
    for key, contact_id in written:
        chain = chains.get(key, [])
        own = next(((o, d) for o, c, d in chain if c == contact_id), None)
        if own is None:
            continue
        offered, direction = own
        inbound = inbound_of[key]
        later = bisect_right(inbound, offered)
        if later < len(inbound):  # its successor
            add(contact_id, offered, inbound[later])
        if direction == "inbound":  # it is the successor of every contact since the previous inbound one
            earlier = bisect_left(inbound, offered)
            since = inbound[earlier - 1] if earlier else None
            low = bisect_left(chain, (since,)) if since is not None else 0
            high = bisect_left(chain, (offered,))
            for p_offered, p_id, _ in chain[low:high]:
                add(p_id, p_offered, offered)
    return found


def link(store: Store, written: Iterable[tuple[str, str]]) -> list[int]:
    """Insert the next-contact candidates of these (customer_key, contact_id); returns the offered times of the
    contacts whose next contact became earlier (their intervals' FCR may have changed)."""
    written = [(key, cid) for key, cid in written if key]
    if not written:
        return []
    found = candidates(_chains(store, sorted({key for key, _ in written})), written)
    ids = sorted(found)
    current: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        result = store.engine.query(
            f"SELECT contact_id, min(next_offered_ms) AS next_ms FROM {store.db}.contact_next "
            f"WHERE contact_id IN ({_in(ids[start:start + _CHUNK])}) GROUP BY contact_id"
        )
        current.update(zip(result["contact_id"], (int(v) for v in result["next_ms"])))
    changed = [cid for cid in ids if cid not in current or found[cid][1] < current[cid]]
    if changed:
        store.engine.insert("contact_next", {"contact_id": changed, "next_offered_ms": [found[c][1] for c in changed]},
                            rows.NEXT_COLUMNS)
    return [found[cid][0] for cid in changed]


def backfill(store: Store, parts: int = 1) -> None:
    """Link every stored contact from ``contact_facts`` in SQL (contacts written without ``link``: facts
    generated in SQL by ``cckpi bench``), one ``parts``-th of the customers at a time to bound the memory.
    The same statement as the migration that brought ``contact_next`` (one query, no join: ClickHouse
    18.16 cannot compute a lambda over both sides of a join)."""
    db = store.db
    store.engine.command(
        f"INSERT INTO {db}.customer_contacts (customer_key, contact_id, offered_ms, direction, version) "
        f"SELECT customer_key, contact_id, offered_ms, direction, version FROM {db}.contact_facts FINAL "
        f"WHERE has_offered AND customer_key != ''")
    for part in range(parts):
        store.engine.command(
            f"INSERT INTO {db}.contact_next (contact_id, next_offered_ms) "
            f"SELECT contact_id, next_offered_ms FROM ("
            f"SELECT contact.2 AS contact_id, arrayFirst(x -> x > contact.1, inbound) AS next_offered_ms "
            f"FROM (SELECT groupArray((offered_ms, contact_id)) AS contacts, "
            f"arraySort(groupArrayIf(offered_ms, direction = 'inbound')) AS inbound "
            f"FROM {db}.customer_contacts FINAL WHERE cityHash64(customer_key) % {parts} = {part} "
            f"GROUP BY customer_key) ARRAY JOIN contacts AS contact) WHERE next_offered_ms > 0")
