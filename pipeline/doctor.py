"""`cckpi doctor`'s checks: each says in one line what is wrong and what to do, or what it found.

Each check is a function of the settings (and what it needs beside them)
returning a ``Check``; a check that cannot run because an earlier one
failed (no store, no Kafka) fails too, naming the cause.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from pipeline.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def store_check(settings: Settings, clock: Callable[[], float] = time.time, max_skew_s: float = 1.0) -> list[Check]:
    """ClickHouse (or chDB) reachable as the configured user, its migrations current, its clock near ours."""
    from pipeline.store.engine_choice import open_engine
    from pipeline.store.migrations import behind

    try:
        engine = open_engine(settings.store_url)
        engine.query("SELECT 1 AS ok")
    except Exception as exc:  # noqa: BLE001 - any failure to reach it (StoreError or the driver's) is the finding
        line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [Check("store", False, line), Check("migrations", False, "not checked: the store is unreachable"),
                Check("clock", False, "not checked: the store is unreachable")]
    checks = [Check("store", True, f"{engine.database} answers")]
    gap = behind(engine)
    checks.append(Check("migrations", gap is None, "current" if gap is None else
                        f"{gap[0]} of {gap[1]} applied: run `cckpi store migrate`"))
    # now() has whole seconds (truncated): the server's instant is within [now(), now() + 1)
    skew = clock() - (int(engine.query("SELECT toUInt32(now()) AS t")["t"][0]) + 0.5)
    off = abs(skew) > max_skew_s + 0.5
    checks.append(Check("clock", not off, f"this machine is {skew:+.1f} s from the store's (at most {max_skew_s:g} "
                        f"s): sync both with NTP" if off else f"within {max_skew_s:g} s of the store's"))
    return checks


def kafka_check(settings: Settings) -> Check:
    """The events and dead-letter topics exist with the configured partitions."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaConsumer
        from kafka.errors import KafkaError

    try:
        consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, client_id="cckpi-doctor")
    except KafkaError as exc:
        return Check("kafka", False, f"no broker answers at {settings.kafka_bootstrap}: {exc}")
    try:
        found = {name: len(consumer.partitions_for_topic(name) or ()) for name in
                 (settings.topic("events"), settings.topic("dead-letter"))}
    finally:
        consumer.close()
    wrong = {name: n for name, n in found.items() if n != settings.topic_partitions}
    if wrong:
        said = ", ".join(f"{name} has {n or 'no'} partitions" for name, n in wrong.items())
        return Check("kafka", False, f"{said} (want {settings.topic_partitions}): start the worker once, "
                     f"which creates them, or check CCKPI_TOPIC_PREFIX")
    return Check("kafka", True, f"{', '.join(found)}: {settings.topic_partitions} partitions each")


def disk_check(settings: Settings, min_free_bytes: int) -> Check:
    path = Path(settings.data_dir)
    while not path.exists():
        path = path.parent
    free = shutil.disk_usage(path).free
    ok = free >= min_free_bytes
    return Check("disk", ok, f"{free / 2**30:.1f} GiB free at {path}" + (
        "" if ok else f", under {min_free_bytes / 2**30:.1f} GiB: free some space or move CCKPI_DATA_DIR"))


def checkpoint_check(path: Path, max_age_s: float, clock: Callable[[], float] = time.time) -> Check:
    """A follower's checkpoint is fresh when it is at its file's end (nothing to send) or saved recently."""
    name = f"checkpoint {path.name}"
    try:
        saved = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        return Check(name, False, f"cannot read {path}: {exc}; is the follower running with this --checkpoint?")
    followed = Path(saved["file"])
    at_end = followed.exists() and followed.stat().st_size == saved["offset"]
    age = clock() - float(saved["saved_at"])
    if at_end or age <= max_age_s:
        return Check(name, True, "at the end of " + str(followed) if at_end else f"saved {age:.0f} s ago")
    return Check(name, False, f"saved {age:.0f} s ago and {followed} has more: the follower of it is stopped "
                 f"or stuck (systemctl status cckpi-follow@{followed.name})")
