"""The token: required beyond loopback, sent as a bearer header or traded for a cookie by the login form."""

from __future__ import annotations

import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from pipeline.store.store import Store
from pipeline.web.factory import create_app
from pipeline.web.auth import COOKIE, TokenRequired, check_bind, session_value
from tests.web.conftest import BASE_URL

TOKEN = "s3cret-token-for-the-wall-0123456789"  # 36 characters: at least 32 beyond loopback


@pytest.fixture
def guarded(chdb_store: Store, settings) -> TestClient:
    return TestClient(create_app(chdb_store, settings, token=TOKEN), base_url=BASE_URL, follow_redirects=False,
                      raise_server_exceptions=False)


def test_without_the_token_the_api_is_refused_and_pages_go_to_the_login(guarded):
    assert guarded.get("/api/live").status_code == 401
    assert guarded.get("/api/live", headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = guarded.get("/")
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert guarded.get("/healthz").status_code == 200  # a load balancer's probe needs no token


def test_a_bearer_header_opens_the_api(guarded):
    assert guarded.get("/api/live", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_the_login_form_sets_a_cookie_that_is_not_the_token(guarded):
    assert guarded.post("/login", content="token=wrong", headers={
        "content-type": "application/x-www-form-urlencoded"}).status_code == 401
    response = guarded.post("/login", content=f"token={TOKEN}",
                            headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 303
    cookie = response.cookies[COOKIE]
    assert cookie == session_value(TOKEN) and TOKEN not in cookie
    assert "httponly" in response.headers["set-cookie"].lower()
    guarded.cookies.clear()
    guarded.cookies.set(COOKIE, cookie)
    assert guarded.get("/").status_code == 200


def test_non_ascii_credentials_are_wrong_credentials_not_server_errors(guarded):
    """compare_digest raises TypeError on non-ASCII str: each of these was a 500 and a traceback."""
    assert guarded.get("/api/live", headers={"Authorization": "Bearer tökén".encode()}).status_code == 401
    assert guarded.get("/api/live", headers={"Cookie": f"{COOKIE}=密码".encode()}).status_code == 401
    response = guarded.post("/login", content="token=%E5%AF%86%E7%A0%81".encode(),
                            headers={"content-type": "application/x-www-form-urlencoded"})  # token=密码
    assert response.status_code == 401 and "wrong token" in response.text


@pytest.mark.parametrize("token", ["x", "CHANGE-ME", "a" * 31])
def test_a_short_token_is_refused_beyond_loopback(token):
    with pytest.raises(TokenRequired, match=f"has {len(token)} characters; --host 0.0.0.0 needs at least 32"):
        check_bind("0.0.0.0", token)
    check_bind("127.0.0.1", token)  # loopback: any token, or none
    check_bind("0.0.0.0", "a" * 32)


def test_binding_beyond_loopback_needs_a_token():
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("0.0.0.0", TOKEN)
    with pytest.raises(TokenRequired, match="CCKPI_SERVE_TOKEN"):
        check_bind("0.0.0.0", None)


def test_cckpi_serve_answers_on_loopback(tmp_path):
    import urllib.request

    from tests.fixtures.ports import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "pipeline.cli.main", "serve", "--port", str(port),
                               "--store", f"chdb://{tmp_path / 'store'}"], stderr=subprocess.PIPE, text=True,
                              env={"PATH": "/usr/bin:/bin", "CCKPI_CONFIG": "", "CCKPI_DATA_DIR": str(tmp_path),
                                   "PYTHONPATH": ":".join(sys.path)})
    try:
        assert f"http://127.0.0.1:{port}/" in server.stderr.readline()  # printed once the store is open
        for _ in range(300):  # uvicorn binds just after the line above
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                with pytest.raises(subprocess.TimeoutExpired):  # still running: poll again
                    server.wait(timeout=0.1)
        else:
            pytest.fail("no answer from cckpi serve")
    finally:
        server.terminate()
        server.wait(30)


@pytest.mark.parametrize("token, words", [(None, "set CCKPI_SERVE_TOKEN"), ("CHANGE-ME", "needs at least 32")])
def test_cckpi_serve_refuses_to_start_on_the_network_without_a_long_token(tmp_path, token, words):
    result = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "serve", "--host", "0.0.0.0",
                             "--store", f"chdb://{tmp_path / 'store'}"], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "CCKPI_CONFIG": "", "CCKPI_DATA_DIR": str(tmp_path),
                                 "PYTHONPATH": ":".join(sys.path), **({"CCKPI_SERVE_TOKEN": token} if token else {})})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "CCKPI_SERVE_TOKEN" in result.stderr and words in result.stderr
