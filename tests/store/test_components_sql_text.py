"""The text ``store/components_sql.py`` builds where the reports' numbers cannot show a change, worked by hand.

``thresholds`` is stored with every pre-aggregated row (``built_with``) and compared on read, so its text is a
format that rows already written depend on: a changed spelling would make every stored row look stale.  The
``contact_offers`` narrowing only makes a short report cheaper (every query keeps its own condition on
``offered_ms``), so its span limit shows in the query text, not in a figure.  Defaults
(``pipeline/settings.py``): service level 30 s, short abandon 5 s, first response 15 s, ``exclude_short``, FCR
7 days, escalated contacts kept in FCR, satisfied from 4; zone Asia/Shanghai.
"""

from __future__ import annotations

from pipeline.settings import QueueSettings, load_settings
from pipeline.store import components_sql

DEFAULTS = "sl=30;short=5;frt=15;mode=exclude_short;tz=Asia/Shanghai;fcrx=0;csat=4"
TWO_DAYS_MS = 2 * 86_400_000


def test_the_thresholds_text_of_the_defaults_and_of_a_queue_of_its_own():
    assert components_sql.thresholds(load_settings()) == f"'{DEFAULTS}'"
    billing = load_settings(queues={"billing": QueueSettings(sl_threshold_s=20, fcr_exclude_escalated=True)})
    assert components_sql.thresholds(billing) == (
        "transform(queue, ['billing'], "
        "['sl=20;short=5;frt=15;mode=exclude_short;tz=Asia/Shanghai;fcrx=1;csat=4'], "
        f"'{DEFAULTS}')")


def test_a_queue_threshold_is_read_per_contact_in_milliseconds():
    billing = load_settings(queues={"billing": QueueSettings(sl_threshold_s=20, fcr_window_days=1)})
    columns = components_sql.per_contact_columns(billing)
    assert "transform(queue, ['billing'], [20000.0], 30000.0) AS sl_ms" in columns
    # one day is 86,400,000 ms; the default window, 7 days, is 604,800,000 ms
    assert components_sql.fcr_window_ms(billing) == "transform(queue, ['billing'], [86400000.0], 604800000.0)"
    assert components_sql.fcr_window_ms(load_settings()) == "604800000.0"


def test_the_offers_index_narrows_ranges_of_up_to_two_days_of_offered_time():
    def narrowed(ranges: list[tuple[int, int]] | None) -> bool:
        return "contact_offers" in components_sql.next_contacts("db", ranges)

    assert narrowed([(0, TWO_DAYS_MS)])  # exactly two days: through the index
    assert narrowed([(0, 86_400_000), (10 * 86_400_000, 11 * 86_400_000)])  # two one-day ranges: two days
    assert not narrowed([(0, TWO_DAYS_MS + 1)])  # a millisecond more: scan the facts
    assert not narrowed(None)  # ranges not known as numbers
    assert components_sql.next_contacts("db", [(5, 9)]) == (
        "SELECT contact_id, min(next_offered_ms) AS next_ms FROM db.contact_next WHERE "
        "contact_id IN (SELECT contact_id FROM db.contact_offers WHERE (offered_ms >= 5 AND offered_ms < 9)) AND 1 "
        "GROUP BY contact_id")


def test_offered_in_is_each_half_open_range_or_nothing():
    assert components_sql.offered_in([]) == "0"  # no range: no contact
    assert components_sql.offered_in([(1, 2), (3, 4)]) == (
        "(offered_ms >= 1 AND offered_ms < 2) OR (offered_ms >= 3 AND offered_ms < 4)")


def test_a_long_range_scans_and_a_query_without_keys_has_no_group():
    # over two days (or ranges not known): no narrowing at all, the condition is the caller's alone
    assert components_sql.next_contacts("db", None) == (
        "SELECT contact_id, min(next_offered_ms) AS next_ms FROM db.contact_next WHERE 1 GROUP BY contact_id")
    # no keys: one row of totals, no GROUP BY
    query = components_sql.contact_query("db", load_settings(), {}, "offered_ms >= 0")
    assert query.endswith("USING contact_id WHERE offered_ms >= 0)")
    assert "GROUP BY k_" not in query
    keyed = components_sql.contact_query("db", load_settings(), {"queue": "queue"}, "1")
    assert keyed.startswith("SELECT k_queue, count() AS offered,") and keyed.endswith("WHERE 1) GROUP BY k_queue")
