"""Session fixtures shared by every test folder.

``stack``: the local stack of real services (docs/design.md section 6).  It runs
``cckpi stack up`` once when the stack is not already up (``make test`` starts
it before pytest) and leaves it running; ``make test`` stops it afterwards.
Only tests that ask for it (integration tests) start anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pipeline.stack.stack_info import StackInfo


@pytest.fixture(scope="session")
def stack() -> Iterator[StackInfo]:
    """The running local stack: URLs, Kafka bootstrap, credentials (see StackInfo)."""
    from pipeline.settings import load_settings
    from pipeline.stack import manager
    from pipeline.stack.stack_info import stack_info

    settings = load_settings()
    if not manager.all_running(settings):
        result = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "stack", "up"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.fail(f"`cckpi stack up` failed ({result.returncode}):\n{result.stdout}{result.stderr}",
                        pytrace=False)
    info = stack_info(settings)
    # tests that read CCKPI_* (store fixtures) reach the same stack even under a bare `pytest`
    for name, value in info.env().items():
        os.environ.setdefault(name, value)
    yield info
