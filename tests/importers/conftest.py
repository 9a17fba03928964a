"""Every importer test runs with the test pseudonym key: the import commands pseudonymise dead letters' customer
keys with the pipeline's key, and without one in the environment they would create a key file in the user's
data folder."""

from __future__ import annotations

import pytest

from tests.fixtures.stores import TEST_KEY


@pytest.fixture(autouse=True)
def _pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCKPI_PSEUDONYM_KEY", TEST_KEY.decode())
