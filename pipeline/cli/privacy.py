"""``cckpi privacy erase``: a customer's right to erasure (PIPL, GDPR), as the writer's user."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.command_context import default_dead_letter_path, open_store, settings, store_option


@click.group()
def privacy() -> None:
    """Customers' data: erase one customer's traces."""


@privacy.command()
@click.option("--customer", required=True, metavar="KEY", help="the source's customer key (a phone number, an "
              "account id), pseudonymised here as the pipeline does")
@click.option("--by", "who", required=True, help="who asked for and carried out the erasure (recorded)")
@store_option
@click.option("--dead-letter", "dead_letters", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="dead-letter files to clean too (default: the store's own)")
def erase(customer: str, who: str, store_url: str | None, dead_letters: tuple[Path, ...]) -> None:
    """Blank the customer's key in facts and raw events, remove them from the customer index and dead letters.

    Their contacts still count in every report (nothing but the key goes);
    the erasure is recorded with who, when and the counts, never the key.
    Dead letters already sent to the Kafka topic expire with its retention.
    """
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.ingest.dead_letter import erase_pseudonym
    from pipeline.pseudonym_key import pseudonym_key
    from pipeline.store.erasure import erase as erase_store
    from pipeline.store.erasure import record

    if not customer.strip():
        raise click.BadParameter("an empty key names no customer", param_hint="--customer")
    config = settings(store_url=store_url)
    pseudonym = pseudonymiser(pseudonym_key(config))(customer)
    files = list(dead_letters) or [default_dead_letter_path(config.store_url, config)]
    with open_store(config.store_url) as store:
        counts = erase_store(store, pseudonym)
        counts["dead_letters"] = sum(erase_pseudonym(path, pseudonym) for path in files if path.exists())
        record(store, who, counts)
    click.echo("erased: " + ", ".join(f"{n} {place.replace('_', ' ')}" for place, n in counts.items())
               + f" (recorded in {store.db}.erasures, without the key)")
