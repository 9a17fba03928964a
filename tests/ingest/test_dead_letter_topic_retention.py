"""A dead-letter topic the pipeline creates keeps its records for ``retention.dead_letters_days`` (real Kafka)."""

from __future__ import annotations

import uuid
import warnings

import pytest

from pipeline.kafka.admin import ensure_topics
from pipeline.settings import load_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType

pytestmark = pytest.mark.integration


def _retention_ms(bootstrap: str, topic: str) -> str:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="cckpi-test")
    try:
        found = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=None)],
                                       config_filter="all")
        return str(found["topic"][topic]["retention.ms"]["value"])
    finally:
        admin.close()


def test_the_dead_letter_topic_gets_the_settings_days_and_the_events_topic_the_brokers_default(stack) -> None:
    settings = load_settings(kafka_bootstrap=stack.kafka_bootstrap, topic_prefix=f"t{uuid.uuid4().hex[:10]}",
                             retention={"dead_letters_days": 30})
    ensure_topics(settings, [settings.topic("events"), settings.topic("dead-letter")])
    assert _retention_ms(stack.kafka_bootstrap, settings.topic("dead-letter")) == str(30 * 86_400_000)
    assert _retention_ms(stack.kafka_bootstrap, settings.topic("events")) == str(7 * 86_400_000)  # the default
