"""The several-node stack of ``cckpi stack up --cluster`` (docs/scale-out.md).

On loopback, beside the single-node stack (own folder ``.stack-cluster/`` and
29xxx ports): ZooKeeper, ClickHouse replicas of one shard and a KRaft Kafka
cluster whose nodes are each broker and controller.  Every process is a
``Service`` like the single stack's, so ``manager`` starts, checks and stops
them the same way, and ``up`` again restarts only the ones that are down.
"""

from __future__ import annotations

from pipeline.settings import ClusterSettings
from pipeline.stack.base import Service
from pipeline.stack.cluster.clickhouse_replica import Replica
from pipeline.stack.cluster.kafka_node import Node
from pipeline.stack.cluster.zookeeper import ZooKeeper


def cluster_services(cluster: ClusterSettings) -> tuple[Service, ...]:
    """ZooKeeper, the ClickHouse servers (shard by shard), the Kafka nodes: zookeeper, clickhouse-N, kafka-N."""
    return (ZooKeeper(),
            *(Replica(i) for i in range(1, cluster.clickhouse_shards * cluster.clickhouse_replicas + 1)),
            *(Node(i) for i in range(1, cluster.kafka_nodes + 1)))


__all__ = ["cluster_services"]
