"""What every command shares: settings, the store, errors as one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from pipeline.settings import Settings, SettingsError, load_settings
from pipeline.store.engines import StoreError
from pipeline.store.store_url import parse_url

store_option = click.option(
    "--store", "store_url", metavar="URL", default=None,
    help="chdb:///dir or clickhouse://user:pw@host:port/db (default: CCKPI_STORE_URL, else the embedded store)",
)


def settings(**overrides: Any) -> Settings:
    """Settings with command-line overrides; a bad value is a one-line usage error."""
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


@contextmanager
def open_store(url: str) -> Iterator[Any]:
    """The store at ``url``, migrated; store problems become one-line errors."""
    from pipeline.store.store import Store

    try:
        store = Store.open(url)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield store
    finally:
        store.close()


def default_dead_letter_path(store_url: str, settings: Settings) -> Path:
    """Beside the embedded store; in the data folder for a server store."""
    try:
        parsed = parse_url(store_url)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if parsed.path is not None:
        return parsed.path / "dead-letter.jsonl"
    return Path(settings.data_dir) / f"dead-letter-{parsed.database}.jsonl"
