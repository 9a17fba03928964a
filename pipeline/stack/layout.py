"""Where each file of the local stack lives, derived from the settings.

Every path is absolute (resolved once) because the generated configs are read
by servers whose working directory is not the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from pipeline.settings import StackSettings

TEMPLATES: Traversable = resources.files("pipeline.stack") / "templates"


@dataclass(frozen=True)
class Layout:
    """Paths of one stack folder (default ``.stack/`` in the current directory)."""

    root: Path

    @classmethod
    def from_settings(cls, stack: StackSettings) -> Layout:
        return cls(stack.dir.expanduser().resolve())

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets.env"

    def service_dir(self, name: str) -> Path:
        return self.root / name

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def make(self) -> None:
        """Create the folders every service needs before it starts."""
        for path in (self.root, self.logs, self.run):
            path.mkdir(parents=True, exist_ok=True)


def template(*parts: str) -> Traversable:
    """A config template shipped inside the package (``pipeline/stack/templates/``)."""
    return TEMPLATES.joinpath(*parts)


def render(template: Traversable, target: Path, values: dict[str, object], mode: int = 0o644) -> None:
    """Fill a ``$name`` template; a missing value is a bug, so it raises KeyError."""
    text = Template(template.read_text()).substitute({k: str(v) for k, v in values.items()})
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(text)
    tmp.chmod(mode)
    tmp.replace(target)
