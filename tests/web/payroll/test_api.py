"""/api/payroll/*: the clerk's month end over the CLI's own functions; every other role refused; audited."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from pipeline.cli.main import cli
from pipeline.payroll.audit import versions
from pipeline.store import payroll_tables, people_tables
from tests.web.people.conftest import MONTH, Desk
from tests.web.conftest import BASE_URL

PAYROLL_POSTS = [("/api/payroll/close", {"month": MONTH, "dry_run": True}),
                 ("/api/payroll/reopen", {"month": MONTH, "reason": "x"})]
PAYROLL_GETS = [f"/api/payroll/history?month={MONTH}", f"/api/payroll/export?month={MONTH}&format=csv"]


@pytest.mark.parametrize("who", ["ann", "bob", "sue", "max"])
def test_only_the_clerk_runs_the_month_end(shared_desk: Desk, who: str) -> None:
    client = shared_desk.login(who)
    for path, body in PAYROLL_POSTS:
        response = client.post(path, json=body)
        assert response.status_code == 403, path
        assert "may not do this; it needs the role clerk" in response.json()["error"]
    for path in PAYROLL_GETS:
        assert client.get(path).status_code == 403, path
    if who != "sue":  # a supervisor may upload their team's inputs (below)
        upload = client.post(f"/api/payroll/inputs?month={MONTH}", files={"file": ("i.csv", b"agent_id\na1\n")})
        assert upload.status_code == 403


def test_the_floor_token_never_opens_payroll_or_scorecards(desk: Desk) -> None:
    from starlette.testclient import TestClient

    from pipeline.web.factory import create_app

    app = create_app(desk.store, desk.settings, token="t" * 40, payroll_store=desk.payroll)
    client = TestClient(app, base_url=BASE_URL, raise_server_exceptions=False,
                        headers={"Authorization": "Bearer " + "t" * 40})
    for path in (f"/api/scorecards?month={MONTH}", PAYROLL_GETS[0], "/api/me"):
        assert client.get(path).status_code == 401, path
    assert client.post("/api/payroll/close", json={"month": MONTH}).status_code == 401


def test_dry_run_close_reopen_history_with_audit(desk: Desk) -> None:
    cleo = desk.login("cleo")
    dry = cleo.post("/api/payroll/close", json={"month": MONTH, "dry_run": True})
    assert dry.status_code == 200
    assert [r["agent_id"] for r in dry.json()["rows"]] == ["a1", "a2", "a3"] and dry.json()["changes"] == []
    assert versions(desk.payroll, MONTH) == []  # nothing written
    closed = cleo.post("/api/payroll/close", json={"month": MONTH})
    assert closed.status_code == 200 and closed.json()["agents"] == 3
    again = cleo.post("/api/payroll/close", json={"month": MONTH})
    assert again.status_code == 409
    assert again.json()["error"] == ("2026-10 is closed; a closed month is never recomputed: export it, list late "
                                     "events with `payroll late`, or reopen it with `payroll reopen --month "
                                     "2026-10 --reason TEXT`")
    no_reason = cleo.post("/api/payroll/reopen", json={"month": MONTH, "reason": " "})
    assert no_reason.status_code == 400
    assert no_reason.json()["error"].startswith("reopen needs --reason TEXT")
    reopened = cleo.post("/api/payroll/reopen", json={"month": MONTH, "reason": "QA re-scored c3"})
    assert reopened.status_code == 200 and reopened.json()["who"] == "cleo"
    history = cleo.get(f"/api/payroll/history?month={MONTH}").json()["versions"]
    cli_history = CliRunner().invoke(cli, ["payroll", "history", "--month", MONTH, "--format", "json", "--store",
                                           desk.store_url, "--payroll-store", desk.payroll_url])
    assert history == json.loads(cli_history.output)  # what `cckpi payroll history --format json` prints
    assert [(v["action"], v["who"], v["reason"]) for v in history] == [("close", "cleo", ""),
                                                                        ("reopen", "cleo", "QA re-scored c3")]
    audit = [(r["who"], r["action"], r["detail"]) for r in people_tables.audit_since(desk.payroll, 0)]
    assert [a for a in audit if a[1].startswith("payroll")] == [
        ("cleo", "payroll_dry_run", MONTH), ("cleo", "payroll_close", MONTH),
        ("cleo", "payroll_reopen", f"{MONTH}: QA re-scored c3"), ("cleo", "payroll_history", MONTH)]


def test_guards_refuse_as_the_cli_words_them(desk: Desk) -> None:
    from datetime import date

    cleo = desk.login("cleo")
    month = date.today().strftime("%Y-%m")  # the current month has not ended
    response = cleo.post("/api/payroll/close", json={"month": month, "dry_run": True})
    assert response.status_code == 409
    assert response.json()["error"].startswith(f"{month} cannot be closed before ")
    assert response.json()["error"].endswith("grace for late events, setting payroll.close_grace_days)")
    assert cleo.post("/api/payroll/close", json={"month": MONTH, "dry_run": "yes"}).status_code == 400
    # the month and dry_run may also come as query parameters
    by_query = cleo.post(f"/api/payroll/close?month={MONTH}&dry_run=true")
    assert by_query.status_code == 200 and by_query.json()["dry_run"] is True
    assert versions(desk.payroll, MONTH) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_equals_the_cli_export(desk: Desk, fmt: str, tmp_path) -> None:
    cleo = desk.login("cleo")
    assert cleo.post("/api/payroll/close", json={"month": MONTH}).status_code == 200
    response = cleo.get(f"/api/payroll/export?month={MONTH}&format={fmt}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="payroll-{MONTH}.{fmt}"'
    out = tmp_path / f"cli.{fmt}"
    assert desk.cli("export", "--out", str(out)).exit_code == 0
    if fmt == "csv":
        assert response.content == out.read_bytes()
    else:
        from openpyxl import load_workbook

        def cells(data: bytes) -> list[list[object]]:
            sheet = load_workbook(io.BytesIO(data)).worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]

        assert cells(response.content) == cells(out.read_bytes())
    assert cleo.get(f"/api/payroll/export?month={MONTH}&format=pdf").status_code == 400


def test_inputs_upload_csv_and_xlsx_by_the_clerk(desk: Desk) -> None:
    cleo = desk.login("cleo")
    no_csrf = cleo.post(f"/api/payroll/inputs?month={MONTH}", headers={"X-CSRF-Token": ""},
                        files={"file": ("inputs.csv", b"agent_id,compliance_breaches\na1,1\n")})
    assert no_csrf.status_code == 403
    assert payroll_tables.latest_inputs_text(desk.payroll, MONTH) == ""
    csv_upload = cleo.post(f"/api/payroll/inputs?month={MONTH}",
                           files={"file": ("inputs.csv", b"agent_id,compliance_breaches\na1,1\na2,0\n")})
    assert csv_upload.status_code == 200 and csv_upload.json()["agents"] == 2
    book = Workbook()
    book.active.append(["agent_id", "compliance_breaches"])
    book.active.append(["a3", 2])
    data = io.BytesIO()
    book.save(data)
    xlsx_upload = cleo.post(f"/api/payroll/inputs?month={MONTH}", files={"file": ("inputs.xlsx", data.getvalue())})
    assert xlsx_upload.status_code == 200
    # the clerk's upload replaces the month's inputs whole, as `cckpi payroll inputs` does
    assert payroll_tables.latest_inputs_text(desk.payroll, MONTH) == "agent_id,compliance_breaches\na3,2\n"
    bad = cleo.post(f"/api/payroll/inputs?month={MONTH}", files={"file": ("x.csv", b"agent_id,mood\na1,5\n")})
    assert bad.status_code == 400
    assert bad.json()["error"] == ("x.csv row 1, column mood: unknown column; columns are agent_id, attitude, "
                                   "teamwork, compliance_breaches, business_errors, fraud_orders, callbacks_due, "
                                   "callbacks_done, tickets_due, tickets_in_time, hours_over_limit")


def test_a_supervisor_uploads_rows_of_their_team_only(desk: Desk) -> None:
    cleo, sue = desk.login("cleo"), desk.login("sue")
    assert cleo.post(f"/api/payroll/inputs?month={MONTH}",
                     files={"file": ("all.csv", b"agent_id,compliance_breaches\na1,1\na2,3\n")}).status_code == 200
    refused = sue.post(f"/api/payroll/inputs?month={MONTH}",
                       files={"file": ("blue.csv", b"agent_id,compliance_breaches\na1,0\na2,0\n")})
    assert refused.status_code == 403
    assert refused.json()["error"] == ("blue.csv row 3, column agent_id: agent 'a2' is not in your team; upload "
                                       "rows of your own team only")
    ok = sue.post(f"/api/payroll/inputs?month={MONTH}",
                  files={"file": ("blue.csv", b"agent_id,compliance_breaches\na1,0\na3,2\n")})
    assert ok.status_code == 200
    # red's a2 keeps the clerk's row; blue's rows are the supervisor's
    assert payroll_tables.latest_inputs_text(desk.payroll, MONTH) == \
        "agent_id,compliance_breaches\na2,3\na1,0\na3,2\n"
    assert [v.who for v in versions(desk.payroll, MONTH)] == ["cleo", "sue"]
