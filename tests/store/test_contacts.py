"""Key paging of the contact listing: no row lost, none repeated, no stale version of a contact shown."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

import pytest

from pipeline.core.intervals import parse_instant
from pipeline.store.contacts import BadCursor, ContactFilter, list_contacts
from tests.fixtures.events import abandoned, answered, offered
from tests.fixtures.stores import ingest

START = parse_instant("2026-11-01T00:00:00+08:00", ZoneInfo("Asia/Shanghai"))


def _day_of_contacts(store, seed: int = 7) -> list[tuple[int, str]]:
    """90 contacts over five days (seconds from 09:00 on 2 November), many sharing an offered instant."""
    rng = random.Random(seed)
    events, keys = [], []
    for i in range(90):
        t = rng.choice([-86_400 * 2, -3600, 0, 0, 5, 3599, 3600, 7200, 40_000, 86_400]) + rng.choice([0, 0, 1])
        cid = f"k{rng.randrange(10**6):06d}-{i}"
        events.append(offered(cid, t, queue=rng.choice(["billing", "sales"])))
        if i % 3 == 0:
            events.append(answered(cid, t + 4))
        elif i % 3 == 1:
            events.append(abandoned(cid, t + 9))
        keys.append((t, cid))
    ingest(store, events)
    return sorted(keys)


@pytest.mark.parametrize("limit", [1, 7, 89, 90, 500])
def test_pages_list_every_contact_once_in_order(store, limit):
    expected = [cid for t, cid in _day_of_contacts(store) if t >= -33 * 3600]  # from 1 November 00:00 local
    assert 60 < len(expected) < 90
    wanted = ContactFilter(START, START + 6 * 86_400_000)
    seen, cursor = [], None
    while True:
        page = list_contacts(store, wanted, limit, cursor)
        assert len(page.rows) <= limit
        seen += [r["contact_id"] for r in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected


def test_a_filtered_listing_pages_the_same(store):
    _day_of_contacts(store)
    wanted = ContactFilter(START, START + 6 * 86_400_000, queues=("billing",), outcome="abandoned")
    whole = [r["contact_id"] for r in list_contacts(store, wanted, 500).rows]
    seen, cursor = [], None
    while True:
        page = list_contacts(store, wanted, 4, cursor)
        seen += [r["contact_id"] for r in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == whole and whole
    assert all(r["outcome"] == "abandoned" and r["queue"] == "billing" for r in list_contacts(store, wanted, 500).rows)


def test_a_forged_cursor_is_refused(chdb_store):
    with pytest.raises(BadCursor):
        list_contacts(chdb_store, ContactFilter(START, START + 1000), cursor="bm90LWEtY3Vyc29y")


def test_an_older_stored_version_never_shows_nor_repeats_a_contact(store):
    """Three writes of one contact (offered, answered, wrapped up) leave up to three unmerged versions: the listing
    reads candidates without FINAL, so the stale ones must be dropped, and no page may hold the contact twice."""
    ingest(store, [offered("s1", 0), offered("s2", 0), offered("s3", 10)])
    ingest(store, [answered("s1", 5), abandoned("s3", 20)])
    ingest(store, [answered("s2", 8)])
    day = ContactFilter(START, START + 3 * 86_400_000)
    waiting = ContactFilter(START, START + 3 * 86_400_000, outcome="waiting")
    assert [r["contact_id"] for r in list_contacts(store, waiting).rows] == []
    for limit in (1, 2, 3):
        seen, cursor = [], None
        while True:
            page = list_contacts(store, day, limit, cursor)
            seen += [(r["contact_id"], r["outcome"]) for r in page.rows]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == [("s1", "answered"), ("s2", "answered"), ("s3", "abandoned")], limit


def _listed(store, wanted: ContactFilter, limit: int = 500) -> list[str]:
    seen, cursor = [], None
    while True:
        page = list_contacts(store, wanted, limit, cursor)
        seen += [r["contact_id"] for r in page.rows]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_a_changed_outcome_is_listed_by_the_latest_state_before_and_after_the_index_merges(store):
    """The index keeps one row per written state under one key; the merge keeps the last written (the latest)."""
    ingest(store, [offered("w1", 0), offered("w2", 30)])
    ingest(store, [abandoned("w1", 25)])
    for merged in (False, True):
        if merged:
            store.engine.command(f"OPTIMIZE TABLE {store.db}.contact_offers FINAL")
            assert int(store.engine.query(f"SELECT count() AS n FROM {store.db}.contact_offers")["n"][0]) == 2
        assert _listed(store, ContactFilter(START, START + 3 * 86_400_000, outcome="abandoned")) == ["w1"], merged
        assert _listed(store, ContactFilter(START, START + 3 * 86_400_000, outcome="waiting")) == ["w2"], merged


def test_a_month_listing_walks_windows_of_offered_time_in_order(store):
    """Contacts minutes, hours and weeks apart (the listing reads the index an hour first, then windows four times
    longer each): every one once, in order, on pages of every size, with a filter matching only the late ones."""
    # seconds from 09:00 on 2 November (Asia/Shanghai); the month is November
    at = [-33 * 3600, -33 * 3600 + 1, 0, 1800, 3599, 3600, 7200, 20 * 3600, 10 * 86_400, 27 * 86_400 + 14 * 3600]
    ingest(store, [offered(f"m{i:02d}", t, queue="sales" if i >= 7 else "billing") for i, t in enumerate(at)])
    ingest(store, [answered(f"m{i:02d}", t + 3) for i, t in enumerate(at) if i % 2 == 0])
    month = ContactFilter(START, START + 30 * 86_400_000)
    for limit in (1, 2, 3, 10, 11):
        assert _listed(store, month, limit) == [f"m{i:02d}" for i in range(10)], limit
        assert _listed(store, ContactFilter(START, START + 30 * 86_400_000, queues=("sales",)), limit) == [
            "m07", "m08", "m09"], limit
        assert _listed(store, ContactFilter(START, START + 30 * 86_400_000, queues=("sales",), outcome="answered"),
                       limit) == ["m08"], limit
    assert _listed(store, ContactFilter(START + 19 * 86_400_000, START + 30 * 86_400_000)) == ["m09"]  # from 20 Nov
