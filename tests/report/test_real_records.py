"""Real call records (Anonymous Bank, February 1999) through importer, replay and report.

The expectations are computed here straight from the raw tab-separated file,
independently of the importer and the metric core: per service line, the
calls offered to the agent queue, answered, abandoned, short abandons (queue
time under 5 s), the wait of answered calls (``q_time``, the dataset's own
"time spent in queue"; 0 for a call served straight from the voice-response
unit), answers within 30 s, and the talk time (``ser_time``; AHT = talk, the
data has no wrap-up).  Nothing here looks at ``ser_start``: the answer moment
is the queue exit, whatever the service clock says.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import orjson
import pytest

from tests.paths import BANK_DATA
from pipeline.core.pseudonym import pseudonymiser
from pipeline.importers.anonymous_bank import convert
from pipeline.ingest.batch import replay
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import load_settings
from pipeline.core.intervals import parse_instant
from tests.fixtures.stores import TEST_KEY

FEBRUARY = BANK_DATA / "02_February.txt"


def _seconds(clock: str) -> int:
    h, m, s = (int(x) for x in clock.split(":"))
    return h * 3600 + m * 60 + s


def expected_from_raw() -> dict[str, Counter]:
    totals: dict[str, Counter] = defaultdict(Counter)
    with FEBRUARY.open() as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            outcome, line = row["outcome"], row["type"]
            queued = row["q_start"] != "0:00:00" or int(row["q_time"]) > 0
            if outcome == "PHANTOM" or (outcome == "HANG" and not queued):
                continue
            # offered on the record's date unless the clock wrapped past midnight; a call served
            # from the voice-response unit with no service record was offered when it left the VRU
            served = row["ser_start"] if row["ser_start"] != "0:00:00" else row["vru_exit"]
            start = _seconds(row["q_start"] if queued else served)
            next_day = start < _seconds(row["vru_entry"]) - 43_200
            if row["date"] == "990228" and next_day:
                continue  # offered on 1 March
            totals[line]["offered"] += 1
            if outcome == "AGENT":
                totals[line]["answered"] += 1
                wait = int(row["q_time"]) if queued else 0
                totals[line]["wait_s"] += wait
                totals[line]["within_sl"] += wait <= 30
                totals[line]["talk_s"] += int(row["ser_time"])
            else:
                totals[line]["abandoned"] += 1
                totals[line]["short_abandoned"] += int(row["q_time"]) < 5
    return totals


@pytest.mark.slow
def test_february_1999_per_queue_totals(chdb_store, tmp_path):
    events, summary = convert(FEBRUARY.read_text().splitlines())
    assert not summary.malformed
    source = tmp_path / "feb.jsonl"
    source.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    result = replay([str(source)], chdb_store, load_settings(tz="Asia/Jerusalem"), pseudonymiser(TEST_KEY), tmp_path / "dead.jsonl")
    assert result.dead_letters == 0

    settings = load_settings(tz="Asia/Jerusalem")
    request = ReportRequest(parse_instant("1999-02-01", settings.zone), parse_instant("1999-03-01", settings.zone))
    rows = {row["queue"]: row for row in build_report(chdb_store, request, settings)}
    expected = expected_from_raw()
    assert set(rows) == set(expected)
    for line, want in expected.items():
        row = rows[line]
        assert (row["offered"], row["answered"], row["abandoned"], row["short_abandoned"]) == (
            want["offered"], want["answered"], want["abandoned"], want["short_abandoned"]), line
        assert row["aht_s"] == pytest.approx(want["talk_s"] / want["answered"]), line
        assert row["asa_s"] == pytest.approx(want["wait_s"] / want["answered"]), line
        assert row["answered_within_sl"] == want["within_sl"], line
        assert row["service_level"] == pytest.approx(
            want["within_sl"] / (want["offered"] - want["short_abandoned"])), line
        assert row["acw_share"] == 0
    assert sum(r["offered"] for r in rows.values()) > 25_000
