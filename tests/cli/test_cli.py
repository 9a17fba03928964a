"""The commands as a user runs them: real processes, one-line errors, identical outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest

from tests.fixtures.cli import CCKPI, run


def test_simulate_replay_report_twice_gives_the_same_json(tmp_path, workdir):
    day = tmp_path / "day.jsonl"
    run("simulate", "--out", str(day), "--contacts", "500", "--seed", "4", env=workdir)
    run("replay", str(day), env=workdir)
    args = ("report", "--from", "2026-11-02", "--to", "2026-11-03", "--by", "queue", "--format", "json")
    first = run(*args, env=workdir).stdout
    run("replay", str(day), env=workdir)
    assert run(*args, env=workdir).stdout == first
    rows = json.loads(first)
    assert {r["queue"] for r in rows} >= {"billing", "webchat"}
    table = run("report", "--from", "2026-11-02", "--to", "2026-11-03", env=workdir).stdout
    assert "billing" in table and "%" in table
    csv_out = run(*args[:-1], "csv", env=workdir).stdout
    assert csv_out.splitlines()[0].startswith("queue,offered,answered")


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("report", "--from", "yesterday", "--to", "2026-11-03"), "--from/--to"),
        (("report", "--from", "2026-11-03", "--to", "2026-11-02"), "--to must be after --from"),
        (("report", "--from", "2026-11-02", "--to", "2026-11-03", "--by", "planet"), "planet"),
        (("report", "--from", "2026-11-02", "--to", "2026-11-03", "--tz", "Mars/Olympus"), "CCKPI_TZ"),
        (("replay", "/no/such/file.jsonl"), "no file"),
        (("report", "--from", "2026-11-02", "--to", "2026-11-03", "--store", "mysql://x"), "chdb://"),
    ],
)
def test_bad_arguments_get_one_line_not_a_traceback(workdir, args, fragment):
    result = run(*args, env=workdir, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr


def test_bad_setting_in_the_environment_names_the_variable(workdir):
    result = run("report", "--from", "2026-11-02", "--to", "2026-11-03",
                 env={**workdir, "CCKPI_TOPIC_PARTITIONS": "zero"}, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "CCKPI_TOPIC_PARTITIONS" in result.stderr


def test_a_short_pseudonym_key_is_a_setting_error_not_a_traceback(tmp_path, workdir):
    day = tmp_path / "day.jsonl"
    run("simulate", "--out", str(day), "--contacts", "5", env=workdir)
    result = run("replay", str(day), env={**workdir, "CCKPI_PSEUDONYM_KEY": "short"}, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "CCKPI_PSEUDONYM_KEY" in result.stderr and "16" in result.stderr


def test_bad_toml_config_names_the_setting(tmp_path, workdir):
    config = tmp_path / "cckpi.toml"
    config.write_text('[queues.billing]\nsl_target = 1.5\n')
    result = run("report", "--from", "2026-11-02", "--to", "2026-11-03", env={**workdir, "CCKPI_CONFIG": str(config)},
                 check=False)
    assert result.returncode == 2 and "queues.billing.sl_target" in result.stderr and "Traceback" not in result.stderr


def test_a_second_process_on_the_embedded_store_gets_a_clear_error(tmp_path, workdir):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; from pipeline.store.store import Store; "
         f"Store.open({workdir['CCKPI_STORE_URL']!r}); print('open', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = run("report", "--from", "2026-11-02", "--to", "2026-11-03", env=workdir, check=False)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert "in use by another process" in result.stderr and "ClickHouse server" in result.stderr
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.integration
def test_clickhouse_server_and_embedded_store_give_identical_reports(tmp_path, workdir):
    from tests.fixtures.stores import fresh_url

    server_url = fresh_url("clickhouse", tmp_path)  # skips when no server is configured
    day = tmp_path / "day.jsonl"
    run("simulate", "--out", str(day), "--contacts", "1500", "--seed", "8", env=workdir)
    outputs = []
    try:
        for url in (workdir["CCKPI_STORE_URL"], server_url):
            env = {**workdir, "CCKPI_STORE_URL": url}
            run("replay", str(day), env=env)
            outputs.append([run("report", "--from", "2026-11-02", "--to", "2026-11-03", "--by", by, "--interval", "1h",
                                "--format", "json", env=env).stdout
                            for by in ("queue", "agent", "queue,interval", "channel")])
    finally:
        from pipeline.store.engine_choice import open_engine

        engine = open_engine(server_url)
        engine.command(f"DROP DATABASE IF EXISTS {engine.database}")
        engine.close()
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][0])


@pytest.mark.integration
def test_live_demo_streams_through_the_worker_to_a_terminal_wallboard(stack):
    from tests.fixtures.ports import free_port

    port = free_port()
    demo = subprocess.Popen([*CCKPI, "demo", "--live", "--duration", "25", "--speed", "600", "--contacts", "4000",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    page = None
    while demo.poll() is None and page is None:  # the same wallboard page as `make demo`, while it runs
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/live", timeout=5) as response:
                page = json.load(response)
        except OSError:
            with pytest.raises(subprocess.TimeoutExpired):
                demo.wait(timeout=0.5)
    stdout, stderr = demo.communicate(timeout=240)
    result = subprocess.CompletedProcess(demo.args, demo.returncode, stdout, stderr)
    assert result.returncode == 0, result.stderr[:3000]
    assert page is not None and "queues" in page and "agent_counts" in page
    assert "live wallboard" in result.stdout
    last_board = result.stdout.rsplit("live wallboard", 1)[1]
    assert any(queue in last_board for queue in ("billing", "support", "sales", "webchat")), last_board
