"""Fixtures of the alert tests: the settings the committed rule files are rendered from."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from pipeline.settings import Settings
from tests.fixtures.robots import Received, serve_robots


@pytest.fixture
def reference_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The defaults, whatever CCKPI_* the shell exports: the committed files must not depend on it."""
    monkeypatch.delenv("CCKPI_CONFIG", raising=False)
    return Settings(_env_prefix="CCKPI_REFERENCE_UNUSED_")  # type: ignore[call-arg]


def need(tool: str) -> str:
    """Path of a Prometheus tool; skipped where Debian's prometheus package is not installed."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not installed (apt-get install -y prometheus prometheus-alertmanager)")
    return path


@pytest.fixture
def robot_receivers() -> Iterator[tuple[str, Received]]:
    """Local DingTalk, Feishu and WeCom robots that check signatures as the vendors do (tests/fixtures/robots.py)."""
    with serve_robots() as receivers:
        yield receivers
