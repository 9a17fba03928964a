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

from pipeline.kafka.admin import KafkaAdminError
from pipeline.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka import KafkaConsumer, TopicPartition
    from kafka.errors import KafkaError
    from kafka.structs import OffsetAndMetadata


def committed(settings: Settings) -> dict[str, int]:
    """``{"topic:partition": next offset}`` of the worker group on every partition of the events topic.

    A partition the group has not committed yet counts from its beginning:
    by then the restored store may hold none of it, and the group will have
    committed it by the time of the restore, so leaving it out would skip it.
    """
    consumer = _group_client(settings)  # never subscribes: only reads the committed offsets
    try:
        topic = settings.topic("events")
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        beginnings = consumer.beginning_offsets(partitions) if partitions else {}
        found = {tp: consumer.committed(tp) for tp in partitions}
    except KafkaError as exc:
        raise KafkaAdminError(f"reading group {settings.worker_group}'s offsets on {settings.kafka_bootstrap} "
                              f"failed: {exc}") from None
    finally:
        consumer.close()
    return {f"{tp.topic}:{tp.partition}": int(beginnings[tp] if offset is None else offset)
            for tp, offset in found.items()}


def _group_client(settings: Settings) -> KafkaConsumer:
    try:
        return KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=settings.worker_group,
                             enable_auto_commit=False, client_id="cckpi-store")
    except KafkaError as exc:
        raise KafkaAdminError(f"no Kafka broker answers at {settings.kafka_bootstrap} (CCKPI_KAFKA_BOOTSTRAP): "
                              f"{exc}") from None


def set_back(settings: Settings, offsets: dict[str, int]) -> None:
    """Commit ``offsets`` for the worker group (it must have no live member)."""
    if not offsets:
        return
    consumer = _group_client(settings)
    try:
        wanted = {TopicPartition(key.rsplit(":", 1)[0], int(key.rsplit(":", 1)[1])): OffsetAndMetadata(offset, "", -1)
                  for key, offset in offsets.items()}
        consumer.commit(wanted)
    except KafkaError as exc:
        raise KafkaAdminError(f"setting group {settings.worker_group}'s offsets back failed ({exc}): stop every "
                              f"`cckpi worker` of the group first, then restore again") from None
    finally:
        consumer.close()
