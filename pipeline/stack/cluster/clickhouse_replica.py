"""One ClickHouse 18.16 server of the cluster (a replica of a shard): the single server's config plus ``config.d``.

The extra file names ZooKeeper (with the short session timeout a restarted
replica needs to rejoin in seconds), the ``shard``/``replica`` macros that
``ReplicatedReplacingMergeTree`` paths use, the cluster in ``remote_servers``
and the ``distributed_ddl`` queue of ``ON CLUSTER`` statements.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from pipeline.stack.base import Context
from pipeline.stack.clickhouse import ClickHouse
from pipeline.stack.layout import render, template


class Replica(ClickHouse):
    def __init__(self, index: int) -> None:
        self.index = index
        self.name = f"clickhouse-{index}"

    def tcp_port(self, ctx: Context) -> int:
        return ctx.stack.cluster.clickhouse_tcp_port + self.index - 1

    def http_port(self, ctx: Context) -> int:
        return ctx.stack.cluster.clickhouse_http_port + self.index - 1

    def ports(self, ctx: Context) -> dict[str, int]:
        cluster = ctx.stack.cluster
        return {"cluster__clickhouse_tcp_port": self.tcp_port(ctx),
                "cluster__clickhouse_http_port": self.http_port(ctx),
                "cluster__clickhouse_interserver_port": cluster.clickhouse_interserver_port + self.index - 1}

    def prepare(self, ctx: Context) -> None:
        super().prepare(ctx)
        cluster = ctx.stack.cluster
        password = escape(ctx.passwords["cckpi_admin"])
        per_shard = cluster.clickhouse_replicas
        shards = "\n".join(
            "            <shard>\n                <internal_replication>true</internal_replication>\n"
            + "\n".join(f"                <replica><host>{ctx.stack.host}</host>"
                        f"<port>{cluster.clickhouse_tcp_port + shard * per_shard + i}</port>"
                        f"<user>cckpi_admin</user><password>{password}</password></replica>"
                        for i in range(per_shard))
            + "\n            </shard>"
            for shard in range(cluster.clickhouse_shards))
        values = {"dir": ctx.layout.service_dir(self.name), "host": ctx.stack.host, "replica": self.name,
                  "shard": (self.index - 1) // per_shard + 1,
                  "cluster": cluster.name, "shards": shards, "zookeeper_port": cluster.zookeeper_port,
                  "session_timeout_ms": cluster.zookeeper_session_timeout_ms,
                  "interserver_port": cluster.clickhouse_interserver_port + self.index - 1}
        render(template("clickhouse", "cluster.xml.tmpl"), ctx.layout.service_dir(self.name) / "config.d" / "cluster.xml",
               values, mode=0o600)
