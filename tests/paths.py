"""Where the repository's own files are, for tests that compare the package with what is committed."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPLOY = REPO_ROOT / "deploy"
BANK_DATA = Path(__file__).resolve().parent / "data" / "anonymous-bank-1999"
