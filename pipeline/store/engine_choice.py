"""Which engine a store URL names: the one module above both engines.

``engines`` holds what the two share (the ``Engine`` interface, ``Columns``,
``StoreError``, ``literal``) below them; this module picks one.  The engine
modules import their drivers only when an engine is made, so importing both
here costs nothing for the engine not used.
"""

from __future__ import annotations

from pipeline.store.chdb_engine import ChdbEngine
from pipeline.store.clickhouse_engine import ClickhouseEngine
from pipeline.store.engines import Engine
from pipeline.store.store_url import parse_url


def open_engine(url: str) -> Engine:
    """The engine a store URL names."""
    parsed = parse_url(url)
    if parsed.scheme == "chdb":
        assert parsed.path is not None
        return ChdbEngine(parsed.path, parsed.database)
    return ClickhouseEngine(parsed)
