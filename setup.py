"""The one build step beyond setuptools' own: the wallboard's chart library goes into the package.

ECharts comes from the npm registry at the version ``web/package-lock.json``
locks (no CDN at run time), into ``pipeline/web/static/vendor/`` (git-ignored).
A wheel built from a clean checkout therefore fetches it, and a build without
npm fails here with the fix, instead of shipping a wallboard whose charts are
blank.  ``make install`` makes the same files for a development checkout.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
VENDOR = ROOT / "pipeline" / "web" / "static" / "vendor"
FROM_NPM = {"echarts.min.js": "echarts/dist/echarts.min.js", "echarts-LICENSE.txt": "echarts/LICENSE"}


def vendor_chart_library() -> None:
    """Copy the locked chart library into the package, fetching it with ``npm ci`` when it is not there."""
    if all((VENDOR / name).is_file() for name in FROM_NPM):
        return
    web = ROOT / "web"
    modules = web / "node_modules"
    if not all((modules / source).is_file() for source in FROM_NPM.values()):
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("building cckpi needs npm for the wallboard's chart library (ECharts, from the npm "
                             "registry): apt-get install -y nodejs npm, then build again")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=web, check=True)
    VENDOR.mkdir(parents=True, exist_ok=True)
    for name, source in FROM_NPM.items():
        shutil.copyfile(modules / source, VENDOR / name)


class BuildWithChartLibrary(build_py):
    def run(self) -> None:
        vendor_chart_library()
        super().run()


setup(cmdclass={"build_py": BuildWithChartLibrary})
