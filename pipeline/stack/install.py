"""Install what the stack lacks: Debian packages through apt-get.

CI may run on a fresh Debian 12 machine, so ``cckpi stack up`` installs the
servers itself instead of asking the user to.  ``apt-get update`` runs at most
once per ``up``, and only when something is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from pipeline.stack.errors import StackError


def find_command(command: str) -> str | None:
    """Full path of ``command``; also looks in /usr/sbin, which a non-root PATH lacks."""
    return shutil.which(command) or shutil.which(command, path="/usr/local/sbin:/usr/sbin:/sbin")


def missing_packages(needs: dict[str, tuple[str, ...]]) -> list[str]:
    """Debian packages providing the commands of ``needs`` that are not on PATH."""
    packages: list[str] = []
    for command, provides in needs.items():
        if find_command(command) is None:
            packages.extend(p for p in provides if p not in packages)
    return packages


def ensure_packages(needs: dict[str, tuple[str, ...]], allowed: bool) -> list[str]:
    """Install the packages for missing commands; return what was installed."""
    packages = missing_packages(needs)
    if not packages:
        return []
    if not allowed:
        raise StackError(f"missing {', '.join(packages)}: apt-get install -y {' '.join(packages)} "
                         "(or set CCKPI_STACK__INSTALL_MISSING=true)")
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise StackError(f"missing {', '.join(packages)} and not root: install them with apt-get as root")
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]):
        result = subprocess.run(prefix + cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise StackError(f"`{' '.join(cmd)}` failed (exit {result.returncode}): {last[0]}")
    still = missing_packages(needs)
    if still:
        raise StackError(f"installed {' '.join(packages)} but {', '.join(still)} still missing from PATH")
    return packages
