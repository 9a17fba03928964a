"""Writing generated files (alert rules, dashboard JSON): one place for both."""

from __future__ import annotations

from pathlib import Path


def write_all(files: dict[str, str], out_dir: Path) -> list[Path]:
    """Write ``name -> text`` into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text)
        written.append(path)
    return written
