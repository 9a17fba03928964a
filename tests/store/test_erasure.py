"""`cckpi privacy erase` on each engine: the customer's pseudonym is gone from the store and the dead letters,
their contacts still count, the other customers are untouched, and the erasure is recorded without the key."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from pipeline.cli.main import cli
from pipeline.core.pseudonym import pseudonymiser
from pipeline.store.store import Store
from tests.fixtures.events import answered, ended, offered
from tests.fixtures.stores import TEST_KEY, ingest, report
from tests.payroll.conftest import url_of

ERASED, KEPT = "+8613800138000", "+8613900000000"


def _everything(store: Store) -> str:
    """Every value of every table the erasure covers, as one text to search."""
    texts = []
    for table in ("contact_facts", "events", "customer_contacts", "contact_next", "contact_offers"):
        result = store.engine.query(f"SELECT * FROM {store.db}.{table}")
        texts.extend(str(value) for column in result.values() for value in column)
    return "\n".join(texts)


def test_erase_blanks_one_customer_keeps_their_contacts_counted_and_records_no_key(
        store: Store, chdb_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CCKPI_PSEUDONYM_KEY", TEST_KEY.decode())
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")
    pseudonym = pseudonymiser(TEST_KEY)
    # c1 and c2: the customer to erase (c2 is c1's repeat contact); c3: another customer
    ingest(store, [offered("c1", 0, customer_key=ERASED), answered("c1", 5), ended("c1", 65),
                   offered("c2", 600, customer_key=ERASED), answered("c2", 610), ended("c2", 700),
                   offered("c3", 60, customer_key=KEPT), answered("c3", 70, "a2"), ended("c3", 100)])
    dead = tmp_path / "dead-letter.jsonl"
    dead.write_bytes(orjson.dumps({"reason": "invalid_value", "raw": orjson.dumps(
        {"customer_key": pseudonym(ERASED), "channel": "pigeon"}).decode()}) + b"\n"
        + orjson.dumps({"reason": "invalid_json", "raw": "{"}) + b"\n")
    before = report(store, "2026-11-02", "2026-11-03", by=("queue",))
    assert pseudonym(ERASED) in _everything(store)

    result = CliRunner().invoke(cli, ["privacy", "erase", "--customer", ERASED, "--by", "dpo@centre",
                                      "--store", url_of(store, chdb_dir, store.db), "--dead-letter", str(dead)])
    assert result.exit_code == 0, result.output
    # 2 facts (c1, c2), 2 offered events, 2 index rows, 1 dead letter: worked from the events above
    assert "erased: 2 contact facts, 2 events, 2 customer contacts, 1 dead letters" in result.output

    text = _everything(store)
    assert pseudonym(ERASED) not in text and ERASED not in text
    assert pseudonym(KEPT) in text  # the other customer is untouched
    assert pseudonym(ERASED).encode() not in dead.read_bytes() and dead.read_bytes().count(b"\n") == 2
    assert report(store, "2026-11-02", "2026-11-03", by=("queue",)) == before  # every contact still counts
    recorded = store.engine.query(f"SELECT * FROM {store.db}.erasures")
    assert recorded["who"] == ["dpo@centre"] and recorded["contact_facts"] == [2] and recorded["dead_letters"] == [1]
    assert not any(pseudonym(ERASED) in str(v) or ERASED in str(v) for column in recorded.values() for v in column)

    again = CliRunner().invoke(cli, ["privacy", "erase", "--customer", ERASED, "--by", "dpo@centre",
                                     "--store", url_of(store, chdb_dir, store.db), "--dead-letter", str(dead)])
    assert "erased: 0 contact facts, 0 events, 0 customer contacts, 0 dead letters" in again.output
