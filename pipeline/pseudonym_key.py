"""Where secrets come from: the environment or a key file, never the code."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pipeline.settings import Settings


def pseudonym_key(settings: Settings) -> bytes:
    """CCKPI_PSEUDONYM_KEY, else ``<data_dir>/pseudonym.key`` (created once, mode 0600)."""
    if settings.pseudonym_key:
        return settings.pseudonym_key.encode()
    path = Path(settings.data_dir) / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return path.read_text().strip().encode()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()
