"""``cckpi rebuild``: after a threshold change, the pre-aggregates are current again and give the facts' numbers.

Three simulated days are replayed with the default 30-second service-level
threshold; the config then sets ``billing``'s to 10 s.  A week's report (read
from the pre-aggregates when they are current) must not read rows built with
30 s: before the rebuild it reads the facts, after it the rebuilt rows, and
both give the same numbers, which differ from the 30-second ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.settings import load_settings
from tests.fixtures.cli import run

WEEK = ("2026-11-01", "2026-11-08")
REPORT = ("report", "--from", WEEK[0], "--to", WEEK[1], "--by", "queue", "--format", "json")
TEN_SECONDS = load_settings(queues={"billing": {"sl_threshold_s": 10}})


def _current(url: str) -> bool:
    """Whether the week's queue intervals were all built with billing's 10-second threshold (asked in a
    process of its own: the embedded store stays locked by the process that opened it)."""
    code = ("import sys; from pipeline.core.intervals import parse_instant; from pipeline.store import reads; "
            "from pipeline.store.store import Store; from tests.cli.test_rebuild import TEN_SECONDS as s, WEEK; "
            "start, end = (parse_instant(d, s.zone) for d in WEEK); "
            f"print(reads.intervals_current(Store.open({url!r}), s, 'queue_intervals', start, end))")
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return answer.stdout.strip() == "True"


def _billing(report: str) -> dict[str, object]:
    return next(row for row in json.loads(report) if row["queue"] == "billing")


def test_rebuild_makes_the_intervals_current_with_the_new_threshold(tmp_path: Path,
                                                                    workdir: dict[str, str]) -> None:
    days = tmp_path / "days.jsonl"
    run("simulate", "--out", str(days), "--contacts", "900", "--days", "3", "--seed", "6", env=workdir)
    run("replay", str(days), env=workdir)
    thirty = _billing(run(*REPORT, env=workdir).stdout)
    config = tmp_path / "cckpi.toml"
    config.write_text("[queues.billing]\nsl_threshold_s = 10\n")
    ten = {**workdir, "CCKPI_CONFIG": str(config)}

    assert not _current(workdir["CCKPI_STORE_URL"])
    from_facts = run(*REPORT, env=ten).stdout
    said = run("rebuild", env=ten).stderr
    assert "rebuilt 3 day(s), 2026-11-02 .. 2026-11-04 (Asia/Shanghai)" in said
    assert _current(workdir["CCKPI_STORE_URL"])
    assert run(*REPORT, env=ten).stdout == from_facts
    assert _billing(from_facts)["service_level"] < thirty["service_level"]  # type: ignore[operator]


def test_rebuild_of_an_empty_store_says_so(workdir: dict[str, str]) -> None:
    result = run("rebuild", env=workdir, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "holds no contacts" in result.stderr


def test_rebuild_with_a_bad_date_names_the_option(workdir: dict[str, str]) -> None:
    result = run("rebuild", "--from", "last week", env=workdir, check=False)
    assert result.returncode == 2 and "--from/--to" in result.stderr and "Traceback" not in result.stderr
