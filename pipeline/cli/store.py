"""``cckpi store``: the store's schema and its backups, run by the writer's (or admin's) user."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli.command_context import settings, store_option
from pipeline.store.engines import StoreError

if TYPE_CHECKING:
    from pipeline.settings import Settings
    from pipeline.store.engines import Engine


@click.group()
def store() -> None:
    """The store itself: migrate its schema, back it up, restore it."""


@store.command()
@store_option
def migrate(store_url: str | None) -> None:
    """Make or bring the store's tables up to this version (the events store and the payroll database).

    Safe on a running store: every step is idempotent, and a worker that
    starts meanwhile migrates the same way.
    """
    from pipeline.payroll.closing import payroll_url
    from pipeline.store.engine_choice import open_engine
    from pipeline.store.migrations import PAYROLL_MIGRATIONS, WALLBOARD_MIGRATIONS
    from pipeline.store.migrations import migrate as apply_migrations

    config = settings(store_url=store_url)
    for label, url, directory in (("events", config.store_url, WALLBOARD_MIGRATIONS),
                                  ("payroll", payroll_url(config, config.store_url), PAYROLL_MIGRATIONS)):
        try:
            engine = open_engine(url)
            version = apply_migrations(engine, directory)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{label} store {engine.database}: schema version {version}")


def _engines(config: Settings) -> dict[str, Engine]:
    """The events store and the payroll database, each opened as its URL says."""
    from pipeline.payroll.closing import payroll_url
    from pipeline.store.engine_choice import open_engine

    try:
        return {"events": open_engine(config.store_url), "payroll": open_engine(payroll_url(config, config.store_url))}
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _offsets_wanted(config: Settings, flag: bool | None) -> bool:
    """Kafka offsets go with a server store's backup (its worker reads Kafka) unless told otherwise."""
    from pipeline.store.store_url import parse_url

    return flag if flag is not None else parse_url(config.store_url).scheme != "chdb"


@store.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@store_option
@click.option("--kafka-offsets/--no-kafka-offsets", "with_offsets", default=None,
              help="note the worker group's committed offsets, for the restore to set back "
                   "(default: on for ClickHouse server, off for the embedded store)")
def backup(directory: Path, store_url: str | None, with_offsets: bool | None) -> None:
    """Back up the events store and the payroll database into DIRECTORY (new or empty), while the worker runs.

    On a replicated cluster (``cluster=`` in the URL) each shard is frozen
    once, on one replica, and its parts copied: run it where the replicas'
    data folders are visible (docs/operations.md).
    """
    from pipeline.kafka.admin import KafkaAdminError
    from pipeline.kafka.offsets import committed
    from pipeline.store.backup import BackupError
    from pipeline.store.backup import backup as make_backup

    config = settings(store_url=store_url)
    engines = _engines(config)
    try:
        offsets = committed(config) if _offsets_wanted(config, with_offsets) else None
        manifest = make_backup(engines, directory, offsets)
    except KafkaAdminError as exc:
        raise click.ClickException(f"{exc} (a store without a Kafka-fed worker: --no-kafka-offsets)") from None
    except (BackupError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None
    for part, entry in manifest.databases.items():
        tables, rows = entry.counts()
        shards = f", {len(entry.shards)} shard(s) frozen on {', '.join(s.replica for s in entry.shards)}" \
            if entry.shards else ""
        click.echo(f"{part} {entry.name}: {tables} tables, {rows:,} rows, schema version "
                   f"{entry.migration_version}{shards}")
    if manifest.kafka_offsets is not None:
        click.echo(f"kafka: offsets of {len(manifest.kafka_offsets)} partitions of group {config.worker_group}")
    click.echo(f"backup complete: {directory / 'manifest.json'}")


@store.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@store_option
@click.option("--replace", is_flag=True, help="drop what the stores hold and restore the backup in its place")
@click.option("--kafka-offsets/--no-kafka-offsets", "with_offsets", default=True, show_default=True,
              help="set the worker group back to the backup's offsets (stop the workers first)")
def restore(directory: Path, store_url: str | None, replace: bool, with_offsets: bool) -> None:
    """Restore a backup made by `cckpi store backup` (checked first: checksums, schema version, an empty store)."""
    from pipeline.kafka.admin import KafkaAdminError
    from pipeline.kafka.offsets import set_back
    from pipeline.store.backup import BackupError
    from pipeline.store.backup import restore as load_backup

    config = settings(store_url=store_url)
    engines = _engines(config)
    try:
        manifest = load_backup(engines, directory, replace=replace)
        if with_offsets and manifest.kafka_offsets:
            set_back(config, manifest.kafka_offsets)
            click.echo(f"kafka: group {config.worker_group} set back to the backup's offsets "
                       f"({len(manifest.kafka_offsets)} partitions); the worker reads again from there")
    except (BackupError, KafkaAdminError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None
    for part, entry in manifest.databases.items():
        tables, rows = entry.counts()
        click.echo(f"{part} {engines[part].database}: {tables} tables, {rows:,} rows restored "
                   f"(backup of {manifest.created_at})")


@store.command()
@store_option
@click.option("--dry-run", is_flag=True, help="count what would go, delete nothing")
@click.option("--dead-letter", "dead_letters", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="dead-letter files to expire too (default: the store's own)")
def expire(store_url: str | None, dry_run: bool, dead_letters: tuple[Path, ...]) -> None:
    """Delete raw events, contact facts and dead letters older than the retention settings (`[retention]`).

    One line per table or file with the rows removed.  The pre-aggregates,
    the agent tables and payroll are kept.  Run daily (deploy/systemd's
    cckpi-expire.timer), as the writer's user; see docs/operations.md.
    """
    import time

    from pipeline.cli.command_context import default_dead_letter_path, open_store
    from pipeline.ingest import dead_letter
    from pipeline.store.retention import expire as expire_store

    config = settings(store_url=store_url)
    retention, now_ms = config.retention, int(time.time() * 1000)
    verb = "would be removed" if dry_run else "removed"
    with open_store(config.store_url) as opened:
        for step, rows in expire_store(opened, retention, now_ms, dry_run):
            if step.cut_ms is None:
                click.echo(f"{step.table}: kept (retention.{step.setting} is not set)")
            else:
                click.echo(f"{step.table}: {rows} rows {verb} (before {_utc(step.cut_ms)})")
    cut = retention.cut_ms("dead_letters", now_ms)
    for path in list(dead_letters) or [default_dead_letter_path(config.store_url, config)]:
        if cut is None:
            click.echo(f"dead letters {path}: kept (retention.dead_letters_days is not set)")
        elif not path.exists():
            click.echo(f"dead letters {path}: no such file, nothing to expire")
        else:
            click.echo(f"dead letters {path}: {dead_letter.expire(path, cut, dry_run)} records {verb} "
                       f"(before {_utc(cut)})")


def _utc(ms: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
