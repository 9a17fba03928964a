"""Parameters a request may not use: out-of-range instants, odd digits, ranges over the limits (400 naming them)."""

from __future__ import annotations

import pytest

DAY = {"from": "2026-11-02", "to": "2026-11-03"}


@pytest.mark.parametrize("path, query, parameter, words", [
    ("/api/report", {"from": "0001-01-01", "to": "2026-11-03"}, "from", "ISO date"),  # overflowed: 500 before
    ("/api/contacts", {"from": "0001-01-01", "to": "2026-11-03"}, "from", "ISO date"),
    ("/api/report", {"from": "0001-01-02", "to": "9999-12-30"}, "from", "1970-01-01 and 2099-12-31"),
    ("/api/report", {"from": "2026-11-02", "to": "9999-12-30"}, "to", "1970-01-01 and 2099-12-31"),
    ("/api/contacts", {**DAY, "limit": "²"}, "limit", "whole number"),  # "²".isdigit() but int("²") raises
    ("/api/contacts", {**DAY, "limit": "١٠"}, "limit", "whole number"),  # Arabic-Indic digits
    # the ranges: by agent and 15-minute interval over 100 years held the store lock for 12 s
    ("/api/report", {"from": "1999-01-01", "to": "2099-01-01", "by": "agent,interval", "interval": "15m"}, "to",
     "CCKPI_SERVE_LIMITS__REPORT_MAX_DAYS"),
    # 8 days of 15 minutes = 768 intervals > 750 per agent
    ("/api/report", {"from": "2026-11-01", "to": "2026-11-09", "by": "agent,interval", "interval": "15m"}, "to",
     "CCKPI_SERVE_LIMITS__AGENT_REPORT_MAX_INTERVALS"),
    # 32 days of 15 minutes = 3072 intervals > 3000
    ("/api/report", {"from": "2026-10-01", "to": "2026-11-02", "by": "interval", "interval": "15m"}, "to",
     "CCKPI_SERVE_LIMITS__REPORT_MAX_INTERVALS"),
    # 401 days by queue > 400
    ("/api/report", {"from": "2025-10-01", "to": "2026-11-06"}, "to", "CCKPI_SERVE_LIMITS__REPORT_MAX_DAYS"),
    # 94 days of contacts > 93
    ("/api/contacts", {"from": "2026-08-01", "to": "2026-11-03"}, "to", "CCKPI_SERVE_LIMITS__CONTACTS_MAX_DAYS"),
    ("/api/contacts", {"from": "2026-08-01", "to": "2026-11-03", "format": "xlsx"}, "to",
     "CCKPI_SERVE_LIMITS__CONTACTS_MAX_DAYS"),
])
def test_a_request_beyond_what_one_request_may_read_is_a_400_naming_the_parameter(client, path, query, parameter,
                                                                                   words):
    response = client.get(path, params=query)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["parameter"] == parameter and words in body["error"] and "\n" not in body["error"]


@pytest.mark.parametrize("query", [
    {"from": "2026-11-01", "to": "2026-11-08T12:00:00", "by": "agent,interval", "interval": "15m"},  # 7.5 days: 720
    {"from": "2026-10-02", "to": "2026-11-02T06:00:00", "by": "interval", "interval": "15m"},  # 31.25 days: 3000
    {"from": "2025-10-01", "to": "2026-11-05", "by": "queue"},  # 400 days
    {"from": "2025-10-01", "to": "2026-11-05", "by": "agent,interval", "interval": "1d"},  # 400 intervals
])
def test_ranges_at_the_limits_are_answered(client, query):
    assert client.get("/api/report", params=query).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_for_a_chinese_queue_name_is_answered_with_an_rfc6266_file_name(client, fmt):
    response = client.get("/api/contacts", params={**DAY, "queue": "售后", "format": fmt})
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"contacts-__.{fmt}\"; filename*=UTF-8''contacts-%E5%94%AE%E5%90%8E.{fmt}")
