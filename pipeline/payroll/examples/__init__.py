"""The example pay policy and roster (the rules of docs/kpi-sources.md), shipped inside the package.

A wheel installs them as plain files, so they are handed out as paths (the
CLI's ``--policy`` default, tests); ``deploy/policies/`` links to them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

POLICY = Path(str(resources.files(__package__) / "example-quality-bonus.yaml"))
ROSTER = Path(str(resources.files(__package__) / "example-roster.csv"))
SCORECARDS = Path(str(resources.files(__package__) / "example-scorecards.yaml"))
INPUTS = Path(str(resources.files(__package__) / "example-inputs.csv"))
