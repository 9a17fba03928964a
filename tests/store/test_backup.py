"""Backup and restore on each engine: data in, backup, the stores dropped, restore, every output as before.

"As before" is byte for byte: the reports (by queue, agent, channel and
interval, as JSON), the payroll history and the closed month's export.  And
a restore refuses a damaged backup, a newer schema and a store holding data.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner, Result

from pipeline.cli.main import cli
from pipeline.payroll.closing import open_payroll_store
from pipeline.store.store import Store
from tests.fixtures.stores import ingest
from tests.payroll.conftest import payroll_url_beside, url_of
from tests.payroll.events import ROSTER_CSV, SIMPLE_POLICY, october


class Centre:
    """The October of tests/payroll/events.py in a store, its month closed, and the CLI over both stores."""

    def __init__(self, store: Store, url: str, payroll_url: str, folder: Path) -> None:
        self.store, self.url, self.payroll_url, self.folder = store, url, payroll_url, folder
        (folder / "roster.csv").write_text(ROSTER_CSV)
        (folder / "simple.yaml").write_text(SIMPLE_POLICY)

    def cli(self, *argv: str) -> Result:
        return CliRunner().invoke(cli, list(argv), catch_exceptions=False)

    def payroll(self, command: str, *args: str, inputs: bool = True) -> Result:
        given = ["--roster", str(self.folder / "roster.csv"), "--policy", str(self.folder / "simple.yaml")]
        return self.cli("payroll", command, "--month", "2026-10", *(given if inputs else []), "--store", self.url,
                        "--payroll-store", self.payroll_url, *args)

    def outputs(self, name: str) -> dict[str, Any]:
        """Everything a user reads: reports, the payroll history, the closed month's export (bytes)."""
        found: dict[str, Any] = {}
        for by in ("queue", "agent", "channel", "interval"):
            result = self.cli("report", "--store", self.url, "--from", "2026-10-01", "--to", "2026-11-01", "--by", by,
                              "--interval", "1h", "--format", "json")
            assert result.exit_code == 0, result.output
            found[f"report by {by}"] = result.stdout
        history = self.payroll("history", "--format", "json", inputs=False)
        assert history.exit_code == 0, history.output
        found["history"] = history.stdout
        out = self.folder / f"{name}.csv"
        assert self.payroll("export", "--out", str(out)).exit_code == 0
        found["export"] = out.read_bytes()
        return found

    def store_args(self) -> list[str]:
        return ["--store", self.url]


@pytest.fixture
def centre(store: Store, chdb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Centre]:
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")
    monkeypatch.setenv("CCKPI_LANG", "en")
    monkeypatch.setenv("CCKPI_PAYROLL__CLOSE_GRACE_DAYS", "0")
    payroll_url = payroll_url_beside(store, chdb_dir)
    monkeypatch.setenv("CCKPI_PAYROLL_STORE_URL", payroll_url)
    ingest(store, october())
    made = Centre(store, url_of(store, chdb_dir, store.db), payroll_url, tmp_path)
    closed = made.payroll("close", "--by", "alice")
    assert closed.exit_code == 0, closed.output
    yield made
    payroll = open_payroll_store(payroll_url)
    payroll.engine.command(f"DROP DATABASE IF EXISTS {payroll.db}")


def _backup(centre: Centre, folder: Path) -> Result:
    return centre.cli("store", "backup", str(folder), *centre.store_args(), "--no-kafka-offsets")


def test_a_restore_after_the_stores_were_dropped_gives_every_output_byte_for_byte(centre: Centre, tmp_path: Path):
    before = centre.outputs("before")
    assert json.loads(before["history"])[0]["action"] == "close" and before["export"].count(b"\n") > 1
    made = _backup(centre, tmp_path / "backup")
    assert made.exit_code == 0, made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    events = manifest["databases"]["events"]
    assert events["migration_version"] >= 7 and events["tables"]["contact_facts"]["rows"] > 0
    assert {"payroll_closes", "payroll_audit", "payroll_rows"} <= set(manifest["databases"]["payroll"]["tables"])
    assert all(len(t["sha256"]) == 64 for t in events["tables"].values()) and manifest["created_at"]

    centre.store.drop()
    open_payroll_store(centre.payroll_url).drop()
    restored = centre.cli("store", "restore", str(tmp_path / "backup"), *centre.store_args(), "--no-kafka-offsets")
    assert restored.exit_code == 0, restored.output
    assert centre.outputs("after") == before


def test_a_restore_refuses_a_store_with_data_unless_told_to_replace_it(centre: Centre, tmp_path: Path):
    before = centre.outputs("before")
    assert _backup(centre, tmp_path / "backup").exit_code == 0
    refused = centre.cli("store", "restore", str(tmp_path / "backup"), *centre.store_args())
    assert refused.exit_code == 1 and "already holds data: pass --replace" in refused.output
    ingest(centre.store, [{"event_id": "extra-1", "type": "contact.offered", "ts": "2026-10-12T09:00:00+08:00",
                           "contact_id": "extra", "queue": "billing", "channel": "voice"}])
    assert centre.outputs("changed")["report by queue"] != before["report by queue"]
    replaced = centre.cli("store", "restore", str(tmp_path / "backup"), *centre.store_args(), "--replace",
                          "--no-kafka-offsets")
    assert replaced.exit_code == 0, replaced.output
    assert centre.outputs("after") == before


def test_a_restore_refuses_a_damaged_backup_or_a_newer_schema_before_touching_the_store(centre: Centre,
                                                                                        tmp_path: Path):
    before = centre.outputs("before")
    backup = tmp_path / "backup"
    assert _backup(centre, backup).exit_code == 0
    manifest = json.loads((backup / "manifest.json").read_text())
    facts = backup / manifest["databases"]["events"]["tables"]["contact_facts"]["file"]
    original = facts.read_bytes()
    facts.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    damaged = centre.cli("store", "restore", str(backup), *centre.store_args(), "--replace")
    assert damaged.exit_code == 1 and "does not match the manifest's checksum" in damaged.output
    facts.write_bytes(original)
    manifest["databases"]["payroll"]["migration_version"] = 99
    (backup / "manifest.json").write_bytes(msgspec.json.encode(manifest))
    newer = centre.cli("store", "restore", str(backup), *centre.store_args(), "--replace")
    assert newer.exit_code == 1 and "schema has migration 99, which this cckpi lacks" in newer.output
    assert centre.outputs("after") == before  # neither refusal touched the store


def test_a_backup_needs_a_new_folder(centre: Centre, tmp_path: Path):
    folder = tmp_path / "used"
    folder.mkdir()
    (folder / "something").write_text("x")
    refused = _backup(centre, folder)
    assert refused.exit_code == 1 and "is not empty: back up into a new folder" in refused.output


def test_a_folder_without_a_manifest_is_not_a_backup(centre: Centre, tmp_path: Path):
    folder = tmp_path / "half" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    refused = centre.cli("store", "restore", str(folder), *centre.store_args(), "--replace")
    assert refused.exit_code == 1 and "has no manifest.json: not a backup, or one that did not finish" in refused.output
