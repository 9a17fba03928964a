"""Bring the local stack up and down: install, start in parallel, wait, report.

``up`` is idempotent: a service whose pid file points at a live process of
this stack folder is left alone.  ``down`` stops only such processes.
``cluster=True`` does the same for the several-node stack (``pipeline.stack.cluster``),
which has its own folder and ports and runs beside the single one.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.settings import Settings
from pipeline.stack import install, passwords, process
from pipeline.stack.alertmanager import Alertmanager
from pipeline.stack.base import Context, Service
from pipeline.stack.clickhouse import ClickHouse
from pipeline.stack.errors import StackError
from pipeline.stack.kafka import Kafka
from pipeline.stack.layout import Layout
from pipeline.stack.prometheus import Prometheus

SERVICES: tuple[Service, ...] = (Kafka(), ClickHouse(), Prometheus(), Alertmanager())
NAMES: tuple[str, ...] = tuple(service.name for service in SERVICES)

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Status:
    name: str
    pid: int | None
    listens: str
    log: str
    port: int  # the first port: Kafka's broker, ClickHouse's native TCP, ZooKeeper's client port


def services(settings: Settings, cluster: bool = False) -> tuple[Service, ...]:
    """The single stack's services, or the cluster's processes."""
    if not cluster:
        return SERVICES
    from pipeline.stack.cluster import cluster_services

    return cluster_services(settings.stack.cluster)


def context(settings: Settings, *, create: bool = False, cluster: bool = False) -> Context:
    """The shared context; ``create`` makes the folders and the secrets on first use."""
    layout = Layout(settings.stack.cluster.dir.expanduser().resolve()) if cluster else \
        Layout.from_settings(settings.stack)
    if create:
        layout.make()
        found = passwords.ensure(layout.secrets)
    else:
        found = passwords.load(layout.secrets) if layout.secrets.exists() else {}
    return Context(settings=settings, layout=layout, passwords=found)


def running(ctx: Context, service: Service) -> int | None:
    return process.running_pid(ctx.layout.pid_file(service.name), str(ctx.layout.root))


def status(settings: Settings, cluster: bool = False) -> list[Status]:
    ctx = context(settings, cluster=cluster)
    return [Status(s.name, running(ctx, s), s.listens(ctx), str(s.log(ctx)), next(iter(s.ports(ctx).values())))
            for s in services(settings, cluster)]


def all_running(settings: Settings, cluster: bool = False) -> bool:
    return all(item.pid is not None for item in status(settings, cluster))


def up(settings: Settings, echo: Echo, cluster: bool = False) -> None:
    """Start every service that is not running and wait until each one answers."""
    ctx = context(settings, create=True, cluster=cluster)
    chosen = services(settings, cluster)
    todo = [s for s in chosen if running(ctx, s) is None]
    needs: dict[str, tuple[str, ...]] = {}
    for service in todo:
        needs.update(service.apt)
    installed = install.ensure_packages(needs, ctx.stack.install_missing)
    if installed:
        echo(f"installed Debian packages: {' '.join(installed)}")
    for service in todo:
        for setting, port in service.ports(ctx).items():
            if process.port_open(ctx.stack.host, port):
                raise StackError(f"{service.name}: port {ctx.stack.host}:{port} is taken by a process that this "
                                 f"stack did not start; stop it or set CCKPI_STACK__{setting.upper()}")
    started: dict[str, tuple[subprocess.Popen[bytes], float]] = {}
    for service in todo:
        service.prepare(ctx)
        proc = process.spawn(service.command(ctx), service.log(ctx), ctx.layout.pid_file(service.name),
                             cwd=ctx.layout.service_dir(service.name))
        started[service.name] = (proc, time.monotonic())
    took = _wait(ctx, todo, started)
    for service in chosen:
        service.after_ready(ctx)
        pid = running(ctx, service)
        if service.name in took:
            state = f"started (pid {pid}, ready in {took[service.name]:.1f} s)"
        else:
            state = f"already running (pid {pid})"
        echo(f"{service.name}: {state}, listens on {service.listens(ctx)}, version {service.version(ctx)}")


def _wait(ctx: Context, services: list[Service],
          started: dict[str, tuple[subprocess.Popen[bytes], float]]) -> dict[str, float]:
    """Poll each new service until it answers; fail fast on an early exit, else at the timeout.

    Returns the seconds each service took from its start until it answered.
    """
    deadline = time.monotonic() + ctx.stack.start_timeout_s
    pending = list(services)
    took: dict[str, float] = {}
    while pending:
        for service in list(pending):
            proc = started[service.name][0]
            if proc.poll() is not None:
                _fail(ctx, service, f"exited with code {proc.returncode} while starting")
            if service.ready(ctx):
                pending.remove(service)
                took[service.name] = time.monotonic() - started[service.name][1]
        if pending and time.monotonic() > deadline:
            for service in pending:
                process.kill(started[service.name][0].pid)
            _fail(ctx, pending[0], f"did not answer within {ctx.stack.start_timeout_s:.0f} s "
                                   "(CCKPI_STACK__START_TIMEOUT_S)")
        if pending:
            time.sleep(0.3)
    return took


def _fail(ctx: Context, service: Service, why: str) -> None:
    log = service.log(ctx)
    ctx.layout.pid_file(service.name).unlink(missing_ok=True)
    lines = process.tail(log, 15)
    detail = ("\n  last lines of the log:\n    " + "\n    ".join(lines)) if lines else ""
    raise StackError(f"{service.name} {why}; see {log}{detail}")


def down(settings: Settings, echo: Echo, cluster: bool = False) -> None:
    """Stop the processes this stack folder started and wait until they are gone."""
    ctx = context(settings, cluster=cluster)
    pids: dict[str, int] = {}
    for service in services(settings, cluster):
        pid = running(ctx, service)
        if pid is None:
            echo(f"{service.name}: not running")
        else:
            process.terminate(pid)
            pids[service.name] = pid
    left = process.wait_gone(list(pids.values()), ctx.stack.stop_timeout_s)
    for name, pid in pids.items():
        if pid in left:
            process.kill(pid)
            process.wait_gone([pid], 10)
            echo(f"{name}: killed (pid {pid}) after {ctx.stack.stop_timeout_s:.0f} s without exiting")
        else:
            echo(f"{name}: stopped (pid {pid})")
        ctx.layout.pid_file(name).unlink(missing_ok=True)
