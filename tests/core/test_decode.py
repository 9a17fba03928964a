"""Every rejection reason of the contract, and what is accepted."""

from __future__ import annotations

import pytest

from pipeline.core import events as ev
from pipeline.core.decode import REASONS, Accepted, Rejected, decode

OK = b'{"event_id":"e1","type":"survey.csat","ts":"2026-11-02T09:00:05.250Z","contact_id":"c1","score":5}'


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"not json", "invalid_json"),
        (b"\xff\xfe{}", "invalid_json"),
        (b"[1, 2]", "not_an_object"),
        (b'{"event_id":"e1","ts":"2026-11-02T09:00:05Z"}', "missing_type"),
        (b'{"event_id":"e1","type":"contact.teleported","ts":"2026-11-02T09:00:05Z"}', "unknown_type"),
        (b'{"event_id":"e1","type":"contact.answered","ts":"2026-11-02T09:00:05Z","contact_id":"c1"}', "missing_field"),
        (b'{"event_id":"e1","type":"contact.answered","ts":"2026-11-02T09:00:05Z","contact_id":7,"agent_id":"a"}',
         "wrong_type"),
        (OK.replace(b'"score":5', b'"score":6'), "out_of_range"),
        (OK.replace(b'"score":5', b'"score":0'), "out_of_range"),
        # the survey's scale bounds its score: 0-100 takes 0..100, 3-option 1..3, and 1-5 (the default) 1..5
        (OK.replace(b'"score":5', b'"score":101,"scale":"0-100"'), "out_of_range"),
        (OK.replace(b'"score":5', b'"score":4,"scale":"3-option"'), "out_of_range"),
        (OK.replace(b'"score":5', b'"score":0,"scale":"3-option"'), "out_of_range"),
        (OK.replace(b'"score":5', b'"score":80'), "out_of_range"),
        (OK.replace(b'"score":5', b'"score":5,"scale":"1-10"'), "invalid_value"),
        (b'{"event_id":"e1","type":"survey.nps","ts":"2026-11-02T09:00:05Z","contact_id":"c1","score":11}',
         "out_of_range"),
        (b'{"event_id":"e1","type":"qa.evaluated","ts":"2026-11-02T09:00:05Z","contact_id":"c","agent_id":"a",'
         b'"score":100.5,"fatal_errors":0,"nonfatal_errors":0,"opportunities":1}', "out_of_range"),
        (OK.replace(b'"e1"', b'""'), "out_of_range"),
        (b'{"event_id":"e1","type":"contact.offered","ts":"2026-11-02T09:00:05Z","contact_id":"c","queue":"q",'
         b'"channel":"fax"}', "invalid_value"),
        (b'{"event_id":"e1","type":"contact.message","ts":"2026-11-02T09:00:05Z","contact_id":"c","sender":"bot"}',
         "invalid_value"),
        (b'{"event_id":"e1","type":"agent.state","ts":"2026-11-02T09:00:05Z","agent_id":"a","state":"asleep"}',
         "invalid_value"),
        (OK.replace(b"2026-11-02T09:00:05.250Z", b"2026-11-02T09:00:05"), "bad_timestamp"),
        (OK.replace(b"2026-11-02T09:00:05.250Z", b"yesterday"), "bad_timestamp"),
        (OK.replace(b'"2026-11-02T09:00:05.250Z"', b"1700000000"), "bad_timestamp"),
    ],
)
def test_rejections_name_their_reason(raw, reason):
    outcome = decode(raw)
    assert isinstance(outcome, Rejected)
    assert outcome.reason == reason, outcome.detail
    assert outcome.reason in REASONS and outcome.detail


def test_accepts_offsets_and_keeps_milliseconds():
    outcome = decode(OK.replace(b"2026-11-02T09:00:05.250Z", b"2026-11-02T17:00:05.250+08:00"))
    assert isinstance(outcome, Accepted)
    assert outcome.ts_ms == 1793610005250  # 2026-11-02T09:00:05.250Z


def test_unknown_extra_fields_are_not_an_error():
    outcome = decode(OK[:-1] + b',"campaign":{"id":7},"note":"x"}')
    assert isinstance(outcome, Accepted) and isinstance(outcome.event, ev.SurveyCsat)


@pytest.mark.parametrize("score, scale", [(0, "0-100"), (100, "0-100"), (1, "3-option"), (3, "3-option"),
                                          (1, "1-5"), (5, None)])
def test_csat_scores_at_the_ends_of_each_scale_are_accepted(score, scale):
    extra = b"" if scale is None else b',"scale":"' + scale.encode() + b'"'
    outcome = decode(OK.replace(b'"score":5', b'"score":' + str(score).encode() + extra))
    assert isinstance(outcome, Accepted), outcome
    assert outcome.event.score == score and outcome.event.scale == (scale or "1-5")


def test_defaults_of_optional_fields():
    outcome = decode(b'{"event_id":"e","type":"contact.offered","ts":"2026-11-02T09:00:05Z","contact_id":"c",'
                     b'"queue":"q","channel":"chat"}')
    assert isinstance(outcome, Accepted)
    assert outcome.event.direction == "inbound" and outcome.event.customer_key is None


def test_every_type_has_a_generated_schema() -> None:
    assert set(ev.json_schemas()) == set(ev.TYPE_NAMES)
