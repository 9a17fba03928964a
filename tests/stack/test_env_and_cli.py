"""Unit tests: ``cckpi stack env`` output, the settings it feeds, CLI errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import load_settings
from pipeline.stack.stack_info import StackInfo, env_exports

PASSWORDS = {"default": "d", "cckpi_admin": "a/b", "cckpi_writer": "w p@ss:'x'", "cckpi_wallboard": "wb",
             "cckpi_payroll": "p$HOME"}


def info() -> StackInfo:
    return StackInfo(root=Path("/tmp/st"), host="127.0.0.1", kafka_port=19092, clickhouse_tcp_port=19000,
                     clickhouse_http_port=18123, prometheus_port=19090, alertmanager_port=19094,
                     database="cckpi", payroll_database="cckpi_payroll", passwords=PASSWORDS)


def test_exports_are_url_quoted_and_shell_safe() -> None:
    text = env_exports(info())
    out = subprocess.run(["bash", "-c", text + 'printf "%s\\n" "$CCKPI_STORE_URL" "$CCKPI_WALLBOARD_STORE_URL" '
                          '"$CCKPI_PAYROLL_STORE_URL" "$CCKPI_ADMIN_STORE_URL" "$CCKPI_KAFKA_BOOTSTRAP" '
                          '"$CCKPI_PROMETHEUS_URL" "$CCKPI_ALERTMANAGER_URL"'],
                         capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}).stdout
    assert out.splitlines() == [
        "clickhouse://cckpi_writer:w%20p%40ss%3A%27x%27@127.0.0.1:19000/cckpi",
        "clickhouse://cckpi_wallboard:wb@127.0.0.1:19000/cckpi",
        "clickhouse://cckpi_payroll:p%24HOME@127.0.0.1:19000/cckpi_payroll",
        "clickhouse://cckpi_admin:a%2Fb@127.0.0.1:19000/cckpi",
        "127.0.0.1:19092",
        "http://127.0.0.1:19090",
        "http://127.0.0.1:19094",
    ]


def test_settings_accept_every_export(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in info().env().items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.wallboard_store_url == info().wallboard_store
    assert settings.payroll_store_url == info().payroll_store
    assert settings.admin_store_url == info().admin_store
    assert settings.kafka_bootstrap == "127.0.0.1:19092"
    assert (settings.prometheus_url, settings.alertmanager_url) == ("http://127.0.0.1:19090", "http://127.0.0.1:19094")


def cckpi(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True, text=True,
                          env=env)


def test_bad_setting_is_one_line() -> None:
    result = cckpi("stack", "status", env={**os.environ, "CCKPI_STACK__KAFKA_PORT": "nope"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: setting stack.kafka_port (CCKPI_STACK__KAFKA_PORT)")
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_service_and_missing_stack_are_one_line(tmp_path: Path) -> None:
    result = cckpi("stack", "logs", "zookeeper")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "zookeeper" in result.stderr
    empty = {**os.environ, "CCKPI_STACK__DIR": str(tmp_path / "none")}
    result = cckpi("stack", "env", env=empty)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cckpi stack up" in result.stderr.strip().splitlines()[-1]
    result = cckpi("stack", "status", env=empty)
    assert result.returncode == 3 and "kafka: not running" in result.stdout
