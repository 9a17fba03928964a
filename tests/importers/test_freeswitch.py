"""FreeSWITCH mod_callcenter: the event mapping rule by rule, the CDR import, one hand-worked day from both.

The day is tests/fixtures/freeswitch.py (its table is the hand-worked input).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from pipeline.core.decode import Accepted, decode
from pipeline.core.intake import DeadLetter
from pipeline.core.pseudonym import pseudonymiser
from pipeline.importers.freeswitch_callcenter import BadEvent, CallcenterMapper, CallcenterSummary, parse_agent_list
from pipeline.importers.freeswitch_cdr import import_freeswitch_cdr
from pipeline.store import live
from pipeline.store.store import Store
from tests.fixtures import freeswitch as fs
from tests.fixtures.stores import TEST_KEY, ingest, report

T = fs.T


def _mapped(events: list[dict[str, str]] | None = None) -> list[dict]:
    wraps, statuses = parse_agent_list(fs.AGENT_LIST)
    mapper = CallcenterMapper(wraps)
    out = [e for headers in (events or fs.esl_events()) for e in mapper.feed(headers)]
    assert all(isinstance(decode(orjson.dumps(e)), Accepted) for e in out)
    return out


def _contact_events(events: list[dict]) -> list[tuple]:
    return sorted((e["event_id"], e["type"], e["ts"], e.get("queue"), e.get("agent_id"), e.get("reason"),
                   e.get("customer_key")) for e in events if e["type"].startswith("contact."))


def _by_member(events: list[dict], member: str) -> list[tuple[str, str]]:
    return [(e["type"], e["ts"][11:19]) for e in events if e.get("contact_id", "").startswith(member + "-")]


def test_agent_list_gives_wrap_up_times_and_statuses() -> None:
    assert parse_agent_list(fs.AGENT_LIST) == ({"1001@default": 10, "1002@default": 0},
                                               {"1001@default": "Available", "1002@default": "Available"})
    with pytest.raises(BadEvent, match="wrap_up_time"):
        parse_agent_list("name|status\n1001@default|Available\n")


def test_each_call_maps_to_its_contract_events_at_the_switchs_times() -> None:
    events = _mapped()
    # 09:00 Shanghai = 01:00 UTC; m1 joined T+0, answered T+10, ended T+70, wrap-up 10 s (1001's wrap_up_time)
    assert _by_member(events, "m1") == [("contact.offered", "01:00:00"), ("contact.answered", "01:00:10"),
                                        ("contact.ended", "01:01:10"), ("contact.wrapup_completed", "01:01:20")]
    assert _by_member(events, "m2")[-1] == ("contact.wrapup_completed", "01:02:40")  # 1002: wrap_up_time 0
    # cancel reasons: BREAK_OUT customer, TIMEOUT timeout, NO_AGENT_TIMEOUT empty, EXIT_WITH_KEY key
    reasons = {e["contact_id"][:2]: e["reason"] for e in events if e["type"] == "contact.abandoned"}
    assert reasons == {"m3": "customer", "m4": "timeout", "m6": "empty", "m7": "key"}
    # BREAK_OUT with the member channel's transfer_history: a transfer out, not an abandon
    assert _by_member(events, "m5") == [("contact.offered", "01:00:50"), ("contact.transferred", "01:01:05"),
                                        ("contact.ended", "01:01:05")]
    offered = next(e for e in events if e["type"] == "contact.offered")
    assert (offered["contact_id"], offered["queue"], offered["customer_key"]) == (
        fs.member_uuid(fs.CALLS[0]), "售后@default", "13800138001")  # names verbatim after URL-decoding
    assert offered["event_id"] == f"{fs.member_uuid(fs.CALLS[0])}/offered"


def test_agent_status_and_state_changes_with_the_event_sequence() -> None:
    states = [(e["agent_id"], e["state"], e.get("reason"), e["seq"], e["ts"][11:19]) for e in _mapped()
              if e["type"] == "agent.state"]
    # logged in before the day (T-60: 00:59:00), Waiting while Available -> available; In a queue call maps to
    # nothing (the call makes on_contact); On Break -> not_ready; Logged Out -> logged_out
    assert states[:4] == [("1001@default", "available", None, 1001, "00:59:00"),
                          ("1001@default", "available", None, 1002, "00:59:00"),
                          ("1002@default", "available", None, 1003, "00:59:00"),
                          ("1002@default", "available", None, 1004, "00:59:00")]
    assert states[-2:] == [("1002@default", "not_ready", "On Break", states[-2][3], "01:03:20"),
                           ("1001@default", "logged_out", None, states[-1][3], "01:05:00")]
    ids = [e["event_id"] for e in _mapped() if e["type"] == "agent.state"]
    assert ids[0] == f"fs/{fs.CORE}/1001" and len(set(ids)) == len(ids)


def test_an_on_demand_agent_goes_idle_and_waiting_on_break_changes_nothing() -> None:
    core = fs.Sequence().core(T)
    mapper = CallcenterMapper()
    idle = mapper.feed({**core, "CC-Action": "agent-state-change", "CC-Agent": "a", "CC-Agent-State": "Idle"})
    assert [(e["state"], e["reason"]) for e in idle] == [("not_ready", "Idle")]
    mapper.feed({**core, "CC-Action": "agent-status-change", "CC-Agent": "a", "CC-Agent-Status": "On Break"})
    assert mapper.feed({**core, "CC-Action": "agent-state-change", "CC-Agent": "a", "CC-Agent-State": "Waiting"}) == []


@pytest.mark.parametrize(("change", "reason"), [
    ({"CC-Member-UUID": ""}, "missing_field"),
    ({"CC-Cancel-Reason": "NONE"}, "bad_cancel_reason"),
    ({"CC-Member-Leaving-Time": "soon"}, "bad_number"),
    ({"CC-Member-Leaving-Time": "0"}, "bad_number"),
    ({"CC-Cause": "Exploded"}, "bad_cause"),
    ({"CC-Action": "member-teleported"}, "unknown_action"),
])
def test_bad_events_are_refused_with_a_reason_and_counted(change: dict[str, str], reason: str) -> None:
    cancel = next(h for h in fs.esl_events() if h.get("CC-Cause") == "Cancel")
    mapper = CallcenterMapper()
    with pytest.raises(BadEvent) as raised:
        mapper.feed({**cancel, **change})
    assert raised.value.reason == reason and mapper.summary.dead[reason] == 1


def test_json_and_csv_cdrs_give_the_live_events_of_the_same_calls(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("\n".join([fs.json_cdr(c) for c in fs.CALLS[:4]]
                                               + [fs.agent_leg_json_cdr(fs.CALLS[0])]))
    (tmp_path / "b.csv").write_text(fs.csv_cdr(fs.CALLS[4:]))
    summary, letters = CallcenterSummary(), []
    wraps, _ = parse_agent_list(fs.AGENT_LIST)
    from_cdr = list(import_freeswitch_cdr([tmp_path / "a.json", tmp_path / "b.csv"], wraps, letters.append, summary,
                                       pseudonymise=pseudonymiser(TEST_KEY)))
    assert letters == [] and summary.skipped == {"agent_leg": 1}
    assert _contact_events(from_cdr) == _contact_events(_mapped())


def test_bad_cdr_records_are_dead_letters_with_file_record_and_reason(tmp_path: Path) -> None:
    broken = fs.json_cdr(fs.CALLS[1]).replace(str(T + 60), "later")  # cc_queue_answered_epoch unreadable
    (tmp_path / "x.json").write_text(fs.json_cdr(fs.CALLS[0]) + "\n" + broken + "\n{not json")
    (tmp_path / "y.csv").write_text("a,b\n1,2\n")
    letters: list[DeadLetter] = []
    summary = CallcenterSummary()
    events = list(import_freeswitch_cdr([tmp_path / "x.json", tmp_path / "y.csv"], {}, letters.append, summary,
                                       pseudonymise=pseudonymiser(TEST_KEY)))
    assert [e["type"] for e in events] == ["contact.offered", "contact.answered", "contact.ended",
                                           "contact.wrapup_completed"]
    assert [(d.reason, d.source.rsplit("/", 1)[-1]) for d in letters] == [
        ("bad_number", "x.json:record 2"), ("bad_json", "x.json"), ("no_header", "y.csv")]
    assert "cc_queue_answered_epoch" in letters[0].detail


def test_the_days_report_is_the_hand_worked_one_from_the_events_and_from_the_cdrs(chdb_store: Store,
                                                                                  tmp_path: Path) -> None:
    ingest(chdb_store, _mapped())
    (row,) = report(chdb_store, "2026-11-02T09:00", "2026-11-02T10:00", by=("queue",))
    # offered 7; answered m1 (wait 10), m2 (wait 40); abandoned m3 (3 s: short), m4, m6, m7; m5 transferred out
    # answered within 30 s: m1 -> SL = 1 / (7 - 1 short) = 1/6; abandon rate = (4 - 1) / (7 - 1) = 0.5
    # ASA (10 + 40) / 2 = 25; AHT ((60 + 10) + (100 + 0)) / 2 = 85; ACW (10 + 0) / 2 = 5; nobody waiting
    assert (row["queue"], row["offered"], row["answered"], row["abandoned"], row["short_abandoned"]) == (
        "售后@default", 7, 2, 4, 1)
    assert row["service_level"] == pytest.approx(1 / 6) and row["abandon_rate"] == pytest.approx(0.5)
    assert (row["asa_s"], row["aht_s"], row["avg_acw_s"], row["waiting"]) == (25, 85, 5, 0)
    # the CDR import (the command a user runs) of the same calls, replayed into the same store: no number moves
    (tmp_path / "day.json").write_text("\n".join(fs.json_cdr(c) for c in fs.CALLS))
    (tmp_path / "agents.txt").write_text(fs.AGENT_LIST)
    out = tmp_path / "day.jsonl"
    done = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "import", "freeswitch-cdr",
                           str(tmp_path / "day.json"), "--agent-list", str(tmp_path / "agents.txt"), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ingest(chdb_store, [orjson.loads(line) for line in out.read_bytes().splitlines()])
    assert report(chdb_store, "2026-11-02T09:00", "2026-11-02T10:00", by=("queue",)) == [row]


def test_the_agent_grid_from_the_switch(chdb_store: Store) -> None:
    ingest(chdb_store, _mapped())

    def grid(seconds: int) -> dict[str, tuple[str, str, int]]:
        return {a.agent_id: (a.state, a.reason, a.since_ms // 1000 - T)
                for a in live.agent_states(chdb_store, (T + seconds) * 1000)}

    # T+30: 1001 on m1 since T+10; 1002 available since login (T-60)
    assert grid(30) == {"1001@default": ("on_contact", "", 10), "1002@default": ("available", "", -60)}
    # T+75: m1 ended at T+70, 1001's wrap_up_time 10 s: wrap-up until T+80; 1002 on m2 since T+60
    assert grid(75) == {"1001@default": ("after_contact_work", "", 70), "1002@default": ("on_contact", "", 60)}
    assert grid(80)["1001@default"] == ("available", "", 80)
    # T+250: 1002 on break since T+200; T+300: 1001 logged out, off the grid
    assert grid(250)["1002@default"] == ("not_ready", "On Break", 200)
    assert "1001@default" not in grid(300)
