"""A replay stores exactly what the chain stored before it was made faster (issue 26), on both engines.

The reference (``tests/fixtures/replay_identity/reference.json``) was written
by main's code before the change (``dumps.py`` run with main's interpreter),
from a messy file: repeats, conflicting copies, every kind of rejection, other
UTC offsets.  Every table is compared in full (rows sorted, read FINAL, wall-
clock columns left out), as are the counts and the dead letters, for one batch
and for batches of 997 lines (the worker's shape: state merged across batches).
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures.replay_identity.dumps import CHUNKS, REFERENCE, replay_and_dump


@pytest.mark.parametrize("chunk", CHUNKS)
def test_replay_stores_what_the_reference_chain_stored(store, tmp_path, chunk):
    expected = json.loads(REFERENCE.read_text())[str(chunk)]
    got = replay_and_dump(store, chunk, tmp_path)
    assert got["counts"] == expected["counts"]
    assert got["dead_letters"] == expected["dead_letters"]
    assert got["tables"].keys() == expected["tables"].keys()
    for table, dump in expected["tables"].items():
        assert got["tables"][table] == dump, f"table {table} differs from the reference"
    assert expected["counts"]["duplicates"] > 100 and expected["counts"]["conflicting_duplicates"] > 10
    assert expected["tables"]["events"]["rows"] == 2521 and expected["tables"]["contact_facts"]["rows"] == 300
    assert expected["tables"]["contact_next"]["rows"] == 9  # repeat customers across the three days
