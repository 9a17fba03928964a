"""The commands' tests share a folder of their own per test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def workdir(tmp_path: Path) -> dict[str, str]:
    """An embedded store and data folder of the test's own, no config file."""
    return {"CCKPI_STORE_URL": f"chdb://{tmp_path / 'store'}", "CCKPI_DATA_DIR": str(tmp_path / "data"),
            "CCKPI_CONFIG": ""}
