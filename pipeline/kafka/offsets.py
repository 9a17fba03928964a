"""The worker group's committed offsets on the events topic: noted by a backup, set back by a restore.

A backup notes them before it reads any table: every message before them
was stored by then (the worker commits only after the store returned).  A
restore sets the group back to them, so the restarted worker reads again
what the backup may lack; the store's writes are idempotent, so nothing is
doubled.  Kafka accepts offsets for a group only while no member is in it:
the workers must be stopped for a restore.
"""

from __future__ import annotations

import warnings

from pipeline.kafka.admin import KafkaAdminError, _admin
from pipeline.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka import KafkaConsumer, TopicPartition
    from kafka.errors import KafkaError
    from kafka.structs import OffsetAndMetadata


def committed(settings: Settings, timeout_s: float = 15.0) -> dict[str, int]:
    """``{"topic:partition": next offset}`` of the worker group on the events topic (empty: nothing committed)."""
    admin = _admin(settings, timeout_s)
    try:
        found = admin.list_consumer_group_offsets(settings.worker_group)
    except KafkaError as exc:
        raise KafkaAdminError(f"reading group {settings.worker_group}'s offsets on {settings.kafka_bootstrap} "
                              f"failed: {exc}") from None
    finally:
        admin.close()
    events = settings.topic("events")
    return {f"{tp.topic}:{tp.partition}": int(meta.offset) for tp, meta in sorted(found.items())
            if tp.topic == events and meta.offset >= 0}


def set_back(settings: Settings, offsets: dict[str, int]) -> None:
    """Commit ``offsets`` for the worker group (it must have no live member)."""
    if not offsets:
        return
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=settings.worker_group,
                             enable_auto_commit=False, client_id="cckpi-restore")
    try:
        wanted = {TopicPartition(key.rsplit(":", 1)[0], int(key.rsplit(":", 1)[1])): OffsetAndMetadata(offset, "", -1)
                  for key, offset in offsets.items()}
        consumer.commit(wanted)
    except KafkaError as exc:
        raise KafkaAdminError(f"setting group {settings.worker_group}'s offsets back failed ({exc}): stop every "
                              f"`cckpi worker` of the group first, then restore again") from None
    finally:
        consumer.close()
