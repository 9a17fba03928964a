"""The chain runs its steps in the order ``Chain.steps`` lists them: each end sees the store as the steps before it
left it (the dead letters before anything is written, the refresh after the contacts and their links, the commit
after the pre-aggregates), on both engines."""

from __future__ import annotations

from typing import Any

import orjson

from pipeline.core.intake import Intake
from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.chain import Chain, Ends, Load, refresh_now
from pipeline.settings import load_settings
from pipeline.store.store import Store
from tests.fixtures.events import answered_call
from tests.fixtures.stores import TEST_KEY

SETTINGS = load_settings(tz="Asia/Shanghai")


def _count(store: Store, table: str) -> int:
    return int(store.engine.query(f"SELECT count() AS n FROM {store.db}.{table}")["n"][0])


def test_each_step_runs_after_the_one_before_it(store: Store) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def look() -> dict[str, Any]:
        return {"facts": _count(store, "contact_facts"), "intervals": _count(store, "queue_intervals")}

    refresh = refresh_now(store, SETTINGS)
    ends = Ends(
        dead_letters=lambda load: seen.append(("dead letters", {**look(),
                                                               "letters": len(load.batch.dead_letters)})),
        refresh=lambda load: (seen.append(("refresh", {**look(), "touched": len(load.touched)})),
                              refresh(load)),
        commit=lambda load: seen.append(("commit", look())),
    )
    chain = Chain(Intake(pseudonymiser(TEST_KEY)), store, SETTINGS, ends)
    # one call (09:00 Shanghai, answered after 12 s) and one line that is not JSON
    lines = [orjson.dumps(e) for e in answered_call("c1", 0, 12, 200)] + [b"{not json"]
    chain.run(Load(messages=[(line, f"t:{i}") for i, line in enumerate(lines)]))
    assert [name for name, _ in chain.steps] == ["take in", "dead letters", "events", "contacts", "link", "refresh", "commit"]
    # by hand: the bad line is the one dead letter, seen before any fact is written; the call touches one
    # 15-minute interval (09:00), whose pre-aggregate rows exist only after the refresh, before the commit
    assert seen == [
        ("dead letters", {"facts": 0, "intervals": 0, "letters": 1}),
        ("refresh", {"facts": 1, "intervals": 0, "touched": 1}),
        ("commit", {"facts": 1, "intervals": 1}),
    ]
