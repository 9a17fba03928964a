"""The web API on both engines against the hand-worked morning of conftest.py."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.cli.report import report as report_command

DAY = {"from": "2026-11-02", "to": "2026-11-03"}


def ids(client, **query) -> list[str]:
    response = client.get("/api/contacts", params={**DAY, **query})
    assert response.status_code == 200, response.text
    return [row["contact_id"] for row in response.json()["rows"]]


@pytest.mark.parametrize("args", [
    {"by": "queue"},
    {"by": "queue,interval", "interval": "30m"},
    {"by": "agent"},
    {"by": "channel", "format": "csv"},
    {"by": "interval", "interval": "15m", "queue": "billing"},
])
def test_api_report_is_cckpi_report_byte_for_byte(client, store_url, args):
    response = client.get("/api/report", params={**DAY, **args})
    assert response.status_code == 200, response.text
    options = ["--store", store_url, "--from", DAY["from"], "--to", DAY["to"]]
    for name, value in args.items():
        options += [f"--{name}", value]
    if "format" not in args:
        options += ["--format", "json"]
    printed = CliRunner().invoke(report_command, options, env={"CCKPI_TZ": "Asia/Shanghai", "CCKPI_CONFIG": ""})
    assert printed.exit_code == 0, printed.output
    assert response.content == printed.stdout_bytes


def test_contacts_of_the_day_in_offered_order_with_the_tie_broken_by_contact_id(client):
    assert ids(client) == ["c1", "c2", "c8", "c3", "c4", "c5"]  # c6 outbound, c7 the day before


@pytest.mark.parametrize("query, expected", [
    ({"outcome": "answered"}, ["c1", "c4", "c5"]),
    ({"outcome": "abandoned"}, ["c2", "c8"]),
    ({"outcome": "waiting"}, ["c3"]),
    ({"queue": "billing"}, ["c1", "c2", "c8", "c3", "c5"]),
    ({"queue": "sales"}, ["c4"]),
    ({"agent_id": "a1"}, ["c1", "c5"]),
    ({"channel": "chat"}, ["c3"]),
    ({"queue": "billing", "outcome": "answered", "agent_id": "a1", "channel": "voice"}, ["c1", "c5"]),
    ({"from": "2026-11-02T09:02:00+08:00", "to": "2026-11-02T10:00:00+08:00"}, ["c3", "c4"]),  # c5 at 10:00 is out
    ({"from": "2026-11-01", "to": "2026-11-02", "outcome": "abandoned"}, ["c7"]),
    ({"direction": "outbound"}, ["c6"]),
])
def test_contacts_for_each_outcome_and_filter(client, query, expected):
    assert ids(client, **query) == expected


def test_a_contacts_row_has_the_hand_worked_figures(client):
    rows = {r["contact_id"]: r for r in client.get("/api/contacts", params=DAY).json()["rows"]}
    assert rows["c1"] == {
        "contact_id": "c1", "offered_at": "2026-11-02T09:00:00+08:00", "queue": "billing", "channel": "voice",
        "agent_id": "a1", "outcome": "answered", "wait_s": 10.0, "talk_s": 270.0, "hold_s": 30.0, "acw_s": 60.0,
        "handle_s": 360.0, "disposition": "resolved", "csat": 5, "nps": None, "abandon_reason": "",
        "transferred": False, "time_conflict": False}
    assert (rows["c2"]["abandon_reason"], rows["c2"]["wait_s"], rows["c2"]["agent_id"]) == ("timeout", 40.0, "")
    assert rows["c8"]["abandon_reason"] == "customer"
    assert (rows["c3"]["outcome"], rows["c3"]["wait_s"], rows["c3"]["channel"]) == ("waiting", None, "chat")
    assert (rows["c4"]["nps"], rows["c4"]["disposition"], rows["c4"]["handle_s"]) == (9, "escalated", 330.0)
    # answered 2 s before its offer: the wait is 0, not -2, and the contact is flagged
    assert (rows["c5"]["wait_s"], rows["c5"]["time_conflict"], rows["c5"]["talk_s"], rows["c5"]["acw_s"]) == (
        0.0, True, 102.0, 0.0)


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_pages_neither_drop_nor_repeat_a_row(client, limit):
    seen, cursor = [], None
    for _ in range(10):
        body = client.get("/api/contacts", params={**DAY, "limit": limit, **({"cursor": cursor} if cursor else {})}).json()
        assert body["count"] <= limit
        seen += [r["contact_id"] for r in body["rows"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["c1", "c2", "c8", "c3", "c4", "c5"]


def test_csv_export_has_a_bom_and_the_apis_rows(client):
    response = client.get("/api/contacts", params={**DAY, "queue": "billing", "format": "csv"})
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    assert "attachment" in response.headers["content-disposition"]
    exported = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    listed = client.get("/api/contacts", params={**DAY, "queue": "billing"}).json()["rows"]
    assert [r["contact_id"] for r in exported] == [r["contact_id"] for r in listed]
    assert exported[0]["offered_at"] == listed[0]["offered_at"] and exported[0]["handle_s"] == "360.0"
    assert exported[0]["nps"] == "" and exported[-1]["time_conflict"] == "true"


def test_xlsx_export_holds_the_same_rows(client):
    response = client.get("/api/contacts", params={**DAY, "outcome": "answered", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("contact_id", "offered_at", "queue")
    assert [row[0] for row in values[1:]] == ["c1", "c4", "c5"]


def test_live_numbers_at_a_fixed_now(client):
    board = client.get("/api/live").json()  # the app's clock: 09:11:40
    assert board["now"] == "2026-11-02T09:11:40+08:00"
    queues = {q["queue"]: q for q in board["queues"]}
    billing = queues["billing"]
    # window 08:41:40..09:11:40: c1, c2, c8, c3 offered; c8 a short abandon; c1 within 30 s -> 1 / (4 - 1)
    assert billing["service_level"] == pytest.approx(1 / 3) and billing["sl_status"] == "missed"
    assert (billing["waiting"], billing["longest_wait_s"]) == (1, 580.0)  # c3 since 09:02:00
    assert (billing["answered"], billing["abandoned"], billing["asa_s"]) == (1, 2, 10.0)  # c5 (10:00) not yet
    # today so far: c1, c2, c8, c3 offered (c5 at 10:00 not yet), c1 answered -> 1 / 4
    assert billing["answer_rate"] == pytest.approx(1 / 4) and billing["offered"] == 4
    sales = queues["sales"]
    assert (sales["service_level"], sales["sl_status"], sales["waiting"], sales["longest_wait_s"]) == (
        1.0, "met", 0, None)
    # a1 answered the outbound c6 at 09:03:30 and it has not ended: on a contact whatever its own state says
    # (available from 09:06:10), since c1's answer at 09:00:10 (c1 then c6 without a gap): 690 s
    assert board["agent_counts"] == {"available": 0, "on_contact": 1, "after_contact_work": 0, "not_ready": 1}
    assert board["not_ready_reasons"] == {"lunch": 1}
    assert [(a["agent_id"], a["state"], a["in_state_s"]) for a in board["agents"]] == [
        ("a1", "on_contact", 690.0), ("a2", "not_ready", 100.0)]


def test_live_at_another_instant(client):
    board = client.get("/api/live", params={"now": "2026-11-02T09:00:30+08:00"}).json()
    billing = {q["queue"]: q for q in board["queues"]}["billing"]
    # "now" bounds the offers and the agent states; each contact is as the store holds it
    assert billing["offered"] == 3 and billing["answered"] == 1
    assert [(a["agent_id"], a["state"]) for a in board["agents"]] == [("a1", "on_contact")]


@pytest.mark.parametrize("path, query, parameter", [
    ("/api/report", {"from": "yesterday", "to": "2026-11-03"}, "from"),
    ("/api/report", {"from": "2026-11-02"}, "to"),
    ("/api/report", {**DAY, "by": "planet"}, "by"),
    ("/api/report", {**DAY, "interval": "7m"}, "interval"),
    ("/api/report", {"from": "2026-11-03", "to": "2026-11-02"}, "to"),
    ("/api/report", {**DAY, "format": "xml"}, "format"),
    ("/api/contacts", {**DAY, "outcome": "lost"}, "outcome"),
    ("/api/contacts", {**DAY, "limit": "0"}, "limit"),
    ("/api/contacts", {**DAY, "limit": "many"}, "limit"),
    ("/api/contacts", {**DAY, "cursor": "not-a-cursor"}, "cursor"),
    ("/api/contacts", {**DAY, "format": "pdf"}, "format"),
    ("/api/live", {"now": "soon"}, "now"),
    ("/api/ui", {"lang": "fr"}, "lang"),
])
def test_bad_parameters_get_a_400_naming_them(client, path, query, parameter):
    response = client.get(path, params=query)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter and parameter in body["error"]
    assert "Traceback" not in response.text and "\n" not in body["error"]


def test_health_pages_and_labels(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    page = client.get("/")
    assert page.status_code == 200 and "/static/wallboard.js" in page.text
    assert client.get("/static/app.css").status_code == 200
    assert "Noto Sans CJK SC" in client.get("/static/app.css").text
    ui = client.get("/api/ui", params={"lang": "zh-CN"}).json()
    assert ui["labels"]["kpi.service_level"] == "服务水平" and ui["tz"] == "Asia/Shanghai"
    assert client.get("/api/ui").json()["lang"] == "en"  # the settings chose en


@pytest.mark.parametrize("now, expected", [
    # (offered, answered, abandoned, waiting) today per queue; the store holds each contact's final state
    ("2026-11-02T09:00:30+08:00", {"billing": (3, 1, 2, 0)}),  # c1, c2, c8 at 09:00; c3 (09:02) not yet
    ("2026-11-02T09:11:40+08:00", {"billing": (4, 1, 2, 1), "sales": (1, 1, 0, 0)}),  # + c3 waiting, c4
    ("2026-11-02T10:05:00+08:00", {"billing": (5, 2, 2, 1), "sales": (1, 1, 0, 0)}),  # + c5 at 10:00
    ("2026-11-02T00:10:00+08:00", {}),  # before the morning; c7 was the day before: no queue has a figure
    ("2026-11-02T15:00:00+08:00", {"billing": (5, 2, 2, 1), "sales": (1, 1, 0, 0)}),
    ("2026-11-03T00:20:00+08:00", {}),  # the next day: nothing offered yet
])
def test_live_figures_equal_the_report_over_the_same_ranges(client, now, expected):
    """The wallboard reads its components in one pass; the report builds them its own way: the same numbers,
    and both the hand-worked ones (no configured queues, so a queue shows only once it has a figure)."""
    board = client.get("/api/live", params={"now": now}).json()
    window_from, window_to = board["ranges"]["window"]
    day_from, day_to = board["ranges"]["today"]
    window = {r["queue"]: r for r in client.get("/api/report", params={"from": window_from, "to": window_to}).json()}
    today = {r["queue"]: r for r in client.get("/api/report", params={"from": day_from, "to": day_to}).json()}
    assert {q["queue"]: (q["offered"], q["answered"], q["abandoned"], q["waiting"]) for q in board["queues"]} == expected
    assert set(today) == set(expected)
    assert set(window) <= set(expected)
    for queue in board["queues"]:
        day = today[queue["queue"]]
        assert queue["service_level"] == window.get(queue["queue"], {}).get("service_level")
        for key in ("offered", "answered", "abandoned", "waiting", "abandon_rate", "answer_rate", "asa_s", "aht_s"):
            assert queue[key] == day[key], key


def test_a_contact_waiting_since_the_morning_is_the_longest_wait_in_the_afternoon(client):
    """At 15:00 the morning's intervals come from queue_intervals; c3 (a chat offered at 09:02) still waits."""
    board = client.get("/api/live", params={"now": "2026-11-02T15:00:00+08:00"}).json()
    billing = {q["queue"]: q for q in board["queues"]}["billing"]
    assert (billing["waiting"], billing["longest_wait_s"]) == (1, 6 * 3600 - 120.0)
    assert (billing["offered"], billing["answered"], billing["abandoned"]) == (5, 2, 2)
    assert billing["service_level"] is None and billing["sl_status"] == "none"  # nothing in the last 30 minutes
