"""A bounded duplicate filter: event id -> content hash.

The worker runs for days, so "every id ever seen" (the replay's dict) would grow
without end.  Two generations: ids go into ``current``; when it holds
``capacity // 2`` ids it becomes ``previous`` and the oldest generation is
dropped.  So at least the last ``capacity // 2`` ids, and at most ``capacity``,
are remembered.  A repeat older than that is processed again, which is
harmless: the contact merge and the store are idempotent, the duplicate just
goes uncounted (and a conflicting one undetected).
"""

from __future__ import annotations

from typing import Any


class BoundedSeen(dict[str, bytes]):
    """A mapping for ``Intake(seen=...)`` that forgets its oldest half when full.

    The Intake only uses ``get`` and item assignment; both see both generations.
    """

    def __init__(self, capacity: int = 2_000_000) -> None:
        super().__init__()
        if capacity < 2:
            raise ValueError("capacity must be at least 2")
        self.capacity = capacity
        self._previous: dict[str, bytes] = {}

    def __contains__(self, item: Any) -> bool:
        return dict.__contains__(self, item) or item in self._previous

    def get(self, key: str, default: Any = None) -> Any:
        found = dict.get(self, key)
        return found if found is not None else self._previous.get(key, default)

    def __setitem__(self, key: str, digest: bytes) -> None:
        if dict.__len__(self) >= self.capacity // 2 and not dict.__contains__(self, key):
            self._previous = dict(self)
            self.clear()
        dict.__setitem__(self, key, digest)

    def remembered(self) -> int:
        """How many ids the filter holds now (both generations)."""
        return len(self) + len(self._previous)
