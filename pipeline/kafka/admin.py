"""Create the pipeline's Kafka topics with kafka-python's admin client.

Topics are created by the project, not by broker auto-creation, so that their
partition count and replication factor are settings (docs/design.md section 8:
partitions keyed by contact and queue are the unit of scale-out).
"""

from __future__ import annotations

import time
import warnings

from pipeline.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError


class KafkaAdminError(Exception):
    """A topic could not be created; the message names the topic and the broker."""


def ensure_topics(settings: Settings, names: list[str], timeout_s: float = 30.0, partitions: int | None = None) -> None:
    """Create each topic in ``names`` that does not exist yet (idempotent), with ``partitions`` (default: the setting).

    Names are used as given (callers pass ``settings.topic(...)`` names).  An
    existing topic is left alone even when its partition count differs: Kafka
    cannot shrink partitions and growing them would re-key contacts.  A broker
    that dies under the call (one node of a cluster) is retried through the
    others until ``timeout_s``.
    """
    if not names:
        return
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            _ensure(settings, names, timeout_s, partitions)
            return
        except KafkaError as exc:  # KafkaAdminError is not one: it says what cannot be retried
            if not _retriable(exc) or time.monotonic() > deadline:
                tried = f" (retried for {timeout_s:.0f} s)" if _retriable(exc) else ""
                raise KafkaAdminError(f"creating topics {', '.join(names)} on {settings.kafka_bootstrap} "
                                      f"failed{tried}: {exc}") from None
            time.sleep(1.0)


def _ensure(settings: Settings, names: list[str], timeout_s: float, partitions: int | None) -> None:
    admin = _admin(settings, timeout_s)
    try:
        existing = set(admin.list_topics())
        missing = [name for name in dict.fromkeys(names) if name not in existing]
        if missing:
            new = [NewTopic(name=name, num_partitions=partitions or settings.topic_partitions,
                            replication_factor=settings.topic_replication, topic_configs=_configs(settings, name))
                   for name in missing]
            try:
                admin.create_topics(new, timeout_ms=int(timeout_s * 1000))
            except TopicAlreadyExistsError:
                pass  # a concurrent worker created it first; another create will tell us of real errors
            except KafkaError as exc:
                if _retriable(exc):
                    raise  # a dead broker, a controller moving: ensure_topics tries again through the others
                raise KafkaAdminError(f"creating topics {', '.join(missing)} on {settings.kafka_bootstrap} "
                                      f"failed: {exc}") from None
        _wait_visible(admin, names, settings, timeout_s)
    finally:
        admin.close()


def _retriable(exc: KafkaError) -> bool:
    return isinstance(exc, KafkaConnectionError) or bool(getattr(exc, "retriable", False))


def _configs(settings: Settings, name: str) -> dict[str, str]:
    """The dead-letter topic keeps its records as long as ``retention.dead_letters_days`` says, like the files
    (an existing topic is not changed: docs/operations.md says how); other topics keep the broker's default."""
    days = settings.retention.dead_letters_days
    if name == settings.topic("dead-letter") and days:
        return {"retention.ms": str(days * 86_400_000)}
    return {}


def _admin(settings: Settings, timeout_s: float) -> KafkaAdminClient:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, client_id="cckpi-admin",
                                    request_timeout_ms=max(1000, int(timeout_s * 1000)))
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise KafkaAdminError(f"no Kafka broker answers at {settings.kafka_bootstrap} "
                                      f"(CCKPI_KAFKA_BOOTSTRAP): {exc}") from None
            time.sleep(0.5)


def _wait_visible(admin: KafkaAdminClient, names: list[str], settings: Settings, timeout_s: float) -> None:
    """Creation is asynchronous: wait until the broker's metadata lists every topic."""
    deadline = time.monotonic() + timeout_s
    while True:
        missing = set(names) - set(admin.list_topics())
        if not missing:
            return
        if time.monotonic() > deadline:
            raise KafkaAdminError(f"topics {', '.join(sorted(missing))} not visible on {settings.kafka_bootstrap} "
                                  f"after {timeout_s:.0f} s")
        time.sleep(0.2)
