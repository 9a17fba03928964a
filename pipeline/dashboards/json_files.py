"""Every dashboard as JSON text, and the files of ``dashboards/generated``.

The JSON is deterministic (sorted keys, fixed ids) so the committed files are
checked by regenerating them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pipeline.dashboards import agent_scorecard, grafana, pipeline_health, queue_interval_board, wallboard
from pipeline.generated_files import write_all
from pipeline.settings import Settings

BUILDERS: dict[str, Callable[[Settings], grafana.JSON]] = {
    "wallboard.json": wallboard.build,
    "queue-intervals.json": queue_interval_board.build,
    "agent-scorecard.json": agent_scorecard.build,
    "pipeline-health.json": pipeline_health.build,
}


def build_all(settings: Settings) -> dict[str, grafana.JSON]:
    """File name -> dashboard model."""
    return {name: build(settings) for name, build in BUILDERS.items()}


def render(settings: Settings) -> dict[str, str]:
    """File name -> JSON text as committed."""
    return {name: json.dumps(model, indent=2, sort_keys=True) + "\n" for name, model in build_all(settings).items()}


def write(settings: Settings, out_dir: Path) -> list[Path]:
    return write_all(render(settings), out_dir)
