"""The wallboard's ClickHouse user on a real 18.16 server rendered from the stack's own users.xml template.

A private server (its own folder and ports) so the check does not depend on
when the session's stack was started: the wallboard user must read, and be
refused writes, DDL and table functions such as ``url()`` (which made the
server fetch any address for it under readonly=2); and ``cckpi serve``'s
reader, which sends no query settings, must work as that user.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from clickhouse_driver import Client
from clickhouse_driver.errors import ServerException

from pipeline.core.intervals import parse_instant
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import load_settings
from pipeline.stack import passwords, process
from pipeline.stack.base import Context
from pipeline.stack.clickhouse import ClickHouse
from pipeline.stack.install import find_command
from pipeline.stack.layout import Layout
from pipeline.cli.serve import open_reader
from pipeline.store.store import Store
from pipeline.web.board import live_board
from tests.web.conftest import NOW_MS, load_morning
from tests.fixtures.ports import free_port

pytestmark = [pytest.mark.integration, pytest.mark.skipif(find_command("clickhouse-server") is None,
                                                          reason="clickhouse-server is not installed")]
READONLY = 164


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    root = tmp_path_factory.mktemp("ch")
    settings = load_settings(stack={"dir": root, "clickhouse_tcp_port": free_port(),
                                    "clickhouse_http_port": free_port(), "database": "cckpi"})
    layout = Layout.from_settings(settings.stack)
    layout.make()
    ctx = Context(settings=settings, layout=layout, passwords=passwords.ensure(layout.secrets))
    service = ClickHouse()
    service.prepare(ctx)
    proc = process.spawn(service.command(ctx), service.log(ctx), layout.pid_file(service.name),
                         cwd=layout.service_dir(service.name))
    try:
        for _ in range(600):
            if service.ready(ctx):
                break
            with pytest.raises(subprocess.TimeoutExpired):  # still starting (a dead server fails here)
                proc.wait(timeout=0.1)
        else:
            pytest.fail(f"private ClickHouse did not start: {process.tail(service.log(ctx))}")
        service.after_ready(ctx)
        yield ctx
    finally:
        process.terminate(proc.pid)
        if process.wait_gone([proc.pid], 30):
            process.kill(proc.pid)


def url(ctx: Context, user: str) -> str:
    return f"clickhouse://{user}:{ctx.passwords[user]}@127.0.0.1:{ctx.stack.clickhouse_tcp_port}/cckpi"


def client(ctx: Context, user: str) -> Client:
    return Client("127.0.0.1", port=ctx.stack.clickhouse_tcp_port, user=user, password=ctx.passwords[user],
                  database="cckpi")


@pytest.mark.parametrize("table_function", [
    "url('http://127.0.0.1:{port}/', CSV, 'a String')",
    "file('users.xml', CSV, 'a String')",
    "remote('127.0.0.1:{port}', system.one)",
    "numbers(3)",
])
def test_table_functions_are_refused_to_the_wallboard_user(server, table_function):
    sql = f"SELECT * FROM {table_function.format(port=server.stack.clickhouse_http_port)} LIMIT 1"
    with pytest.raises(ServerException) as refused:
        client(server, "cckpi_wallboard").execute(sql)
    assert refused.value.code == READONLY and "Table functions are forbidden" in refused.value.message


def test_the_wallboard_user_reads_but_cannot_write_or_change_settings(server):
    writer = Store.open(url(server, "cckpi_writer"))
    load_morning(writer)
    wallboard = client(server, "cckpi_wallboard")
    assert wallboard.execute("SELECT count() FROM contact_facts FINAL") == [(8,)]
    for sql in ("INSERT INTO contact_offers (offered_ms, contact_id) VALUES", "CREATE TABLE x (n UInt8) ENGINE = Memory"):
        with pytest.raises(ServerException) as refused:
            wallboard.execute(sql, [(1, "x")] if "INSERT" in sql else None)
        assert refused.value.code == READONLY
    with pytest.raises(ServerException) as refused:  # nor can it lower its own readonly level
        wallboard.execute(f"SELECT * FROM url('http://127.0.0.1:{server.stack.clickhouse_http_port}/', CSV, "
                          "'a String')", settings={"readonly": 0})
    assert refused.value.code == READONLY


def test_cckpi_serve_reads_the_live_board_as_the_wallboard_user(server):
    reader = open_reader(url(server, "cckpi_wallboard"))
    board = live_board(reader, load_settings(tz="Asia/Shanghai"), NOW_MS)
    assert {q["queue"]: q["waiting"] for q in board["queues"]} == {"billing": 1, "sales": 0}


def test_the_wallboard_user_lays_agent_time_without_keeping_it(server):
    # agent time is kept a day at a time (agent_time_blocks) by whoever reads it; readonly=1 may not keep
    # it, so the wallboard lays what it reads and gets the writer's numbers
    writer = Store.open(url(server, "cckpi_writer"))
    load_morning(writer)
    settings = load_settings(tz="Asia/Shanghai")
    request = ReportRequest(parse_instant("2026-11-01", settings.zone), parse_instant("2026-12-01", settings.zone),
                            by=("agent",))
    kept = f"SELECT count() AS n FROM {writer.db}.agent_time_blocks"
    before = writer.engine.query(kept)["n"]
    from_wallboard = build_report(open_reader(url(server, "cckpi_wallboard")), request, settings)
    assert writer.engine.query(kept)["n"] == before
    from_writer = build_report(writer, request, settings)
    assert writer.engine.query(kept)["n"][0] > before[0]
    assert from_wallboard == from_writer
    assert any(row["logged_in_s"] for row in from_writer)
