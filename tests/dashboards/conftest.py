"""Fixtures of the dashboard tests."""

from __future__ import annotations

import pytest

from pipeline.settings import Settings


@pytest.fixture
def reference_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The defaults, whatever CCKPI_* the shell exports: the committed JSON must not depend on it."""
    monkeypatch.delenv("CCKPI_CONFIG", raising=False)
    return Settings(_env_prefix="CCKPI_REFERENCE_UNUSED_")  # type: ignore[call-arg]
