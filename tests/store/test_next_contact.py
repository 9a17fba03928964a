"""The next-contact time per contact (``contact_next``) and FCR read from it, on both engines.

Hand-worked: customer K calls billing at day 0 09:00 (k1), day 1 (k2), is
called back on day 2 (k3, outbound), calls again on day 3 (k4); k1, k2 and k4
are resolved, and so is o1, another customer's call on day 1.  So k1's next
inbound contact is k2 (1 day later), k2's and k3's is k4 (2 and 1 days later:
an outbound call is no repeat), k4 and o1 have none.  With the 7-day window
FCR (inbound) is 2 of 4 (k4, o1); with 1.5 days, 3 of 4 (k1 is repeated
within a day; k2's repeat comes after 2 days); with half a day 4 of 4.  The same must come out whichever order the contacts arrive in,
and from two workers writing them at once.
"""

from __future__ import annotations

import threading
from typing import Any

import orjson
import pytest

from pipeline.core.intake import Intake
from pipeline.core.intervals import parse_instant
from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.chain import store_batch
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import Settings, load_settings
from pipeline.store import next_contact
from pipeline.store.store import Store
from tests.fixtures.events import BASE, answered_call
from tests.fixtures.stores import TEST_KEY

DAY = 86_400
NINE_MS = int(BASE.timestamp() * 1000)
SETTINGS = load_settings(tz="Asia/Shanghai")


def _contacts() -> dict[str, list[dict[str, Any]]]:
    return {
        "k1": answered_call("k1", 0, 5, 60, 5, disposition="resolved", customer_key="K"),
        "k2": answered_call("k2", DAY, 5, 60, 5, disposition="resolved", customer_key="K"),
        "k3": answered_call("k3", 2 * DAY, 5, 60, 5, disposition="resolved", customer_key="K", direction="outbound"),
        "k4": answered_call("k4", 3 * DAY, 5, 60, 5, disposition="resolved", customer_key="K"),
        # another customer's contact between them changes nothing for K
        "o1": answered_call("o1", DAY + 60, 5, 60, 5, disposition="resolved", customer_key="O"),
    }


EXPECTED_NEXT = {"k1": NINE_MS + DAY * 1000, "k2": NINE_MS + 3 * DAY * 1000, "k3": NINE_MS + 3 * DAY * 1000}


def _write(store: Store, events: list[dict[str, Any]], settings: Settings = SETTINGS) -> None:
    """One worker flush."""
    intake = Intake(pseudonymiser(TEST_KEY))
    for item in events:
        intake.feed(orjson.dumps(item))
    store_batch(store, settings, intake.take())


def _next(store: Store) -> dict[str, int]:
    rows = store.engine.query(f"SELECT contact_id, min(next_offered_ms) AS n FROM {store.db}.contact_next "
                              f"GROUP BY contact_id")
    return {cid: int(n) for cid, n in zip(rows["contact_id"], rows["n"])}


def _fcr(store: Store, window_days: float, start: str = "2026-11-02", end: str = "2026-11-06") -> dict[str, Any]:
    settings = load_settings(tz="Asia/Shanghai", queue_defaults={"fcr_window_days": window_days})
    request = ReportRequest(parse_instant(start, settings.zone), parse_instant(end, settings.zone), by=())
    (row,) = build_report(store, request, settings)
    return row


ORDERS = {
    "in order, one batch each": [["k1"], ["k2"], ["k3"], ["k4"], ["o1"]],
    "reverse order": [["o1"], ["k4"], ["k3"], ["k2"], ["k1"]],
    "the middle late": [["k1", "k4"], ["o1"], ["k3"], ["k2"]],
    "one batch": [["k1", "k2", "k3", "k4", "o1"]],
}


@pytest.mark.parametrize("order", list(ORDERS))
def test_next_contact_whatever_order_the_contacts_arrive_in(store: Store, order: str) -> None:
    contacts = _contacts()
    for batch in ORDERS[order]:
        _write(store, [e for cid in batch for e in contacts[cid]])
    assert _next(store) == EXPECTED_NEXT
    # the window is applied when reading: the same stored rows give each window's number
    for window, resolved in ((7, 2), (1.5, 3), (0.5, 4)):  # of k1, k2, k4 and o1 (o1 has no later contact)
        row = _fcr(store, window)
        assert row["fcr_rate"] == pytest.approx(resolved / 4), (order, window)


def test_fcr_is_the_same_from_the_pre_aggregates_and_the_facts(store: Store) -> None:
    contacts = _contacts()
    for cid in ("k4", "k2", "o1", "k1", "k3"):
        _write(store, contacts[cid])
    for window in (7, 1.5, 0.5, 1.0):
        # 2026-11-02 to 11-06 (4 days on 15-minute boundaries): the pre-aggregates; one minute earlier: the facts
        pre = _fcr(store, window)
        facts = _fcr(store, window, "2026-11-01T23:59", "2026-11-06")
        assert pre == facts
    # 1.0 day: k1's repeat comes exactly 1 day later, which is within the window (offered + window, inclusive)
    assert _fcr(store, 1.0)["fcr_rate"] == pytest.approx(3 / 4)


def test_a_late_contact_rebuilds_the_interval_of_the_contact_it_repeats(store: Store) -> None:
    contacts = _contacts()
    _write(store, contacts["k1"])
    assert _fcr(store, 7)["fcr_rate"] == 1.0
    _write(store, contacts["k2"])  # a day later: k1's 09:00 interval must change, not only k2's
    rows = store.engine.query(f"SELECT fcr_unrepeated, fcr_repeat_gaps_ms FROM {store.db}.queue_intervals FINAL "
                              f"WHERE interval_start = toDateTime({NINE_MS // 1000})")
    assert (rows["fcr_unrepeated"], rows["fcr_repeat_gaps_ms"]) == ([0], [[DAY * 1000]])
    assert _fcr(store, 7)["fcr_rate"] == pytest.approx(1 / 2)


def test_two_writers_one_customer_interleaved(store: Store) -> None:
    """Each worker writes its rows, then links, in every interleaving that can happen: a worker always writes
    before it reads, so the later reader sees both contacts."""
    contacts = _contacts()
    intake = Intake(pseudonymiser(TEST_KEY))
    for item in contacts["k1"] + contacts["k2"]:
        intake.feed(orjson.dumps(item))
    states = intake.take().contacts
    key = states["k1"].offered.customer_key  # type: ignore[union-attr]
    store.write_states([states["k2"]])  # worker B writes k2
    store.write_states([states["k1"]])  # worker A writes k1
    next_contact.link(store, [(key, "k1")])  # A reads: sees both
    next_contact.link(store, [(key, "k2")])  # B reads: sees both
    assert _next(store) == {"k1": NINE_MS + DAY * 1000}
    # a link seeing an older view (B's read before A's write) only adds candidates the later reader corrects
    store.write_states([states["k1"]])
    next_contact.link(store, [(key, "k1"), (key, "k2")])
    assert _next(store) == {"k1": NINE_MS + DAY * 1000}


@pytest.mark.integration
def test_two_workers_writing_the_same_customers_at_once(store: Store) -> None:
    """Two processes' worth of writers (two connections) flush interleaved contacts of the same 40 customers
    concurrently; every contact must end with its true next contact, and FCR equal the facts' own join."""
    if store.engine.__class__.__name__ != "ClickhouseEngine":
        pytest.skip("chDB is one process with one session: the concurrent case needs the server")
    url = _url_of(store)
    second = Store.open(url)
    customers, per_customer = 40, 6
    batches: list[list[list[dict[str, Any]]]] = [[], []]
    for round_ in range(per_customer):
        for worker in (0, 1):
            batch = []
            for c in range(customers):
                # the two workers' contacts of one customer alternate in time: each link has the other's neighbours
                t = (round_ * 2 + worker) * 3600 + c
                cid = f"c{c}-{round_}-{worker}"
                batch += answered_call(cid, t, 5, 60, 5, disposition="resolved", customer_key=f"cust{c}")
            batches[worker].append(batch)
    errors: list[BaseException] = []

    def run(target: Store, mine: list[list[dict[str, Any]]]) -> None:
        try:
            for batch in mine:
                _write(target, batch)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s, b)) for s, b in ((store, batches[0]), (second, batches[1]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.close()
    assert not errors, errors
    expected = {}
    for c in range(customers):
        times = sorted(((r * 2 + w) * 3600 + c, f"c{c}-{r}-{w}") for r in range(per_customer) for w in (0, 1))
        for (_, cid), (later, _) in zip(times, times[1:]):
            expected[cid] = NINE_MS + later * 1000
    assert _next(store) == expected
    # windows of 1.5 and 3 hours: every repeat (1 h later) is within both, none within 0.5 h
    for window_days, resolved in ((1.5 / 24, customers), (3 / 24, customers), (0.5 / 24, customers * 12)):
        pre = _fcr(store, window_days, "2026-11-02", "2026-11-05")
        facts = _fcr(store, window_days, "2026-11-01T23:59", "2026-11-05")
        assert pre == facts
        assert pre["fcr_rate"] == pytest.approx(resolved / (customers * 12))


def _url_of(store: Store) -> str:
    import os

    admin = os.environ.get("CCKPI_ADMIN_STORE_URL") or os.environ["CCKPI_STORE_URL"]
    return f"{admin.rsplit('/', 1)[0]}/{store.db}"


def test_migration_links_the_contacts_stored_before_it(store: Store) -> None:
    contacts = _contacts()
    _write(store, [e for cid in ("k1", "k2", "k3", "k4", "o1") for e in contacts[cid]])
    store.engine.command(f"DROP TABLE {store.db}.contact_next")  # as a store before the migration had none
    store.engine.command(f"DROP TABLE {store.db}.customer_contacts")
    from pipeline.store.migrations import load

    (migration,) = [m for m in load() if any("contact_next" in s for s in m.statements)]
    for statement in migration.statements:
        if "queue_intervals ADD COLUMN" in statement or "agent_intervals" in statement:
            continue  # those tables are at the new version already
        store.engine.command(statement.replace("{db}", store.db))
    assert _next(store) == EXPECTED_NEXT
    assert _fcr(store, 7, "2026-11-01T23:59", "2026-11-06")["fcr_rate"] == pytest.approx(2 / 4)


def test_backfill_in_sql_links_like_the_writes(store: Store) -> None:
    """``cckpi bench`` generates facts in SQL and links them with ``backfill``: the same next contacts."""
    contacts = _contacts()
    _write(store, [e for cid in ("k1", "k2", "k3", "k4", "o1") for e in contacts[cid]])
    store.engine.command(f"DROP TABLE {store.db}.contact_next")
    store.engine.command(f"CREATE TABLE {store.db}.contact_next (contact_id String, next_offered_ms Int64) "
                         f"ENGINE = ReplacingMergeTree() ORDER BY (contact_id, next_offered_ms)")
    next_contact.backfill(store, parts=3)
    assert _next(store) == EXPECTED_NEXT
