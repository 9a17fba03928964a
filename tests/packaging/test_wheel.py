"""The package works installed as a plain wheel (not editable), run from an unrelated folder.

Everything the program reads at run time (migrations, schemas, stack
templates, the example policy and roster) must ship inside the wheel; a file
found only through the source checkout makes one of these commands fail.

The wheel goes into a fresh virtual environment with ``--no-deps``; the
dependencies come from the test's own environment through a ``.pth`` line, so
the test exercises our files, not PyPI (which the dependency pins already
cover).  The wheel is built from a clean copy of the checkout (the files git
tracks or would track), so the build step that fetches the chart library from
the npm registry (``setup.py``) runs as it does for a new user; a build
without npm fails naming it.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.paths import REPO_ROOT

pytestmark = pytest.mark.slow


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout


def clean_checkout(into: Path) -> Path:
    """The files a fresh clone of this tree holds (tracked, or new and not ignored): no node_modules, no
    vendored chart library, no virtual environment."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO_ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def build_wheel(source: Path, dist: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path} if path is not None else None
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)],
        capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding only the wheel built from a clean checkout of this tree; returns its ``cckpi``."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    build = build_wheel(clean_checkout(root / "src"), dist)
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("cckpi-*.whl"))
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    target = next((env_dir / "lib").glob("python3*/site-packages"))
    # the dependencies of the running interpreter, after the wheel's own files
    (target / "zz_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                              "--target", str(target), str(wheel)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    # the wheel also installs the console script into the target's bin/: use the venv's interpreter instead
    return env_dir / "bin" / "python"


def test_the_readme_commands_run_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCKPI_") and k != "PYTHONPATH"}
    env.update(CCKPI_STORE_URL=f"chdb://{tmp_path / 'store'}", CCKPI_DATA_DIR=str(tmp_path / "data"),
               CCKPI_PSEUDONYM_KEY="wheel-test-pseudonym-key-0123456789")
    cckpi = [str(installed), "-m", "pipeline.cli.main"]
    origin = _run([str(installed), "-c", "import pipeline; print(pipeline.__file__)"], work, env)
    assert str(REPO_ROOT) not in origin, f"imported the checkout, not the wheel: {origin}"

    _run(cckpi + ["simulate", "--out", "day.jsonl", "--contacts", "400", "--start", "2026-10-05"], work, env)
    _run(cckpi + ["replay", "day.jsonl"], work, env)
    rows = json.loads(_run(cckpi + ["report", "--from", "2026-10-05", "--to", "2026-10-06", "--by", "queue",
                                    "--format", "json"], work, env))
    assert rows and sum(row["offered"] for row in rows) > 0

    _run(cckpi + ["alerts", "render", "--out", "rules"], work, env)
    assert sorted(p.name for p in (work / "rules").glob("*.yml")) == ["cckpi-pipeline.yml", "cckpi-queues.yml"]
    _run(cckpi + ["dashboards", "export", "boards"], work, env)
    assert len(list((work / "boards").glob("*.json"))) == 4
    _run(cckpi + ["schemas", "export", "contracts"], work, env)
    assert (work / "contracts" / "clickhouse" / "0001_contact_facts.sql").is_file()

    roster = _run([str(installed), "-c", "from pipeline.payroll import examples; print(examples.ROSTER)"], work, env)
    assert "site-packages" in roster
    scorecards = json.loads(_run(cckpi + ["payroll", "rollup", "--month", "2026-10", "--roster", roster.strip(),
                                          "--format", "json"], work, env))
    assert scorecards


def test_the_wheel_carries_the_chart_library(installed: Path) -> None:
    found = _run([str(installed), "-c", "from importlib import resources; print(resources.files('pipeline.web')"
                  ".joinpath('static', 'vendor', 'echarts.min.js').read_text()[:300])"], REPO_ROOT, dict(os.environ))
    assert "Apache" in found or "echarts" in found.lower(), found


def test_a_build_without_npm_fails_naming_it(tmp_path: Path) -> None:
    no_tools = tmp_path / "bin"  # PATH with nothing on it: the build finds no npm
    no_tools.mkdir()
    build = build_wheel(clean_checkout(tmp_path / "src"), tmp_path / "dist", path=str(no_tools))
    assert build.returncode != 0
    assert "needs npm" in build.stdout + build.stderr and "apt-get install -y nodejs npm" in build.stdout + build.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))
