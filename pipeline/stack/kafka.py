"""Apache Kafka in KRaft mode: jars from Maven Central, run with the machine's Java.

There is no Kafka in Debian or PyPI, so ``pipeline/stack/templates/kafka/pom.xml`` names
``org.apache.kafka:kafka_2.13`` and Maven copies it with its dependencies into
``.stack/kafka/libs-<version>/`` (the jars are cached in ~/.m2 as well, so a
fresh stack folder resolves them offline).
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import uuid
import warnings
from pathlib import Path

from pipeline.stack import process
from pipeline.stack.base import Context, Service
from pipeline.stack.errors import StackError
from pipeline.stack.install import find_command
from pipeline.stack.layout import render, template

MAIN = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"


def libs_dir(ctx: Context) -> Path:
    return ctx.layout.service_dir("kafka") / f"libs-{ctx.stack.kafka_version}"


def resolve_jars(ctx: Context) -> Path:
    """Copy the broker's jars once per version; later calls return at once."""
    target = libs_dir(ctx)
    if (target / ".complete").exists():
        return target
    mvn = find_command("mvn")
    if mvn is None:
        raise StackError("kafka: Maven (mvn) is missing: apt-get install -y maven")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    # Maven needs the POM as a file: the packaged one is copied beside the jars it resolves
    pom = target.with_name("pom.xml")
    pom.parent.mkdir(parents=True, exist_ok=True)
    pom.write_text(template("kafka", "pom.xml").read_text())
    cmd = [mvn, "-q", "-B", "-f", str(pom),
           f"-Dkafka.version={ctx.stack.kafka_version}", "dependency:copy-dependencies",
           f"-DoutputDirectory={partial}"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0 or not any(partial.glob("kafka_2.13-*.jar")):
        lines = [ln for ln in (result.stdout + result.stderr).splitlines() if "ERROR" in ln] or ["no output"]
        raise StackError(f"kafka: Maven could not resolve kafka_2.13:{ctx.stack.kafka_version}: {lines[0][:300]}")
    (partial / ".complete").write_text(ctx.stack.kafka_version + "\n")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (as Uuid.randomUuid)."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):
            return value


def format_storage(ctx: Context, name: str, log: Path, id_file: Path, properties: Path,
                   jvm: tuple[str, ...] | None = None) -> None:
    """KRaft needs a node's log folder formatted with a cluster id before its first start.

    The id is made once into ``id_file``; every node of a cluster reads the same file.
    """
    id_file.parent.mkdir(parents=True, exist_ok=True)
    if not id_file.exists():
        id_file.write_text(cluster_id() + "\n")
    cmd = java_command(ctx, STORAGE_TOOL, "format", "--ignore-formatted", "-t", id_file.read_text().strip(),
                       "-c", str(properties), jvm=jvm)
    result = subprocess.run(cmd, capture_output=True, text=True)
    with open(log, "a") as out:
        out.write(f"==== storage format: {result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise StackError(f"{name}: formatting KRaft storage failed: {last[0][:300]} (log: {log})")


def java_command(ctx: Context, main: str, *args: str, jvm: tuple[str, ...] | None = None,
                 log4j: Path | None = None) -> list[str]:
    """``java`` with the resolved classpath; the config path keeps the stack folder in the cmdline.

    ``jvm``: heap and GC flags (default: the single broker's); ``log4j``: its logging config.
    """
    java = find_command("java")
    if java is None:
        raise StackError("kafka: java is missing: apt-get install -y openjdk-17-jre-headless")
    kdir = ctx.layout.service_dir("kafka")
    flags = jvm if jvm is not None else (f"-Xmx{ctx.stack.kafka_heap_mb}m", "-Xms128m", "-XX:+UseG1GC")
    return [java, *flags, "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{log4j or kdir / 'log4j.properties'}", f"-Dkafka.logs.dir={ctx.layout.logs}",
            "-cp", f"{libs_dir(ctx)}/*", main, *args]


def describes_broker(host: str, port: int, node_id: int | None = None) -> bool:
    """A metadata request to host:port lists at least one broker (or broker ``node_id``): clients can use it."""
    if not process.port_open(host, port):
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaConfigurationError, KafkaError
    try:
        # only configs that kafka-python 2.x and 3.x share
        admin = KafkaAdminClient(bootstrap_servers=f"{host}:{port}", request_timeout_ms=3000, client_id="cckpi-stack")
    except KafkaConfigurationError:
        raise
    except (KafkaError, OSError):
        return False
    try:
        brokers = admin.describe_cluster().get("brokers") or []
        return bool(brokers) if node_id is None else any(b.get("broker_id", b.get("node_id")) == node_id for b in brokers)
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


class Kafka(Service):
    name = "kafka"
    apt = {"java": ("openjdk-17-jre-headless",), "mvn": ("maven",)}

    def ports(self, ctx: Context) -> dict[str, int]:
        return {"kafka_port": ctx.stack.kafka_port, "kafka_controller_port": ctx.stack.kafka_controller_port}

    def listens(self, ctx: Context) -> str:
        return f"{ctx.stack.host}:{ctx.stack.kafka_port} (controller {ctx.stack.kafka_controller_port})"

    def prepare(self, ctx: Context) -> None:
        resolve_jars(ctx)
        kdir = ctx.layout.service_dir("kafka")
        values = {"root": ctx.layout.root, "host": ctx.stack.host, "kafka_port": ctx.stack.kafka_port,
                  "controller_port": ctx.stack.kafka_controller_port, "kafka_version": ctx.stack.kafka_version,
                  "partitions": ctx.settings.topic_partitions}
        render(template("kafka", "server.properties.tmpl"), kdir / "server.properties", values)
        render(template("kafka", "log4j.properties.tmpl"), kdir / "log4j.properties", values)
        if not (kdir / "data" / "meta.properties").exists():
            self._format(ctx, kdir)

    def _format(self, ctx: Context, kdir: Path) -> None:
        format_storage(ctx, self.name, self.log(ctx), kdir / "cluster.id", kdir / "server.properties")

    def command(self, ctx: Context) -> list[str]:
        return java_command(ctx, MAIN, str(ctx.layout.service_dir("kafka") / "server.properties"))

    def ready(self, ctx: Context) -> bool:
        """A metadata request answered with at least one broker: clients can produce now."""
        return describes_broker(ctx.stack.host, ctx.stack.kafka_port)

    def version(self, ctx: Context) -> str:
        """Kafka reports no version over the wire; the broker jar on the classpath names it."""
        jars = sorted(libs_dir(ctx).glob("kafka_2.13-*.jar"))
        return jars[0].name.removeprefix("kafka_2.13-").removesuffix(".jar") if jars else "unknown"
