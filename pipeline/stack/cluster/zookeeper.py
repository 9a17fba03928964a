"""ZooKeeper 3.8 for the ClickHouse replicas, run from the jars Kafka's Maven dependencies bring.

Kafka 3.9 still depends on ``zookeeper-3.8.x.jar`` (for its migration tools),
so the cluster needs no Debian package for it, and 3.8 is what ClickHouse
18.16's client accepts (3.9's handshake is rejected, docs/infra-facts.md).
"""

from __future__ import annotations

import socket

from pipeline.stack.base import Context, Service
from pipeline.stack.kafka import java_command, resolve_jars
from pipeline.stack.layout import render, template

MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain"


def four_letter(host: str, port: int, word: str = "srvr", timeout_s: float = 1.0) -> str:
    """ZooKeeper's answer to a four-letter command ('' when it does not answer)."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            sock.sendall(word.encode())
            chunks = []
            while chunk := sock.recv(4096):
                chunks.append(chunk)
            return b"".join(chunks).decode(errors="replace")
    except OSError:
        return ""


class ZooKeeper(Service):
    name = "zookeeper"
    apt = {"java": ("openjdk-17-jre-headless",), "mvn": ("maven",)}

    def ports(self, ctx: Context) -> dict[str, int]:
        return {"cluster__zookeeper_port": ctx.stack.cluster.zookeeper_port}

    def prepare(self, ctx: Context) -> None:
        resolve_jars(ctx)
        zdir = ctx.layout.service_dir(self.name)
        (zdir / "data").mkdir(parents=True, exist_ok=True)
        render(template("zookeeper", "zoo.cfg.tmpl"), zdir / "zoo.cfg",
               {"dir": zdir, "host": ctx.stack.host, "port": ctx.stack.cluster.zookeeper_port})
        render(template("kafka", "log4j.properties.tmpl"), ctx.layout.service_dir("kafka") / "log4j.properties",
               {"root": ctx.layout.root})

    def command(self, ctx: Context) -> list[str]:
        return java_command(ctx, MAIN, str(ctx.layout.service_dir(self.name) / "zoo.cfg"),
                            jvm=("-Xmx128m", "-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"))

    def ready(self, ctx: Context) -> bool:
        """``srvr`` answers with the server's mode once it serves clients."""
        return "Mode:" in four_letter(ctx.stack.host, ctx.stack.cluster.zookeeper_port)

    def version(self, ctx: Context) -> str:
        first = four_letter(ctx.stack.host, ctx.stack.cluster.zookeeper_port).splitlines()[:1]
        return first[0].removeprefix("Zookeeper version: ").split("-")[0] if first else "unknown"
