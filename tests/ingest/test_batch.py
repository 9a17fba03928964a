"""The batch path: a replay of the same day in any order, with repeats, gives the same report."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest

from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.batch import replay
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import load_settings
from pipeline.simulate.config import SimulationConfig
from pipeline.simulate.engine import generate
from tests.fixtures.stores import TEST_KEY

SETTINGS = load_settings()
DAY_START, DAY_END = 1793548800000, 1793635200000  # 2026-11-02 in Asia/Shanghai


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _reports(store) -> list:
    settings = load_settings()
    return [build_report(store, ReportRequest(DAY_START, DAY_END, by=by, interval="1h"), settings)
            for by in (("queue",), ("agent",), ("queue", "interval"), ("channel",))]


def test_shuffled_duplicated_and_repeated_replays_give_identical_reports(store, tmp_path):
    lines = [orjson.dumps(e) for e in generate(SimulationConfig(contacts=800, seed=3))]
    rng = random.Random(11)
    shuffled = lines + rng.sample(lines, len(lines) // 5)
    rng.shuffle(shuffled)
    ordered, messy = _write(tmp_path / "day.jsonl", lines), _write(tmp_path / "messy.jsonl", shuffled)
    pseudo = pseudonymiser(TEST_KEY)

    first = replay([str(ordered)], store, SETTINGS, pseudo, tmp_path / "dl.jsonl")
    baseline = _reports(store)
    assert first.counts.accepted == len(lines) and first.dead_letters == 0
    replay([str(ordered)], store, SETTINGS, pseudo, tmp_path / "dl.jsonl")  # the same file again
    assert _reports(store) == baseline
    messy_summary = replay([str(messy)], store, SETTINGS, pseudo, tmp_path / "dl.jsonl", chunk=997)  # small chunks
    assert messy_summary.counts.duplicates == len(shuffled) - len(lines)
    assert _reports(store) == baseline
    assert baseline[0] and sum(row["offered"] for row in baseline[0]) > 700


def test_messy_file_into_an_empty_store_equals_the_ordered_one(chdb_store, tmp_path):
    from pipeline.store.store import Store

    lines = [orjson.dumps(e) for e in generate(SimulationConfig(contacts=400, seed=5))]
    rng = random.Random(2)
    messy = lines + rng.sample(lines, 100)
    rng.shuffle(messy)
    pseudo = pseudonymiser(TEST_KEY)
    replay([str(_write(tmp_path / "a.jsonl", lines))], chdb_store, SETTINGS, pseudo, tmp_path / "dl")
    other = Store.open(chdb_url_for(chdb_store))
    try:
        replay([str(_write(tmp_path / "b.jsonl", messy))], other, SETTINGS, pseudo, tmp_path / "dl", chunk=250)
        assert _reports(other) == _reports(chdb_store)
    finally:
        other.engine.command(f"DROP DATABASE IF EXISTS {other.db}")


def chdb_url_for(store) -> str:
    from pipeline.store.chdb_engine import ChdbEngine
    from tests.fixtures.stores import _fresh_db

    return f"chdb://{ChdbEngine._open_path}?database={_fresh_db()}"


def test_rejected_lines_go_to_the_dead_letter_file_with_their_reason(chdb_store, tmp_path):
    good = orjson.dumps({"event_id": "g1", "type": "contact.offered", "ts": "2026-11-02T09:00:00+08:00",
                         "contact_id": "c1", "queue": "billing", "channel": "voice"})
    bad = [b"{not json", b'{"event_id":"x","type":"survey.csat","ts":"2026-11-02T09:00:00Z","contact_id":"c1","score":9}',
           b"\xff\x00garbage"]
    source = _write(tmp_path / "in.jsonl", [good, *bad])
    summary = replay([str(source)], chdb_store, SETTINGS, pseudonymiser(TEST_KEY), tmp_path / "dead.jsonl")
    assert summary.counts.accepted == 1 and summary.dead_letters == 3
    records = [orjson.loads(line) for line in (tmp_path / "dead.jsonl").read_bytes().splitlines()]
    assert [r["reason"] for r in records] == ["invalid_json", "out_of_range", "invalid_json"]
    assert records[0]["raw"] == "{not json" and records[0]["source"].endswith("in.jsonl:2")
    assert "raw_base64" in records[2]


def test_customer_keys_are_pseudonymised_before_they_are_stored(chdb_store, tmp_path):
    line = orjson.dumps({"event_id": "p1", "type": "contact.offered", "ts": "2026-11-02T09:00:00+08:00",
                         "contact_id": "c1", "queue": "billing", "channel": "voice", "customer_key": "+8613800138000"})
    replay([str(_write(tmp_path / "p.jsonl", [line]))], chdb_store, SETTINGS, pseudonymiser(TEST_KEY), tmp_path / "dl")
    stored = chdb_store.engine.query(f"SELECT raw FROM {chdb_store.db}.events")["raw"][0]
    facts = chdb_store.engine.query(f"SELECT customer_key, state FROM {chdb_store.db}.contact_facts")
    assert "13800138000" not in stored + facts["customer_key"][0] + facts["state"][0]
    assert facts["customer_key"][0] == pseudonymiser(TEST_KEY)("+8613800138000")


def test_queue_intervals_table_sums_to_the_report(store, tmp_path):
    from pipeline.store.queue_intervals import COMPONENTS

    lines = [orjson.dumps(e) for e in generate(SimulationConfig(contacts=600, seed=12))]
    replay([str(_write(tmp_path / "d.jsonl", lines))], store, SETTINGS, pseudonymiser(TEST_KEY), tmp_path / "dl")
    replay([str(_write(tmp_path / "d.jsonl", lines))], store, SETTINGS, pseudonymiser(TEST_KEY), tmp_path / "dl")
    sums = store.engine.query(
        f"SELECT queue, {', '.join(f'sum({c}) AS {c}' for c in COMPONENTS)} FROM {store.db}.queue_intervals FINAL "
        f"WHERE direction = 'inbound' AND interval_start >= toDateTime({DAY_START // 1000}) "
        f"AND interval_start < toDateTime({DAY_END // 1000}) GROUP BY queue ORDER BY queue")
    rows = build_report(store, ReportRequest(DAY_START, DAY_END, by=("queue",)), SETTINGS)
    assert [r["queue"] for r in rows] == sums["queue"]
    for i, row in enumerate(rows):
        for key in ("offered", "answered", "abandoned", "short_abandoned", "answered_within_sl", "csat_responses"):
            assert sums[key][i] == row[key], key
        assert sums["sl_numerator"][i] / sums["sl_denominator"][i] == pytest.approx(row["service_level"])
        assert sums["wait_answered_sum_ms"][i] / sums["answered"][i] / 1000 == pytest.approx(row["asa_s"])


def test_no_raw_customer_key_reaches_the_dead_letter_file(chdb_store, tmp_path):
    """Rejected lines that carry a customer key keep their pseudonym instead: valid JSON with another bad field,
    a key of the wrong type, and a line cut short after the key."""
    offered = {"event_id": "k1", "type": "contact.offered", "ts": "2026-11-02T09:00:00+08:00", "contact_id": "c1",
               "queue": "billing", "channel": "voice", "customer_key": "+8613800138000"}
    bad = [orjson.dumps({**offered, "channel": "pigeon"}),  # invalid_value, the key in valid JSON
           orjson.dumps({**offered, "event_id": "k2", "customer_key": 8613800138001}),  # wrong_type: a number
           b'{"event_id": "k3", "type": "contact.offered", "customer_key": "+8613800138002", "queue": ']  # cut short
    replay([str(_write(tmp_path / "k.jsonl", bad))], chdb_store, SETTINGS, pseudonymiser(TEST_KEY),
           tmp_path / "dead.jsonl")
    text = (tmp_path / "dead.jsonl").read_text()
    records = [orjson.loads(line) for line in text.splitlines()]
    assert [r["reason"] for r in records] == ["invalid_value", "wrong_type", "invalid_json"]
    assert "138001380" not in text
    pseudonym = pseudonymiser(TEST_KEY)
    assert orjson.loads(records[0]["raw"])["customer_key"] == pseudonym("+8613800138000")
    assert orjson.loads(records[1]["raw"])["customer_key"] == pseudonym("8613800138001")
    assert f'"customer_key": "{pseudonym("+8613800138002")}"' in records[2]["raw"]
    assert records[2]["raw"].endswith('"queue":')  # the rest of the line as it came
