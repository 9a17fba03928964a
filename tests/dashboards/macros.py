"""Moved to ``pipeline.dashboards.macros`` (the benchmark runs panel SQL too); kept for the tests' imports."""

from pipeline.dashboards.macros import substitute

__all__ = ["substitute"]
