"""What every request passes and every response carries: the body cap, the Host allowlist, security headers."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from pipeline.store.store import Store
from pipeline.web.factory import create_app
from pipeline.web.request_guards import allowed_hosts
from tests.web.conftest import BASE_URL

TOKEN = "a-token-of-thirty-two-characters-or-more"
SMALL_BODY = 2048  # bytes: the cap for these tests (the default, 4 MiB, would make the tests slow)


@pytest.fixture
def app_client(chdb_store: Store, settings) -> TestClient:
    limited = settings.model_copy(update={"serve_allowed_hosts": ["wall.example"],
                                          "serve_limits": settings.serve_limits.model_copy(
                                              update={"max_body_bytes": SMALL_BODY})})
    return TestClient(create_app(chdb_store, limited, token=TOKEN), base_url=BASE_URL, follow_redirects=False,
                      raise_server_exceptions=False)


def _form(size: int) -> dict[str, object]:
    return {"content": b"token=" + b"x" * (size - 6), "headers": {"content-type": "application/x-www-form-urlencoded"}}


def test_a_body_over_the_cap_is_refused_with_413_before_the_login_reads_it(app_client):
    assert app_client.post("/login", **_form(SMALL_BODY + 1)).status_code == 413
    assert app_client.post("/login", **_form(SMALL_BODY)).status_code == 401  # at the cap: read, wrong token


def test_a_chunked_body_without_a_length_is_counted_as_it_arrives(app_client):
    def chunks():
        for _ in range(3):
            yield b"x" * 1024  # 3072 bytes > 2048, no Content-Length header

    response = app_client.post("/login", content=chunks(),
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


@pytest.mark.parametrize("host, status", [
    ("127.0.0.1:8080", 401), ("localhost", 401), ("[::1]:8080", 401), ("wall.example", 401),  # then the token
    ("evil.example", 400), ("wall.example.evil.example", 400), ("192.168.1.9", 400),
])
def test_only_the_loopback_and_configured_host_names_are_answered(app_client, host, status):
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 sends Host: evil.example."""
    assert app_client.get("/api/ui", headers={"host": host}).status_code == status


def test_the_health_check_answers_any_host_a_probe_uses(app_client):
    assert app_client.get("/healthz", headers={"host": "10.1.2.3:8080"}).status_code == 200  # a pod's IP


def test_the_served_address_is_allowed_and_a_wildcard_is_not_a_name():
    assert "10.0.0.5" in allowed_hosts([], "10.0.0.5")
    assert "[fe80::1]" in allowed_hosts([], "fe80::1")
    assert allowed_hosts([], "0.0.0.0") == allowed_hosts([], None) == ["localhost", "127.0.0.1", "::1", "[::1]"]


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/app.css", "/api/live", "/", "/nowhere"])
def test_every_response_carries_the_security_headers(app_client, path):
    headers = app_client.get(path).headers
    csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"  # no inline script, no <style>
    assert csp["style-src-attr"] == "'unsafe-inline'"  # the chart library's style attributes only
    assert csp["frame-ancestors"] == "'none'" and headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("query", [{}, {"format": "csv"}, {"format": "xlsx"}])
def test_contact_data_is_never_stored_by_the_browser(app_client, query):
    response = app_client.get("/api/contacts", params={"from": "2026-11-02", "to": "2026-11-03", **query},
                              headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert "no-store" not in app_client.get("/static/app.css").headers.get("cache-control", "")
