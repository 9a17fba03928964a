"""One node of the KRaft Kafka cluster: broker and controller, formatted with the cluster's one id.

Heap and JIT flags from docs/infra-facts.md keep a node near 300-370 MB RSS;
every node must be formatted with the same cluster id before its first start.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.stack.base import Context, Service
from pipeline.stack.kafka import describes_broker, format_storage, java_command, libs_dir, resolve_jars
from pipeline.stack.kafka import MAIN as KAFKA_MAIN
from pipeline.stack.layout import render, template


def jvm_flags(heap_mb: int) -> tuple[str, ...]:
    """A fixed small heap, the serial GC and the C1 compiler only: less memory and CPU on 2 cores."""
    return (f"-Xmx{heap_mb}m", f"-Xms{heap_mb}m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")


class Node(Service):
    apt = {"java": ("openjdk-17-jre-headless",), "mvn": ("maven",)}

    def __init__(self, node_id: int) -> None:
        self.node_id = node_id
        self.name = f"kafka-{node_id}"

    def port(self, ctx: Context) -> int:
        return ctx.stack.cluster.kafka_port + self.node_id - 1

    def controller_port(self, ctx: Context) -> int:
        return ctx.stack.cluster.kafka_controller_port + self.node_id - 1

    def ports(self, ctx: Context) -> dict[str, int]:
        return {"cluster__kafka_port": self.port(ctx), "cluster__kafka_controller_port": self.controller_port(ctx)}

    def listens(self, ctx: Context) -> str:
        return f"{ctx.stack.host}:{self.port(ctx)} (controller {self.controller_port(ctx)})"

    def prepare(self, ctx: Context) -> None:
        resolve_jars(ctx)
        cluster = ctx.stack.cluster
        ndir = ctx.layout.service_dir(self.name)
        voters = ",".join(f"{i}@{ctx.stack.host}:{cluster.kafka_controller_port + i - 1}"
                          for i in range(1, cluster.kafka_nodes + 1))
        replication = min(3, cluster.kafka_nodes)
        values = {"dir": ndir, "host": ctx.stack.host, "node_id": self.node_id, "nodes": cluster.kafka_nodes,
                  "voters": voters, "kafka_port": self.port(ctx), "controller_port": self.controller_port(ctx),
                  "kafka_version": ctx.stack.kafka_version, "partitions": ctx.settings.topic_partitions,
                  "replication": replication, "min_insync": min(cluster.min_insync_replicas, replication)}
        render(template("kafka", "cluster-node.properties.tmpl"), ndir / "server.properties", values)
        render(template("kafka", "log4j.properties.tmpl"), ctx.layout.service_dir("kafka") / "log4j.properties",
               {"root": ctx.layout.root})
        if not (ndir / "data" / "meta.properties").exists():
            self._format(ctx, ndir)

    def _format(self, ctx: Context, ndir: Path) -> None:
        """Every node formats its log folder with the one cluster id of ``kafka/cluster.id``."""
        format_storage(ctx, self.name, self.log(ctx), ctx.layout.service_dir("kafka") / "cluster.id",
                       ndir / "server.properties", jvm=jvm_flags(128))

    def command(self, ctx: Context) -> list[str]:
        return java_command(ctx, KAFKA_MAIN, str(ctx.layout.service_dir(self.name) / "server.properties"),
                            jvm=jvm_flags(ctx.stack.cluster.kafka_heap_mb))

    def ready(self, ctx: Context) -> bool:
        """This node answers a metadata request that lists itself: it has joined the cluster."""
        return describes_broker(ctx.stack.host, self.port(ctx), self.node_id)

    def version(self, ctx: Context) -> str:
        jars = sorted(libs_dir(ctx).glob("kafka_2.13-*.jar"))
        return jars[0].name.removeprefix("kafka_2.13-").removesuffix(".jar") if jars else "unknown"
