"""/api/contacts for a person: their scope narrows the floor's list; with a floor token set, a person's session
opens the labels and (scoped) contacts, never the rest of the floor."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from pipeline.web.factory import create_app
from tests.web.people.conftest import PASSWORD, Desk
from tests.web.conftest import BASE_URL

OCTOBER = "from=2026-10-01&to=2026-11-01"
TOKEN = "f" * 40


@pytest.mark.parametrize(("who", "query", "status", "agents"), [
    ("ann", "", 200, {"a1"}), ("ann", "&agent_id=a1", 200, {"a1"}), ("ann", "&agent_id=a2", 403, None),
    ("sue", "&agent_id=a1", 200, {"a1"}), ("sue", "&agent_id=a2", 403, None), ("sue", "", 403, None),
    ("cleo", "", 200, {"a1", "a2"}), ("max", "&agent_id=a2", 200, {"a2"})])
def test_contacts_follow_the_scope(shared_desk: Desk, who: str, query: str, status: int,
                                   agents: set[str] | None) -> None:
    response = shared_desk.login(who).get(f"/api/contacts?{OCTOBER}{query}")
    assert response.status_code == status, response.text
    if agents is not None:
        # october(): a1 answered c1-c3 (c4 is outbound), a2 answered c5 on 31 October
        assert {row["agent_id"] for row in response.json()["rows"]} == agents
    for fmt in ("csv", "xlsx"):  # the exports obey the same scope
        assert shared_desk.login(who).get(f"/api/contacts?{OCTOBER}{query}&format={fmt}").status_code == status


def test_with_a_floor_token_a_session_opens_only_labels_and_its_contacts(shared_desk: Desk) -> None:
    app = create_app(shared_desk.store, shared_desk.settings, token=TOKEN, payroll_store=shared_desk.payroll)
    ann = TestClient(app, base_url=BASE_URL, raise_server_exceptions=False)
    assert ann.get(f"/api/contacts?{OCTOBER}").status_code == 401  # no session, no token
    logged = ann.post("/api/login", json={"username": "ann", "password": PASSWORD})
    assert logged.status_code == 200
    assert ann.get("/api/ui").status_code == 200
    assert {r["agent_id"] for r in ann.get(f"/api/contacts?{OCTOBER}").json()["rows"]} == {"a1"}
    assert ann.get(f"/api/contacts?{OCTOBER}&agent_id=a2").status_code == 403
    assert ann.get(f"/api/report?{OCTOBER}&by=agent_id").status_code == 401
    assert ann.get(f"/api/live").status_code == 401
    floor = TestClient(app, base_url=BASE_URL, raise_server_exceptions=False,
                       headers={"Authorization": f"Bearer {TOKEN}"})
    assert floor.get(f"/api/contacts?{OCTOBER}&agent_id=a2").status_code == 200  # the floor itself is unchanged
