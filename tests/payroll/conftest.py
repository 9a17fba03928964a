"""A fresh payroll database beside each test store (chDB: same folder; server: same server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.payroll.closing import open_payroll_store
from pipeline.store.engines import ChdbEngine
from pipeline.store.store import Store
from tests.fixtures.stores import server_admin_url


def payroll_url_beside(store: Store, chdb_dir: Path) -> str:
    name = "p_" + uuid.uuid4().hex[:12]
    if isinstance(store.engine, ChdbEngine):
        return f"chdb://{chdb_dir}?database={name}"
    admin = server_admin_url()
    assert admin is not None
    return f"{admin.rsplit('/', 1)[0]}/{name}"


@pytest.fixture
def payroll_store(store: Store, chdb_dir: Path) -> Iterator[Store]:
    opened = open_payroll_store(payroll_url_beside(store, chdb_dir))
    yield opened
    opened.engine.command(f"DROP DATABASE IF EXISTS {opened.db}")
    opened.close()
