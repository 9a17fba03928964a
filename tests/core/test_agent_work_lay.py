"""``agent_work.lay`` against ``agent_work.timeline``, the reference: hand-worked cases, then seeded random agents
with every edge the rules name (open contacts, missing wrap-ups, clocks that disagree, equal times, own changes
that name the derived states)."""

from __future__ import annotations

import random

import pytest

from pipeline.core.agent_work import UNKNOWN, Change, Work, lay, state_now, timeline
from tests.core.work_arrays import arrays


def _both(changes: list[Change], works: list[Work]) -> list[Change]:
    expected = timeline(changes, works)
    got = lay(changes, arrays(works))
    assert got == expected
    assert [type(c) for c in got] == [Change] * len(got)
    return got


def test_a_call_with_its_wrap_up_over_an_available_agent() -> None:
    changes = [Change(1_000, 0, "e1", "available"), Change(9_000, 0, "e2", "not_ready", "lunch")]
    got = _both(changes, [Work(2_000, 5_000, 6_000)])
    assert got == [Change(1_000, 0, "e1", "available"), Change(2_000, 0, "", "on_contact"),
                   Change(5_000, 0, "", "after_contact_work"), Change(6_000, 0, "e1", "available"),
                   Change(9_000, 0, "e2", "not_ready", "lunch")]


def test_no_wrap_up_lasts_until_the_next_own_change_and_an_open_call_for_ever() -> None:
    changes = [Change(1_000, 0, "e1", "available"), Change(7_000, 3, "e2", "available")]
    got = _both(changes, [Work(2_000, 4_000, None), Work(8_000, None, None)])
    assert got == [Change(1_000, 0, "e1", "available"), Change(2_000, 0, "", "on_contact"),
                   Change(4_000, 0, "", "after_contact_work"), Change(7_000, 3, "e2", "available"),
                   Change(8_000, 0, "", "on_contact")]


def test_before_the_first_own_change_the_state_is_unknown_and_nothing_is_empty() -> None:
    assert _both([], []) == []
    got = _both([Change(5_000, 0, "e1", "available")], [Work(1_000, 2_000, 3_000)])
    assert got == [Change(1_000, 0, "", "on_contact"), Change(2_000, 0, "", "after_contact_work"),
                   Change(3_000, 0, "", ""), Change(5_000, 0, "e1", "available")]


def test_an_own_on_contact_change_and_a_call_are_one_state_so_the_call_inside_it_shows_nothing() -> None:
    changes = [Change(1_000, 0, "e1", "on_contact"), Change(6_000, 2, "e2", "available")]
    got = _both(changes, [Work(500, 800, 900), Work(2_000, 3_000, 3_000)])
    assert got == [Change(500, 0, "", "on_contact"), Change(800, 0, "", "after_contact_work"),
                   Change(900, 0, "", ""), Change(1_000, 0, "e1", "on_contact"), Change(6_000, 2, "e2", "available")]


def _random_agent(rng: random.Random) -> tuple[list[Change], list[Work]]:
    moments = [rng.randrange(0, 200) * 1_000 for _ in range(rng.randrange(0, 30))]
    states = ["available", "not_ready", "logged_out", "on_contact", "after_contact_work"]
    changes = [Change(t, rng.randrange(0, 3), f"e{i}", rng.choice(states), rng.choice(["", "", "lunch"]))
               for i, t in enumerate(moments)]
    works = []
    for _ in range(rng.randrange(0, 40)):
        answered = rng.randrange(0, 200) * 1_000
        ended = None if rng.random() < 0.15 else answered + rng.randrange(-3, 20) * 1_000
        wrapup = None if ended is None or rng.random() < 0.3 else ended + rng.randrange(-3, 10) * 1_000
        works.append(Work(answered, ended, wrapup))
    return changes, works


@pytest.mark.parametrize("seed", range(200))
def test_random_agents_give_the_reference_changes(seed: int) -> None:
    _both(*_random_agent(random.Random(seed)))


def _reference_state_now(changes: list[Change], works: list[Work], now_ms: int) -> Change | None:
    """``state_now`` as the rules read, through ``timeline``."""
    known = [c for c in changes if c.ts_ms <= now_ms]
    line = [c for c in timeline(known, [w for w in works if w.answered_ms <= now_ms]) if c.ts_ms <= now_ms]
    return None if not line or line[-1].state == UNKNOWN else line[-1]


@pytest.mark.parametrize("seed", range(100))
def test_the_state_now_of_random_agents_is_the_reference_one(seed: int) -> None:
    rng = random.Random(seed)
    changes, works = _random_agent(rng)
    for now_ms in [rng.randrange(-5, 205) * 1_000 + rng.choice([-1, 0, 1]) for _ in range(10)]:
        assert state_now(changes, arrays(works), now_ms) == _reference_state_now(changes, works, now_ms)
