"""The shipped policies: one YAML file per appraisal scheme of the source documents, selectable by name.

``--policy points-ranking`` reads ``points-ranking.yaml`` from this package;
``cckpi payroll policies`` lists them with the document each comes from (the
file's ``source`` key).  A centre copies one and changes it: the copy is
given by path.
"""

from __future__ import annotations

from importlib import resources

import yaml

_HERE = resources.files(__package__)


def names() -> list[str]:
    return sorted(item.name[:-5] for item in _HERE.iterdir() if item.name.endswith(".yaml"))


def shipped_text(name: str) -> str | None:
    """The shipped policy's YAML text; None when ``name`` is not one."""
    if name not in names():
        return None
    return (_HERE / f"{name}.yaml").read_text(encoding="utf-8")


def listing() -> list[tuple[str, str]]:
    """(name, source document) of every shipped policy."""
    out = []
    for name in names():
        data = yaml.safe_load(shipped_text(name) or "") or {}
        out.append((name, str(data.get("source", ""))))
    return out
