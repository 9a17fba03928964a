"""The ``cckpi`` command: a click group whose sub-commands load lazily.

Lazy loading keeps ``cckpi --help`` and small commands fast: the worker pulls in
Faust and the store pulls in chDB, which take seconds to import.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

# name -> "module:attribute" of a click command or group
COMMANDS: dict[str, str] = {
    "demo": "pipeline.cli.demo:demo",
    "simulate": "pipeline.cli.simulate:simulate",
    "replay": "pipeline.cli.replay:replay",
    "report": "pipeline.cli.report:report",
    "rebuild": "pipeline.cli.rebuild:rebuild",
    "import": "pipeline.cli.import_records:import_records",
    "schemas": "pipeline.cli.schemas:schemas",
    "store": "pipeline.cli.store:store",
    "privacy": "pipeline.cli.privacy:privacy",
    "doctor": "pipeline.cli.doctor:doctor",
    "stack": "pipeline.cli.stack:stack",
    "produce": "pipeline.cli.produce:produce",
    "worker": "pipeline.cli.worker:worker",
    "payroll": "pipeline.cli.payroll_sheet:payroll",
    "users": "pipeline.cli.users:users",
    "alerts": "pipeline.cli.alerts:alerts",
    "dashboards": "pipeline.cli.dashboards:dashboards",
    "bench": "pipeline.cli.bench:bench",
    "follow": "pipeline.cli.follow:follow",
    "serve": "pipeline.cli.serve:serve",
}


class LazyGroup(click.Group):
    """A group that imports a sub-command only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, target in COMMANDS.items() if _available(target))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(target):
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)  # type: ignore[no-any-return]


def _available(target: str) -> bool:
    return importlib.util.find_spec(target.split(":")[0]) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cckpi")
def cli() -> None:
    """Contact-centre KPIs: replay, stream, report, alert and pay by them."""


def main(argv: list[str] | None = None) -> Any:
    """Entry point: settings problems become a one-line message, not a traceback.

    ``pipeline.settings`` (pydantic-settings, ~0.1 s to import) is not imported here: a command that reads no
    settings (``cckpi import``) starts without it, and a ``SettingsError`` can only come from a command that
    imported it."""
    try:
        return cli.main(args=argv, prog_name="cckpi", standalone_mode=True)
    except Exception as exc:
        settings = sys.modules.get("pipeline.settings")
        if settings is None or not isinstance(exc, settings.SettingsError):
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
