"""The queue settings issue 22 adds: FCR exclusion, CSAT scale and cut-off, AHT targets by direction."""

from __future__ import annotations

import pytest

from pipeline.settings import QueueSettings, SettingsError, load_settings


@pytest.mark.parametrize("scale, cut_off", [("1-5", 4), ("0-100", 80), ("3-option", 3)])
def test_each_scale_has_a_default_satisfied_cut_off(scale: str, cut_off: float) -> None:
    assert QueueSettings(csat_scale=scale).csat_cutoff == cut_off


def test_a_set_cut_off_wins() -> None:
    assert QueueSettings(csat_scale="0-100", csat_satisfied_min=90).csat_cutoff == 90


@pytest.mark.parametrize("scale, cut_off", [("1-5", 6), ("1-5", 1), ("0-100", 0), ("0-100", 101), ("3-option", 4)])
def test_a_cut_off_off_its_scale_is_one_line_naming_the_setting(scale: str, cut_off: float) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(queues={"billing": {"csat_scale": scale, "csat_satisfied_min": cut_off}})
    message = str(caught.value)
    assert "\n" not in message and "queues.billing" in message and "csat_satisfied_min" in message


def test_an_unknown_scale_is_refused() -> None:
    with pytest.raises(SettingsError, match="csat_scale"):
        load_settings(queue_defaults={"csat_scale": "1-10"})


def test_aht_targets_by_direction_and_none_unless_set() -> None:
    queue = QueueSettings(aht_target_s=180, aht_target_outbound_s=240)  # 002: 呼入≤3分鐘, 呼出≤4分鐘
    assert queue.aht_target("inbound") == 180 and queue.aht_target("outbound") == 240
    assert QueueSettings().aht_target("inbound") is None
    with pytest.raises(SettingsError, match="aht_target_s"):
        load_settings(queue_defaults={"aht_target_s": 0})


def test_fcr_keeps_escalated_contacts_by_default() -> None:
    assert QueueSettings().fcr_exclude_escalated is False  # section 3's definition unless a queue opts out


def test_retention_keeps_everything_unless_set_and_cuts_strictly_older_rows() -> None:
    retention = load_settings(retention={"raw_events_days": 30, "dead_letters_days": 0}).retention
    now = 100 * 86_400_000
    assert retention.cut_ms("raw_events", now) == 70 * 86_400_000
    assert retention.cut_ms("dead_letters", now) is None and retention.cut_ms("contact_facts", now) is None


@pytest.mark.parametrize(("given", "named"), [
    ({"raw_events_days": -1}, "setting retention.raw_events_days (CCKPI_RETENTION__RAW_EVENTS_DAYS): "),
    ({"dead_letter_days": 3}, "setting retention.dead_letter_days (CCKPI_RETENTION__DEAD_LETTER_DAYS): Extra"),
    ({"contact_facts_days": "a year"}, "setting retention.contact_facts_days (CCKPI_RETENTION__CONTACT_FACTS_DAYS)"),
])
def test_a_bad_retention_is_one_line_naming_the_setting(given: dict, named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(retention=given)
    assert str(caught.value).startswith(named) and "\n" not in str(caught.value)


def test_contact_facts_are_kept_as_long_as_payroll_recomputes_closed_months() -> None:
    """Closing a month recomputes it and the 3 closed months before it (default), and may come a month late:
    31 x (3 + 2) + 3 grace days = 158 days at least."""
    assert load_settings(retention={"contact_facts_days": 158}).retention.contact_facts_days == 158
    with pytest.raises(SettingsError) as caught:
        load_settings(retention={"contact_facts_days": 157})
    assert str(caught.value) == ("retention.contact_facts_days (CCKPI_RETENTION__CONTACT_FACTS_DAYS) is 157, but "
                                 "payroll recomputes closed months from the facts: keep at least 158 days (or 0 "
                                 "to keep them forever)")
    fewer = load_settings(retention={"contact_facts_days": 62},
                          payroll={"adjustment_lookback_months": 0, "close_grace_days": 0})
    assert fewer.retention.contact_facts_days == 62
