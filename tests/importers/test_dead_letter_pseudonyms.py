"""No dead letter keeps a customer's number, whichever source it came from (issue 25, section 2).

One test per source: a record the pipeline rejects, carrying a known phone number in the field its mapper
would have made the ``customer_key`` (and, where the source repeats it, elsewhere too), goes where that source
stores its dead letters; the stored letter must not contain the number and must contain its pseudonym, the
same keyed hash the store holds for that customer (so `cckpi privacy erase` finds it there as well).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner

from pipeline.cli.import_records import import_records
from pipeline.core.intake import Intake
from pipeline.core.pseudonym import pseudonymiser
from pipeline.importers.follow_freeswitch import Spool, SwitchReader
from pipeline.importers.follow_queue_log import FollowCounts, QueueLogLines
from pipeline.ingest import dead_letter
from tests.fixtures import freeswitch as fs
from tests.fixtures.stores import TEST_KEY

PHONE = "+8613812345678"
PSEUDONYM = pseudonymiser(TEST_KEY)(PHONE)
T0 = 1_762_045_200  # 2025-11-02T01:00:00Z


def _assert_scrubbed(stored: str) -> None:
    assert PHONE not in stored and PHONE[1:] not in stored  # neither with nor without the leading +
    assert PSEUDONYM in stored


def _import(tmp_path: Path, command: str, source: Path) -> str:
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(import_records, [command, str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return Path(f"{out}.dead-letters.jsonl").read_text(encoding="utf-8")


def test_asterisk_queue_log_import(tmp_path: Path) -> None:
    """An ENTERQUEUE with an unreadable epoch: the caller id field holds the pseudonym, the rest as it came."""
    source = tmp_path / "queue_log"
    source.write_text(f"soon|call-1|sales|NONE|ENTERQUEUE||{PHONE}|1\n{T0}|call-2|sales|NONE|ENTERQUEUE||139|1\n")
    stored = _import(tmp_path, "asterisk-queue-log", source)
    _assert_scrubbed(stored)
    assert orjson.loads(stored)["raw"] == f"soon|call-1|sales|NONE|ENTERQUEUE||{PSEUDONYM}|1"


def test_asterisk_queue_log_follower() -> None:
    """The live follower's dead letter, as published to the dead-letter topic."""
    sent: list[tuple[bytes, bool]] = []

    class Publisher:
        def send(self, value: bytes, key: bytes | None, dead: bool = False) -> None:
            sent.append((value, dead))

    lines = QueueLogLines(Path("/var/log/asterisk/queue_log"), [], pseudonymiser(TEST_KEY))
    lines.publish(f"{T0}|NONE|sales|NONE|ENTERQUEUE|url|{PHONE}|1\n".encode(), 7, Publisher(),  # type: ignore[arg-type]
                  FollowCounts())
    assert [dead for _, dead in sent] == [True]
    _assert_scrubbed(sent[0][0].decode())
    assert orjson.loads(sent[0][0])["reason"] == "no_call"


def test_amazon_connect_ctr(tmp_path: Path) -> None:
    """A record with an unreadable enqueue time; the address is repeated in a contact attribute."""
    record: dict[str, Any] = {
        "ContactId": "c-1", "Channel": "VOICE", "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2025-11-02T00:59:50Z", "LastUpdateTimestamp": "2025-11-02T01:04:00Z",
        "CustomerEndpoint": {"Address": PHONE, "Type": "TELEPHONE_NUMBER"},
        "Attributes": {"callback_number": PHONE},
        "Queue": {"Name": "billing", "EnqueueTimestamp": "yesterday"}}
    source = tmp_path / "ctr.jsonl"
    source.write_text(json.dumps(record) + "\n")
    stored = _import(tmp_path, "amazon-connect-ctr", source)
    _assert_scrubbed(stored)
    raw = orjson.loads(orjson.loads(stored)["raw"])
    assert raw["CustomerEndpoint"]["Address"] == PSEUDONYM and raw["Attributes"]["callback_number"] == PSEUDONYM


def test_freeswitch_cdr(tmp_path: Path) -> None:
    """A mod_json_cdr member leg whose answered time is unreadable; ani repeats the caller's number."""
    variables = {"cc_side": "member", "cc_member_uuid": "m-1", "cc_queue": "support@default",
                 "cc_queue_joined_epoch": str(T0), "caller_id_number": PHONE, "ani": PHONE,
                 "cc_agent": "1001@default", "cc_queue_answered_epoch": "later", "cc_cause": "answered"}
    source = tmp_path / "a.json"
    source.write_text(json.dumps({"variables": variables}) + "\n" + json.dumps({"variables": {"cc_side": "agent"}}))
    stored = _import(tmp_path, "freeswitch-cdr", source)
    _assert_scrubbed(stored)
    raw = orjson.loads(orjson.loads(stored)["raw"])
    assert raw["caller_id_number"] == PSEUDONYM and raw["ani"] == PSEUDONYM


def test_freeswitch_event_socket_follower(tmp_path: Path) -> None:
    """A member-queue-start event with no queue, as the reader spools it (then published as it stands)."""
    good = next(h for h in fs.esl_events() if h.get("CC-Action") == "member-queue-start")
    bad = {**{k: v for k, v in good.items() if k != "CC-Queue"}, "CC-Member-CID-Number": PHONE,
           "Caller-Caller-ID-Number": PHONE}
    spool = Spool(tmp_path / "esl.spool")
    reader = SwitchReader("127.0.0.1", 8021, "ClueCon", spool, stop=lambda: True,
                          pseudonymise=pseudonymiser(TEST_KEY))
    reader._take([bad])
    spool.close()
    stored = (tmp_path / "esl.spool").read_text(encoding="utf-8")
    assert stored.startswith("D ")
    _assert_scrubbed(stored)
    raw = orjson.loads(orjson.loads(stored[2:])["raw"])
    assert raw["CC-Member-CID-Number"] == PSEUDONYM and raw["Caller-Caller-ID-Number"] == PSEUDONYM


def test_the_contract(tmp_path: Path) -> None:
    """A contract event with a bad channel, through the intake every replay and worker uses, to the file."""
    event = {"event_id": "e1", "type": "contact.offered", "ts": "2026-11-02T09:00:00+08:00", "contact_id": "c1",
             "queue": "billing", "channel": "pigeon", "customer_key": PHONE}
    intake = Intake(pseudonymiser(TEST_KEY))
    intake.feed(orjson.dumps(event), "day.jsonl:1")
    path = tmp_path / "dead-letter.jsonl"
    dead_letter.append(path, intake.take().dead_letters)
    stored = path.read_text(encoding="utf-8")
    _assert_scrubbed(stored)
    assert orjson.loads(orjson.loads(stored)["raw"])["customer_key"] == PSEUDONYM


def test_feedback_sheet(tmp_path: Path) -> None:
    """A survey row whose score is off the scale: its cells, the customer column pseudonymised."""
    source = tmp_path / "surveys.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["contact_id", "answered_at", "csat", "customer"],
                                      ["c1", "2026-11-02 09:00", "7", PHONE]])
    stored = _import(tmp_path, "surveys", source)
    _assert_scrubbed(stored)
    assert orjson.loads(orjson.loads(stored)["raw"])["customer"] == PSEUDONYM
