"""The simulator: a valid, sorted, deterministic stream that behaves like a contact centre."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from pipeline.cli.simulate import simulate
from pipeline.core.decode import Accepted, decode
from pipeline.simulate import SimulationConfig, Tally, generate, parse_queues

Event = dict[str, Any]


def _ms(event: Event) -> int:
    return int(datetime.fromisoformat(event["ts"]).timestamp() * 1000)


@pytest.fixture(scope="module")
def day() -> list[Event]:
    return list(generate(SimulationConfig(contacts=3000, seed=7)))


def _answered_within(events: list[Event], seconds: float) -> float:
    offered = {e["contact_id"]: _ms(e) for e in events
               if e["type"] == "contact.offered" and e["direction"] == "inbound"}
    fast = sum(1 for e in events if e["type"] == "contact.answered" and e["contact_id"] in offered
               and _ms(e) - offered[e["contact_id"]] <= seconds * 1000)
    return fast / len(offered)


def test_same_seed_and_options_give_a_byte_identical_file(tmp_path: Path) -> None:
    runner = CliRunner()
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"]
    for path, seed in zip(paths, ("5", "5", "6")):
        result = runner.invoke(simulate, ["--out", str(path), "--contacts", "400", "--seed", seed])
        assert result.exit_code == 0, result.output
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_every_event_passes_the_contract_and_ids_are_unique(day: list[Event]) -> None:
    decoded = [decode(orjson.dumps(e)) for e in day]
    rejected = [d for d in decoded if not isinstance(d, Accepted)]
    assert rejected == []
    assert len({e["event_id"] for e in day}) == len(day)


def test_events_are_sorted_by_time_and_carry_both_offset_styles(day: list[Event]) -> None:
    stamps = [_ms(e) for e in day]
    assert stamps == sorted(stamps)
    assert any(e["ts"].endswith("Z") for e in day) and any(e["ts"].endswith("+08:00") for e in day)
    assert all(len(e["ts"].split(".")[1]) in (4, 9) for e in day)  # milliseconds, then Z or +hh:mm


def test_each_contact_follows_its_lifecycle(day: list[Event]) -> None:
    by_contact: dict[str, list[Event]] = defaultdict(list)
    for e in day:
        if "contact_id" in e and e["type"] != "complaint.filed":
            by_contact[e["contact_id"]].append(e)
    assert len(by_contact) == 3000
    for cid, events in by_contact.items():
        kinds = [e["type"] for e in events]
        assert kinds[0] == "contact.offered", cid
        outcome = [k for k in kinds if k in ("contact.answered", "contact.abandoned")]
        assert len(outcome) == 1, cid
        if outcome == ["contact.abandoned"]:
            assert set(kinds) <= {"contact.offered", "contact.abandoned", "contact.message"}, cid
            continue
        answered, ended = kinds.index("contact.answered"), kinds.index("contact.ended")
        wrapup = kinds.index("contact.wrapup_completed")
        assert answered < ended < wrapup, cid
        assert kinds.count("contact.ended") == kinds.count("contact.wrapup_completed") == 1
        holds = [k for k in kinds if k.startswith("contact.hold_")]
        assert holds == ["contact.hold_started", "contact.hold_ended"] * (len(holds) // 2), cid
        assert all(answered < i < ended for i, k in enumerate(kinds) if k.startswith("contact.hold_"))
        assert all(i > wrapup for i, k in enumerate(kinds) if k.startswith(("survey.", "qa.")))
        assert events[answered]["agent_id"] == events[wrapup]["agent_id"]
        assert events[wrapup]["disposition"] in ("resolved", "unresolved", "escalated")


def test_agent_states_follow_their_work(day: list[Event]) -> None:
    allowed = {
        "logged_out": {"available"},
        "available": {"on_contact", "not_ready", "logged_out"},
        "on_contact": {"after_contact_work"},
        "after_contact_work": {"available", "not_ready", "logged_out"},
        "not_ready": {"available", "logged_out", "not_ready"},
    }
    state: dict[str, str] = {}
    last_change: dict[str, int] = {}
    for e in day:
        if e["type"] == "agent.state":
            # two changes on the same ms could be swapped by an out-of-order replay
            assert last_change.get(e["agent_id"]) != _ms(e), e
            last_change[e["agent_id"]] = _ms(e)
            before = state.get(e["agent_id"], "logged_out")
            assert e["state"] in allowed[before], (e, before)
            state[e["agent_id"]] = e["state"]
        elif e["type"] == "contact.answered":
            assert state[e["agent_id"]] == "on_contact", e
    assert set(state.values()) == {"logged_out"}  # everybody signs off at the end of the day
    reasons = Counter(e.get("reason") for e in day if e["type"] == "agent.state" and e["state"] == "not_ready")
    assert reasons["break"] > 0 and reasons["lunch"] > 0


def test_chat_has_customer_and_agent_messages_with_a_first_response(day: list[Event]) -> None:
    answered = {e["contact_id"]: _ms(e) for e in day if e["type"] == "contact.answered"}
    first_agent: dict[str, int] = {}
    senders = Counter()
    for e in day:
        if e["type"] == "contact.message":
            senders[e["sender"]] += 1
            if e["sender"] == "agent":
                first_agent.setdefault(e["contact_id"], _ms(e))
    assert senders["customer"] > 0 and senders["agent"] > 0
    delays = [first_agent[c] - answered[c] for c in first_agent]
    assert delays and min(delays) > 0
    assert sum(d > 15_000 for d in delays) > 0  # some responses miss a 15 s target


def test_traffic_mix_has_abandons_holds_transfers_outbound_and_feedback(day: list[Event]) -> None:
    kinds = Counter(e["type"] for e in day)
    for kind in ("contact.abandoned", "contact.hold_started", "contact.transferred", "survey.csat",
                 "survey.nps", "qa.evaluated", "complaint.filed", "agent.state"):
        assert kinds[kind] > 0, kind
    offered = [e for e in day if e["type"] == "contact.offered"]
    assert {e["channel"] for e in offered} == {"voice", "chat"}
    assert any(e["direction"] == "outbound" for e in offered)
    qa = [e for e in day if e["type"] == "qa.evaluated"]
    assert {e["source"] for e in qa} == {"internal", "external"}
    complaints = [e for e in day if e["type"] == "complaint.filed"]
    assert {e["valid"] for e in complaints} == {True, False}
    wrapped = {e["contact_id"]: _ms(e) for e in day if e["type"] == "contact.wrapup_completed"}
    late = [e for e in day if e["type"] == "survey.csat" and _ms(e) - wrapped[e["contact_id"]] > 3_600_000]
    assert late  # some surveys come back hours later


def test_short_abandons_exist_and_staffing_cut_lowers_service_level() -> None:
    full = list(generate(SimulationConfig(contacts=3000, seed=7)))
    half = list(generate(SimulationConfig(contacts=3000, seed=7, staffing=0.5)))
    assert _answered_within(half, 30) < _answered_within(full, 30) - 0.2
    assert _answered_within(full, 30) > 0.85
    offered = {e["contact_id"]: _ms(e) for e in half if e["type"] == "contact.offered"}
    waits = [_ms(e) - offered[e["contact_id"]] for e in half if e["type"] == "contact.abandoned"]
    assert any(w < 5000 for w in waits) and any(w >= 5000 for w in waits)


def test_repeat_contacts_by_the_same_customer_within_days() -> None:
    events = list(generate(SimulationConfig(contacts=6000, days=3, seed=3)))
    keys = Counter(e.get("customer_key") for e in events
                   if e["type"] == "contact.offered" and e["direction"] == "inbound")
    anonymous = keys.pop(None, 0)
    assert anonymous > 0
    assert sum(1 for n in keys.values() if n > 1) > 50


def test_contacts_spread_over_days_in_opening_hours_with_quieter_weekends() -> None:
    config = SimulationConfig(contacts=7000, days=7, seed=2, start=date(2026, 11, 2))
    per_day: Counter[date] = Counter()
    for e in generate(config):
        if e["type"] == "contact.offered":
            local = datetime.fromisoformat(e["ts"]).astimezone(config.zone)
            assert 8 <= local.hour < 20
            per_day[local.date()] += 1
    assert len(per_day) == 7 and sum(per_day.values()) == 7000
    assert per_day[date(2026, 11, 7)] < 0.6 * per_day[date(2026, 11, 4)]  # Saturday vs Wednesday


def test_start_moment_agents_and_queues_options() -> None:
    start = datetime(2026, 11, 2, 13, 0)
    config = SimulationConfig(contacts=500, seed=4, start=start, agents=12,
                              queues=parse_queues("care:voice,chat:chat:0.5"))
    events = list(generate(config))
    first = datetime(2026, 11, 2, 5, 0, tzinfo=timezone.utc)
    assert all(datetime.fromisoformat(e["ts"]) >= first for e in events)
    assert {e["queue"] for e in events if e["type"] == "contact.offered"} == {"care", "chat"}
    assert len({e["agent_id"] for e in events if e["type"] == "agent.state"}) == 12


def test_summary_counts_what_was_written(tmp_path: Path) -> None:
    out = tmp_path / "day.jsonl"
    result = CliRunner().invoke(simulate, ["--out", str(out), "--contacts", "300", "--seed", "9"])
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().splitlines()
    tally = Tally()
    list(tally.count(orjson.loads(line) for line in lines))
    assert tally.contacts == 300 and tally.events == len(lines)
    assert f"simulated 300 contacts, {len(lines):,} events" in result.output
    assert f"{tally.by_type['contact.answered']:,}" in result.output


def test_bad_options_give_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(simulate, ["--out", str(tmp_path / "x"), "--queues", "billing:fax"])
    assert result.exit_code == 2
    assert "channel must be voice or chat" in result.output
