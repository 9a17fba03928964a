"""An agent's timeline: own changes ordered by (time, sequence), contacts' work laid over them (hand-worked)."""

from __future__ import annotations

from pipeline.core.agent_time import state_time
from pipeline.core.agent_work import Change, Work, state_now, timeline
from tests.core.work_arrays import arrays


def _now(own: list[Change], works: list[Work], now_ms: int) -> tuple[int, str] | None:
    found = state_now(own, arrays(works), now_ms)
    return None if found is None else (found.ts_ms, found.state)


def _states(line: list[Change]) -> list[tuple[int, str, str]]:
    return [(c.ts_ms, c.state, c.reason) for c in line]


def test_a_pause_in_the_same_second_as_the_addmember_before_it_wins_whatever_the_event_ids():
    # both at 1000 ms; the ADDMEMBER is line 7, the PAUSE line 8. Event ids sort the other way round ("z" > "a").
    add = Change(1000, 7, "z-add", "available")
    pause = Change(1000, 8, "a-pause", "not_ready", "lunch")
    for given in ([add, pause], [pause, add]):
        assert _states(timeline(given, [])) == [(1000, "not_ready", "lunch")]
        assert state_now(given, arrays([]), 1000) == pause


def test_on_a_contact_from_answer_to_end_then_wrap_up_then_back_to_the_own_state():
    own = [Change(0, 1, "e1", "available")]
    # answered at 100, ended at 400, wrap-up completed at 450
    line = timeline(own, [Work(100, 400, 450)])
    assert _states(line) == [(0, "available", ""), (100, "on_contact", ""), (400, "after_contact_work", ""),
                             (450, "available", "")]
    # at 399 still on the call (since 100); at 400 in wrap-up (since 400); at 450 available again since 450
    call = [Work(100, 400, 450)]
    assert _now(own, call, 399) == (100, "on_contact")
    assert _now(own, call, 400) == (400, "after_contact_work")
    assert _now(own, call, 450) == (450, "available")
    assert _now(own, call, 99) == (0, "available")
    # an end stored for a later time is used, not taken as open
    assert _now(own, [Work(100, 400, 450)], 420) == (400, "after_contact_work")


def test_a_pause_during_a_call_takes_effect_when_the_call_and_wrap_up_are_over():
    own = [Change(0, 1, "e1", "available"), Change(200, 2, "e2", "not_ready", "lunch")]
    line = timeline(own, [Work(100, 300, 300)])  # queue_log: wrap-up at the end (ACW 0)
    assert _states(line) == [(0, "available", ""), (100, "on_contact", ""), (300, "not_ready", "lunch")]


def test_an_end_without_wrap_up_stays_in_wrap_up_until_the_agents_next_own_change():
    own = [Change(0, 1, "e1", "available"), Change(700, 2, "e2", "available")]
    assert _states(timeline(own, [Work(100, 400, None)])) == [
        (0, "available", ""), (100, "on_contact", ""), (400, "after_contact_work", ""), (700, "available", "")]
    # no own change after the end: still in wrap-up
    assert _now(own[:1], [Work(100, 400, None)], 10_000) == (400, "after_contact_work")


def test_concurrent_chats_on_contact_beats_wrap_up_and_an_agent_with_no_own_state_is_unknown_after():
    # chat A 100-300 (wrap-up to 500), chat B 200-600 (wrap-up to 650); no agent.state at all (a CTR-only centre)
    line = timeline([], [Work(100, 300, 500), Work(200, 600, 650)])
    assert _states(line) == [(100, "on_contact", ""), (600, "after_contact_work", ""), (650, "", "")]
    assert state_now([], arrays([Work(100, 300, 500), Work(200, 600, 650)]), 700) is None  # unknown: not on the grid
    assert state_now([], arrays([Work(100, 300, 500)]), 50) is None  # answered later than now: not yet


def test_occupancy_counts_the_derived_call_time_as_handling_not_available():
    # available 0-1000 (logged out at 1000), one call 100-400 with wrap-up to 450:
    # handling = 300 talk + 50 wrap-up = 350; available = 100 + 550 = 650; logged in 1000
    own = [Change(0, 1, "e1", "available"), Change(1000, 2, "e2", "logged_out")]
    assert state_time(timeline(own, [Work(100, 400, 450)]), 0, 1000) == {
        0: {"handle_state_ms": 350, "available_ms": 650, "logged_in_ms": 1000}}


def test_clock_skew_never_makes_a_negative_span():
    # ended before answered (two clocks): the talk is empty, the wrap-up runs from the answer to 150
    assert _states(timeline([Change(0, 1, "e", "available")], [Work(100, 90, 150)])) == [
        (0, "available", ""), (100, "after_contact_work", ""), (150, "available", "")]


def test_concurrent_chats_count_each_contact_and_derived_changes_carry_no_sequence_or_id():
    # the agent's one own change: available at 0 (sequence 5, event e1).  Works, in this order:
    #   an open chat answered at 1000 (not ended yet), listed first: the ones after it still count;
    #   two chats answered at the same 200 and ended at the same 300, wrapped up at 350 and 400: on contact from
    #   200 while either is, in wrap-up from 300 until the later wrap-up (400), then back to the own state;
    #   a call before the first own change (-100 to -50, wrap-up -20): after it the state is unknown until 0.
    # Derived changes carry sequence 0 and no event id; the own state resumed keeps its own (5, e1).
    own = [Change(0, 5, "e1", "available")]
    works = [Work(1000, None, None), Work(200, 300, 350), Work(200, 300, 400), Work(-100, -50, -20)]
    assert timeline(own, works) == [
        Change(-100, 0, "", "on_contact"), Change(-50, 0, "", "after_contact_work"), Change(-20, 0, "", ""),
        Change(0, 5, "e1", "available"),
        Change(200, 0, "", "on_contact"), Change(300, 0, "", "after_contact_work"), Change(400, 5, "e1", "available"),
        Change(1000, 0, "", "on_contact"),
    ]


def test_a_contact_answered_at_exactly_now_is_on_contact_now():
    # available since 0; a call answered at exactly 100 ms, asked at 100 ms: on the contact since 100
    own, works = [Change(0, 5, "e1", "available")], arrays([Work(100, None, None)])
    assert state_now(own, works, 100) == Change(100, 0, "", "on_contact")
    assert state_now(own, works, 99) == Change(0, 5, "e1", "available")  # a millisecond before: the own state
