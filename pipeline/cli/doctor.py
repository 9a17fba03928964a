"""``cckpi doctor``: one line per check of a deployment, exit 1 when any fails."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.command_context import store_option


@click.command()
@store_option
@click.option("--kafka/--no-kafka", default=True, show_default=True, help="check the topics (off: a store fed by "
              "replay only)")
@click.option("--checkpoint", "checkpoints", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="a follower's checkpoint file to check (repeatable)")
@click.option("--max-checkpoint-age", type=click.FloatRange(min=1), default=300, show_default=True,
              help="seconds a follower with lines left to send may go without saving its checkpoint")
@click.option("--min-free-gib", type=click.FloatRange(min=0), default=5, show_default=True,
              help="free space wanted under CCKPI_DATA_DIR")
def doctor(store_url: str | None, kafka: bool, checkpoints: tuple[Path, ...], max_checkpoint_age: float,
           min_free_gib: float) -> None:
    """Check settings, the store (reachable, migrations, clock), its users' rights, Kafka topics, disk and followers."""
    from pipeline import doctor as checks
    from pipeline.doctor_grants import grants_check
    from pipeline.settings import SettingsError, load_settings

    try:
        config = load_settings(**({"store_url": store_url} if store_url else {}))
    except SettingsError as exc:
        _print([checks.Check("settings", False, str(exc))])
        raise SystemExit(1) from None
    found = [checks.Check("settings", True, "valid"), *checks.store_check(config)]
    if found[1].ok:
        found.extend(grants_check(config))  # the ClickHouse users (none for the embedded store)
    if kafka:
        found.append(checks.kafka_check(config))
    found.append(checks.disk_check(config, int(min_free_gib * 2**30)))
    found.extend(checks.checkpoint_check(path, max_checkpoint_age) for path in checkpoints)
    _print(found)
    if not all(check.ok for check in found):
        raise SystemExit(1)


def _print(found: list) -> None:
    for check in found:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
