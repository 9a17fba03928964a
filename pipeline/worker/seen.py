"""A bounded duplicate filter by event id.

The worker runs for days, so "every id ever seen" (the replay's set) would grow
without end.  Two generations: ids go into ``current``; when it holds
``capacity // 2`` ids it becomes ``previous`` and the oldest generation is
dropped.  So at least the last ``capacity // 2`` ids, and at most ``capacity``,
are remembered.  A repeat older than that is processed again, which is
harmless: the contact merge and the store are idempotent, the duplicate just
goes uncounted.
"""

from __future__ import annotations

from typing import Any


class BoundedSeen(set[str]):
    """A ``set`` for ``Intake(seen=...)`` that forgets its oldest half when full."""

    def __init__(self, capacity: int = 2_000_000) -> None:
        super().__init__()
        if capacity < 2:
            raise ValueError("capacity must be at least 2")
        self.capacity = capacity
        self._previous: set[str] = set()

    def __contains__(self, item: Any) -> bool:
        return set.__contains__(self, item) or item in self._previous

    def add(self, item: str) -> None:
        if set.__len__(self) >= self.capacity // 2:
            self._previous = set(self)
            self.clear()
        set.add(self, item)

    def remembered(self) -> int:
        """How many ids the filter holds now (both generations)."""
        return len(self) + len(self._previous)
