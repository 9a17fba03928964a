"""Counting what a run produced, for the CLI's summary and for tests.

Counted from the emitted events themselves rather than from simulator
internals, so the summary describes the file a user will replay.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tally:
    """Events per type and the contacts among them (one ``contact.offered`` each)."""

    by_type: Counter[str] = field(default_factory=Counter)
    agents: set[str] = field(default_factory=set)

    @property
    def events(self) -> int:
        return sum(self.by_type.values())

    @property
    def contacts(self) -> int:
        return self.by_type["contact.offered"]

    def count(self, events: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Pass events through while counting them (keeps the stream lazy)."""
        by_type, agents = self.by_type, self.agents
        for event in events:
            by_type[event["type"]] += 1
            if event["type"] == "agent.state":
                agents.add(event["agent_id"])
            yield event
