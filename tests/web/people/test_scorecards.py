"""/api/scorecards and friends: each role sees what the one policy allows, whatever parameter changes; an
agent's rows equal ``cckpi payroll rollup --format json``, open and closed."""

from __future__ import annotations

import json

import pytest

from tests.web.people.conftest import MONTH, Desk

SEES = {"ann": ["a1"], "bob": ["a2"], "sue": ["a1", "a3"], "cleo": ["a1", "a2", "a3"], "max": ["a1", "a2", "a3"]}


def cli_rows(desk: Desk) -> list[dict]:
    """The rows `cckpi payroll rollup --format json` prints for October, over the desk's stores and files."""
    result = desk.cli("rollup", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{"):])["rows"]


@pytest.mark.parametrize("who", list(SEES))
def test_each_role_sees_its_agents_only(shared_desk: Desk, who: str) -> None:
    response = shared_desk.login(who).get(f"/api/scorecards?month={MONTH}")
    assert response.status_code == 200
    assert [row["agent_id"] for row in response.json()["rows"]] == SEES[who]
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("who", "agent", "status"), [
    ("ann", "a1", 200), ("ann", "a2", 403), ("ann", "a3", 403), ("bob", "a1", 403),
    ("sue", "a3", 200), ("sue", "a2", 403), ("sue", "zz", 403),
    ("cleo", "a2", 200), ("max", "a2", 200)])
def test_a_named_agent_outside_the_scope_is_403(shared_desk: Desk, who: str, agent: str, status: int) -> None:
    client = shared_desk.login(who)
    for month in (MONTH, "2026-09", "2025-01"):  # a changed month never widens the scope
        response = client.get(f"/api/scorecards?month={month}&agent_id={agent}")
        assert response.status_code == status, (month, response.text)
        if status == 403:
            assert response.json() == {"error": f"agent_id {agent!r}: {who} ({client.get('/api/me').json()['role']})"
                                                f" may not see this agent"}
    for path in (f"/api/qa?month={MONTH}&agent_id={agent}", f"/api/coaching?month={MONTH}&agent_id={agent}"):
        assert client.get(path).status_code == status, path


@pytest.mark.parametrize(("who", "team", "status", "agents"), [
    ("sue", "blue", 200, ["a1", "a3"]), ("sue", "red", 403, None), ("ann", "blue", 403, None),
    ("cleo", "red", 200, ["a2"]), ("max", "blue", 200, ["a1", "a3"])])
def test_team_parameter(shared_desk: Desk, who: str, team: str, status: int, agents: list[str] | None) -> None:
    response = shared_desk.login(who).get(f"/api/scorecards?month={MONTH}&team={team}")
    assert response.status_code == status
    if agents is not None:
        assert [row["agent_id"] for row in response.json()["rows"]] == agents
    else:
        assert response.json()["error"].startswith(f"team {team!r}: {who}")


def test_bad_month_is_400_naming_it(shared_desk: Desk) -> None:
    response = shared_desk.login("ann").get("/api/scorecards?month=2026-13")
    assert response.status_code == 400
    assert response.json() == {"error": "month: month '2026-13': write YYYY-MM, e.g. 2026-10", "parameter": "month"}


def test_agent_row_equals_the_cli_rollup_open_and_closed(desk: Desk) -> None:
    ann, cleo = desk.login("ann"), desk.login("cleo")
    expected = [row for row in cli_rows(desk) if row["agent_id"] == "a1"]
    assert len(expected) == 1
    opened = ann.get(f"/api/scorecards?month={MONTH}").json()
    assert opened["closed"] is False and opened["rows"] == expected
    closed = cleo.post("/api/payroll/close", json={"month": MONTH})
    assert closed.status_code == 200, closed.text
    frozen = [row for row in cli_rows(desk) if row["agent_id"] == "a1"]
    after = ann.get(f"/api/scorecards?month={MONTH}").json()
    assert after["closed"] is True and after["rows"] == frozen


def test_acknowledge_once_after_the_close_and_the_supervisor_sees_who(desk: Desk) -> None:
    ann, sue, cleo, bob = desk.login("ann"), desk.login("sue"), desk.login("cleo"), desk.login("bob")
    early = ann.post("/api/scorecards/ack", json={"month": MONTH})
    assert early.status_code == 409
    assert early.json()["error"] == "month 2026-10: not closed; a scorecard is acknowledged once the month is closed"
    assert cleo.post("/api/payroll/close", json={"month": MONTH}).status_code == 200
    first = ann.post("/api/scorecards/ack", json={"month": MONTH}).json()
    assert (first["agent_id"], first["username"], first["already"]) == ("a1", "ann", False)
    again = ann.post("/api/scorecards/ack", json={"month": MONTH}).json()
    assert again["already"] is True and again["at_ms"] == first["at_ms"]
    assert ann.get(f"/api/scorecards/ack?month={MONTH}").json()["acknowledged"] is True
    assert bob.get(f"/api/scorecards/ack?month={MONTH}").json()["acknowledged"] is False
    team = sue.get(f"/api/scorecards/acks?month={MONTH}").json()
    assert [(r["agent_id"], r["acknowledged"], r["username"]) for r in team["rows"]] == \
        [("a1", True, "ann"), ("a3", False, None)]
    assert team["closed"] is True
    everyone = cleo.get(f"/api/scorecards/acks?month={MONTH}").json()
    assert [r["agent_id"] for r in everyone["rows"]] == ["a1", "a2", "a3"]
    assert sue.get(f"/api/scorecards/acks?month={MONTH}&team=red").status_code == 403
    for refused in (ann, bob):
        assert refused.get(f"/api/scorecards/acks?month={MONTH}").status_code == 403
    for not_agent in (sue, cleo):
        assert not_agent.post("/api/scorecards/ack", json={"month": MONTH}).status_code == 403


def test_overdue_after_three_working_days_from_the_close(desk: Desk) -> None:
    cleo = desk.login("cleo")
    assert cleo.post("/api/payroll/close", json={"month": MONTH}).status_code == 200
    found = cleo.get(f"/api/scorecards/acks?month={MONTH}").json()
    # the close was "now"; the app's clock is the wall clock, so nobody is overdue yet
    assert [r["overdue"] for r in found["rows"]] == [False, False, False]
    assert found["overdue_from_ms"] > found["closed_ms"] + 3 * 86_400_000  # at least 3 whole days later
    desk.app.state.web = type(desk.app.state.web)(**{**vars(desk.app.state.web),
                                                     "clock": lambda: found["overdue_from_ms"]})
    late = cleo.get(f"/api/scorecards/acks?month={MONTH}").json()
    assert [r["overdue"] for r in late["rows"]] == [True, True, True]


def test_coaching_note_supervisor_writes_agent_reads(desk: Desk) -> None:
    sue, ann, cleo = desk.login("sue"), desk.login("ann"), desk.login("cleo")
    saved = sue.post("/api/coaching", json={"month": MONTH, "agent_id": "a1", "note": "call c2: recap earlier",
                                            "plan": "shadow Wu Bo two shifts"})
    assert saved.status_code == 200
    read = ann.get(f"/api/coaching?month={MONTH}&agent_id=a1").json()["note"]
    assert (read["note"], read["plan"], read["who"]) == ("call c2: recap earlier", "shadow Wu Bo two shifts", "sue")
    assert sue.post("/api/coaching", json={"month": MONTH, "agent_id": "a2", "note": "x"}).status_code == 403
    assert ann.post("/api/coaching", json={"month": MONTH, "agent_id": "a1", "note": "x"}).status_code == 403
    assert cleo.post("/api/coaching", json={"month": MONTH, "agent_id": "a1", "note": "x"}).status_code == 403
    no_csrf = desk.login("sue")
    no_csrf.headers.pop("X-CSRF-Token")
    assert no_csrf.post("/api/coaching", json={"month": MONTH, "agent_id": "a1", "note": "x"}).status_code == 403


def test_qa_evaluations_of_the_agent(shared_desk: Desk) -> None:
    rows = shared_desk.login("ann").get(f"/api/qa?month={MONTH}&agent_id=a1").json()["rows"]
    # october(): c1 90 (1 fatal), c2 100, c3 80 (external) on 5 Oct; c0's evaluation dated 3 Oct
    assert sorted((r["contact_id"], r["score"], r["fatal_errors"], r["source"]) for r in rows) == [
        ("c0", 10.0, 9, "internal"), ("c1", 90.0, 1, "internal"), ("c2", 100.0, 0, "internal"),
        ("c3", 80.0, 2, "external")]
