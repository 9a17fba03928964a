"""A bounded duplicate filter: event id -> content hash.

The worker runs for days, so "every id ever seen" (the replay's dict) would grow
without end.  A plain dict (its ``get`` and item assignment are the dict's own,
in C: the intake calls both for every event), trimmed once a batch: when it
holds more than ``capacity`` ids, ``trim`` forgets the oldest ones (a dict
keeps insertion order) down to ``capacity // 2``.  So at least the last
``capacity // 2`` ids are remembered, and at most ``capacity`` plus one batch.
A repeat older than that is processed again, which is harmless: the contact
merge and the store are idempotent, the duplicate just goes uncounted (and a
conflicting one undetected).
"""

from __future__ import annotations

from itertools import islice


class BoundedSeen(dict[str, bytes]):
    """A mapping for ``Intake(seen=...)``; the intake calls ``trim`` when it hands over a batch."""

    def __init__(self, capacity: int = 2_000_000) -> None:
        super().__init__()
        if capacity < 2:
            raise ValueError("capacity must be at least 2")
        self.capacity = capacity

    def trim(self) -> int:
        """Forget the oldest ids down to ``capacity // 2`` once there are more than ``capacity``; how many went."""
        if len(self) <= self.capacity:
            return 0
        oldest = list(islice(self, len(self) - self.capacity // 2))
        for key in oldest:
            del self[key]
        return len(oldest)

    def remembered(self) -> int:
        """How many ids the filter holds now."""
        return len(self)
