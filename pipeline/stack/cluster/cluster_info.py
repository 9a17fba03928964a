"""What a client needs to reach the cluster: the single stack's settings, pointing at several hosts.

The store URLs list every replica (``alt_hosts``), name the ClickHouse cluster
(the schema is created replicated, ``ON CLUSTER``) and ask for quorum writes;
the bootstrap lists every Kafka node; topics get replication factor 3.  The
cluster has no Prometheus or Alertmanager, so their settings are not exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from pipeline.settings import Settings
from pipeline.stack import passwords


@dataclass(frozen=True)
class ClusterInfo:
    root: Path
    clickhouse: tuple[tuple[str, int], ...]  # (host, native port) of each replica
    kafka: tuple[tuple[str, int], ...]
    cluster: str
    database: str
    payroll_database: str
    replication: int
    insert_quorum: int
    passwords: dict[str, str] = field(repr=False)

    def store_url(self, user: str, database: str, host: tuple[str, int] | None = None) -> str:
        """Every replica in one URL; ``host``: that replica alone (a test reads each replica apart)."""
        password = quote(self.passwords[user], safe="")
        (first_host, first_port), *rest = (host,) if host else self.clickhouse
        params = [f"cluster={self.cluster}"]
        if rest:
            params.insert(0, "alt_hosts=" + ",".join(f"{h}:{p}" for h, p in rest))
        if self.insert_quorum > 1:
            # an acknowledged write is on this many replicas: a replica that takes over has every stored state
            params += [f"insert_quorum={self.insert_quorum}", "insert_quorum_timeout=30000"]
        return f"clickhouse://{user}:{password}@{first_host}:{first_port}/{database}?{'&'.join(params)}"

    @property
    def kafka_bootstrap(self) -> str:
        return ",".join(f"{h}:{p}" for h, p in self.kafka)

    def env(self) -> dict[str, str]:
        return {
            "CCKPI_STORE_URL": self.store_url("cckpi_writer", self.database),
            "CCKPI_WALLBOARD_STORE_URL": self.store_url("cckpi_wallboard", self.database),
            "CCKPI_PAYROLL_STORE_URL": self.store_url("cckpi_payroll", self.payroll_database),
            "CCKPI_ADMIN_STORE_URL": self.store_url("cckpi_admin", self.database),
            "CCKPI_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "CCKPI_TOPIC_REPLICATION": str(self.replication),
        }


def cluster_info(settings: Settings) -> ClusterInfo:
    """Describe the cluster folder of ``settings`` (its passwords must exist: `cckpi stack up --cluster`)."""
    stack, cluster = settings.stack, settings.stack.cluster
    root = cluster.dir.expanduser().resolve()
    return ClusterInfo(
        root=root,
        clickhouse=tuple((stack.host, cluster.clickhouse_tcp_port + i)
                         for i in range(cluster.clickhouse_shards * cluster.clickhouse_replicas)),
        kafka=tuple((stack.host, cluster.kafka_port + i) for i in range(cluster.kafka_nodes)),
        cluster=cluster.name, database=stack.database, payroll_database=stack.payroll_database,
        replication=min(3, cluster.kafka_nodes),
        insert_quorum=min(cluster.insert_quorum, cluster.clickhouse_replicas),
        passwords=passwords.load(root / "secrets.env"),
    )
