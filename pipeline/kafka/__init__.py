"""Kafka at the edge: topic administration and the producer (kafka-python).

The worker's consumer is aiokafka under Faust (``pipeline.worker``); everything
that writes to Kafka or creates topics lives here.
"""
