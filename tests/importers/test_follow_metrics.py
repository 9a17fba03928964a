"""The follower's metrics, hand-worked: counters move by checkpoint, "behind" is read from the file."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from pipeline import metric_defs as m
from pipeline.importers.follow_metrics import FollowMetrics
from pipeline.importers.follow_queue_log import FollowCounts
from pipeline.importers.tail import Position


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _value(metrics: FollowMetrics, metric: m.Metric, **labels: str) -> float | None:
    name = f"{metric}_total" if metric.kind == "counter" and not metric.endswith("_total") else str(metric)
    return metrics.registry.get_sample_value(name, {"file": metrics.file, **labels})


def test_counters_move_by_checkpoint_and_behind_is_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"x" * 99 + b"\n")  # 100 bytes nobody published yet
    clock = Clock()
    metrics = FollowMetrics(path, None, clock)
    clock.now = 30
    assert _value(metrics, m.FOLLOW_BEHIND_BYTES) == 100
    assert _value(metrics, m.FOLLOW_BEHIND_SECONDS) == 30  # no progress since the start

    inode = os.stat(path).st_ino
    clock.now = 31
    metrics.checkpointed(FollowCounts(lines=3, events=5, checkpoints=1,
                                      dead_by_reason=Counter(unknown_verb=1)), Position(inode, 100, 3))
    assert (_value(metrics, m.FOLLOW_LINES), _value(metrics, m.FOLLOW_EVENTS)) == (3, 5)
    assert _value(metrics, m.FOLLOW_DEAD_LETTERS, reason="unknown_verb") == 1
    assert (_value(metrics, m.FOLLOW_BEHIND_BYTES), _value(metrics, m.FOLLOW_BEHIND_SECONDS)) == (0, 0)

    with path.open("ab") as handle:
        handle.write(b"y" * 19 + b"\n")  # 20 more bytes, at 31 s
    clock.now = 40
    assert (_value(metrics, m.FOLLOW_BEHIND_BYTES), _value(metrics, m.FOLLOW_BEHIND_SECONDS)) == (20, 9)
    metrics.caught_up()  # it read to the end (a partial line, say): progress, though bytes still wait
    clock.now = 45
    assert (_value(metrics, m.FOLLOW_BEHIND_BYTES), _value(metrics, m.FOLLOW_BEHIND_SECONDS)) == (20, 5)

    # totals so far, as follow() keeps them: only what they added is counted
    metrics.checkpointed(FollowCounts(lines=5, events=8, checkpoints=2,
                                      dead_by_reason=Counter(unknown_verb=1)), Position(inode, 120, 5))
    assert (_value(metrics, m.FOLLOW_LINES), _value(metrics, m.FOLLOW_EVENTS)) == (5, 8)
    assert _value(metrics, m.FOLLOW_DEAD_LETTERS, reason="unknown_verb") == 1
    assert _value(metrics, m.FOLLOW_BEHIND_BYTES) == 0


def test_a_rotated_file_counts_the_new_file_and_a_missing_one_nothing(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"a" * 50)
    metrics = FollowMetrics(path, Position(os.stat(path).st_ino, 50, 1), Clock())
    assert _value(metrics, m.FOLLOW_BEHIND_BYTES) == 0  # resumed at its end: nothing owed
    path.rename(tmp_path / "queue_log.1")
    assert _value(metrics, m.FOLLOW_BEHIND_BYTES) == 0  # rotated away, not recreated yet
    path.write_bytes(b"b" * 7)
    assert _value(metrics, m.FOLLOW_BEHIND_BYTES) == 7
