"""POST /api/login, /api/logout, GET /api/me: sessions, CSRF, failed-login waits, audit, no secrets in logs."""

from __future__ import annotations

import logging

import pytest

from pipeline.people import accounts
from pipeline.people.sessions import COOKIE
from pipeline.store import people_tables
from tests.web.people.conftest import PASSWORD, Desk


def test_login_sets_a_hardened_cookie_and_me_says_who(desk: Desk) -> None:
    client = desk.client()
    response = client.post("/api/login", json={"username": "ann", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("username", "role", "agent_id", "team")} == \
        {"username": "ann", "role": "agent", "agent_id": "a1", "team": None}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=43200" in cookie  # session_hours 12
    assert "Secure" not in cookie  # plain http here; behind TLS the cookie says Secure (next test)
    me = client.get("/api/me").json()
    assert me == {"username": "ann", "role": "agent", "agent_id": "a1", "team": None,
                  "csrf_token": body["csrf_token"]}


def test_cookie_is_secure_behind_tls(desk: Desk) -> None:
    client = desk.client()
    client.base_url = "https://127.0.0.1"  # type: ignore[assignment]
    response = client.post("https://127.0.0.1/api/login", json={"username": "ann", "password": PASSWORD})
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize("body", [{"username": "ann", "password": "wrong password!"},
                                  {"username": "nobody", "password": PASSWORD}])
def test_wrong_password_or_name_is_401(desk: Desk, body: dict[str, str]) -> None:
    response = desk.client().post("/api/login", json=body)
    assert response.status_code == 401
    assert response.json() == {"error": "wrong username or password"}
    assert COOKIE not in response.cookies


@pytest.mark.parametrize(("body", "error"), [
    (b"not json", "body: send JSON"), (b'{"username": "ann"}', "password: a non-empty string"),
    (b'["ann"]', "body: send JSON"), (b'{"username": 1, "password": "x"}', "username: a non-empty string")])
def test_bad_login_body_is_400_naming_the_field(shared_desk: Desk, body: bytes, error: str) -> None:
    response = shared_desk.client().post("/api/login", content=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(error)


def test_six_wrong_passwords_wait_a_minute_even_with_the_right_one(desk: Desk) -> None:
    client = desk.client()
    codes = [client.post("/api/login", json={"username": "ann", "password": f"wrong {i} xxxxx"}).status_code
             for i in range(6)]
    assert codes == [401, 401, 401, 401, 401, 429]
    right = client.post("/api/login", json={"username": "ann", "password": PASSWORD})
    assert right.status_code == 429
    assert right.json()["error"].startswith("too many failed logins: wait")
    assert 1 <= int(right.headers["retry-after"]) <= 60
    # the same address is held for every name, too
    assert client.post("/api/login", json={"username": "bob", "password": PASSWORD}).status_code == 429
    # a minute later the right password works
    throttle = desk.app.state.people.throttle
    throttle.clock = (lambda start: lambda: start + 61)(throttle.clock())
    assert client.post("/api/login", json={"username": "ann", "password": PASSWORD}).status_code == 200


def test_logout_needs_csrf_and_revokes_the_session_server_side(desk: Desk) -> None:
    client = desk.login("ann")
    cookie = client.cookies[COOKIE]
    token = client.headers.pop("X-CSRF-Token")
    refused = client.post("/api/logout")
    assert refused.status_code == 403
    assert refused.json()["error"].startswith("X-CSRF-Token header missing or wrong")
    assert client.post("/api/logout", headers={"X-CSRF-Token": "not-the-token"}).status_code == 403
    assert client.post("/api/logout", headers={"X-CSRF-Token": token}).status_code == 200
    replay = desk.client()
    replay.cookies.set(COOKIE, cookie)  # the old cookie, kept by an attacker: revoked on the server
    assert replay.get("/api/me").status_code == 401


def test_forged_and_expired_cookies_are_401(desk: Desk) -> None:
    client = desk.login("ann")
    cookie = client.cookies[COOKIE]
    forged = desk.client()
    forged.cookies.set(COOKIE, cookie[:-4] + ("AAAA" if not cookie.endswith("AAAA") else "BBBB"))
    assert forged.get("/api/me").status_code == 401
    floor_style = desk.client()
    floor_style.cookies.set(COOKIE, "0" * 64)
    assert floor_style.get("/api/me").status_code == 401
    sessions = desk.app.state.people.sessions
    sessions.clock = (lambda start: lambda: start + 12 * 3600 + 1)(sessions.clock())
    assert client.get("/api/me").status_code == 401


def test_no_login_is_401_everywhere(shared_desk: Desk) -> None:
    client = shared_desk.client()
    for path in ("/api/me", "/api/scorecards?month=2026-10", "/api/scorecards/acks?month=2026-10",
                 "/api/payroll/history?month=2026-10", "/api/payroll/export?month=2026-10&format=csv",
                 "/api/qa?month=2026-10&agent_id=a1", "/api/coaching?month=2026-10&agent_id=a1",
                 "/api/scorecards/card", "/api/scorecards/ack?month=2026-10"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"error": "log in first: POST /api/login with username and password"}
    for path in ("/api/logout", "/api/scorecards/ack", "/api/payroll/close", "/api/payroll/reopen",
                 "/api/payroll/inputs?month=2026-10", "/api/coaching"):
        assert client.post(path, json={"month": "2026-10"}).status_code == 401, path
    for page in ("/me", "/team", "/payroll"):
        response = client.get(page, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next=%2F{page[1:]}"


def test_a_disabled_account_is_out_at_its_next_request(desk: Desk) -> None:
    client = desk.login("bob")
    accounts.disable(desk.payroll, "bob")
    assert client.get("/api/me").status_code == 401
    assert desk.client().post("/api/login", json={"username": "bob", "password": PASSWORD}).status_code == 401


def test_logins_and_logouts_are_audited_without_secrets(desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = desk.login("cleo")
    desk.client().post("/api/login", json={"username": "cleo", "password": "a wrong one!"})
    client.post("/api/logout")
    rows = people_tables.audit_since(desk.payroll, 0)
    assert [(r["who"], r["action"]) for r in rows] == [("cleo", "login"), ("cleo", "login_refused"),
                                                       ("cleo", "logout")]
    assert all(r["address"] == "testclient" and r["at_ms"] > 0 for r in rows)
    text = caplog.text + repr(rows)
    for secret in (PASSWORD, "a wrong one!", client.headers["X-CSRF-Token"]):
        assert secret not in text
