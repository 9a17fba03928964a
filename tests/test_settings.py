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
