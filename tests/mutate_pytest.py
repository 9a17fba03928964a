"""The test command of ``make mutate`` (tests/mutate.sh): pytest in this process, any failure as exit code 1.

Why not ``python -m pytest`` directly: mutmut 2.x counts a mutant as killed only when the command exits 1
(``returncode != 1`` is "survived"), and a mutant that breaks an import before any test runs makes pytest
exit 2 (collection error) or 3 (a plugin such as ``tests.fixtures.stores`` fails to load, e.g. on the
``assert`` in ``store/queue_intervals.py``), which mutmut would list as a survivor though every test failed
to run.  In process (not a child of a shell) so that mutmut's kill on a timeout ends the tests too.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())  # as ``python -m pytest`` does: the tree being mutated, not an installed copy
    import pytest

    sys.exit(0 if pytest.main(sys.argv[1:]) == 0 else 1)
