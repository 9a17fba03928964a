"""The systemd units (deploy/systemd/) pass `systemd-analyze verify` with no complaint at all.

verify exits 0 on settings it merely ignores (a misspelt value is "ignoring"), so any output fails the test
too.  The units name the installed program at /opt/cckpi/bin/cckpi; here they point at this checkout's,
since verify checks that the command exists.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import DEPLOY

UNITS = DEPLOY / "systemd"
CCKPI = Path(sys.executable).parent / "cckpi"
HARDENING = ("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
             "CapabilityBoundingSet=\n", "RestrictAddressFamilies=", "SystemCallFilter=@system-service")

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                reason="systemd-analyze is missing: apt-get install -y systemd")


def _verify(folder: Path, *names: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=folder, capture_output=True,
                          text=True, timeout=60)


def _installed_here(tmp_path: Path) -> Path:
    for unit in [*UNITS.glob("*.service"), *UNITS.glob("*.timer")]:
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/cckpi/bin/cckpi", str(CCKPI)))
    shutil.copy(tmp_path / "cckpi-follow@.service", tmp_path / "cckpi-follow@queue_log.service")  # an instance
    return tmp_path


def test_every_unit_verifies_cleanly(tmp_path: Path) -> None:
    folder = _installed_here(tmp_path)
    result = _verify(folder, "cckpi-worker.service", "cckpi-serve.service", "cckpi-follow@queue_log.service",
                     "cckpi-expire.service", "cckpi-expire.timer")
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


@pytest.mark.parametrize("unit", ["cckpi-worker.service", "cckpi-serve.service", "cckpi-follow@.service"])
def test_each_unit_restarts_on_failure_as_its_own_user_and_hardened(unit: str) -> None:
    text = (UNITS / unit).read_text()
    assert "Restart=on-failure" in text and "User=cckpi" in text and "/opt/cckpi/bin/cckpi " in text
    assert all(setting in text for setting in HARDENING), [s for s in HARDENING if s not in text]
    assert "u cckpi " in (UNITS / "cckpi.sysusers.conf").read_text()


def test_the_expiry_runs_daily_once_per_start_hardened_like_the_others() -> None:
    """`cckpi store expire` is a job, not a daemon: oneshot, started by its timer every day (and at boot when a
    day was missed), with the same user and hardening as the long-running units."""
    service = (UNITS / "cckpi-expire.service").read_text()
    assert "Type=oneshot" in service and "User=cckpi" in service
    assert "ExecStart=/opt/cckpi/bin/cckpi store expire\n" in service
    assert all(setting in service for setting in HARDENING), [s for s in HARDENING if s not in service]
    timer = (UNITS / "cckpi-expire.timer").read_text()
    assert "OnCalendar=*-*-* 03:30:00" in timer and "Persistent=true" in timer
    assert "Unit=cckpi-expire.service" in timer and "WantedBy=timers.target" in timer


def test_verify_is_a_real_check(tmp_path: Path) -> None:
    """A misspelt value and a missing program are both caught (so the clean result above means something)."""
    folder = _installed_here(tmp_path)
    worker = (folder / "cckpi-worker.service").read_text()
    (folder / "misspelt.service").write_text(worker.replace("Restart=on-failure", "Restart=sometimes"))
    (folder / "missing.service").write_text(worker.replace(str(CCKPI), "/nonexistent/cckpi"))
    misspelt = _verify(folder, "misspelt.service")
    assert "Failed to parse service restart specifier" in misspelt.stderr
    assert _verify(folder, "missing.service").returncode != 0
    timer = (folder / "cckpi-expire.timer").read_text()
    (folder / "cckpi-expire.timer").write_text(timer.replace("OnCalendar=*-*-* 03:30:00", "OnCalendar=sometimes"))
    assert "Failed to parse calendar specification" in _verify(folder, "cckpi-expire.timer").stderr
