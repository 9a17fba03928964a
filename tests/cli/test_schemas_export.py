"""The repository's schemas/ folder is `cckpi schemas export` output: stale files fail here."""

from __future__ import annotations

from pathlib import Path

from pipeline.cli.schemas import write_all
from tests.paths import REPO_ROOT


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_committed_schemas_equal_the_package(tmp_path: Path) -> None:
    written = write_all(tmp_path)
    generated = _tree(tmp_path)
    assert written == len(generated)
    assert any(name.startswith("clickhouse/payroll/") for name in generated)
    committed = {k: v for k, v in _tree(REPO_ROOT / "schemas").items() if not k.endswith("README.md")}
    assert committed == generated, "schemas/ is stale: run `cckpi schemas export`"
