"""`cckpi doctor`: every check fails once, with its one line, and a healthy embedded store passes.

The users' rights are checked on the real stack's ClickHouse 18.16 (its
users.xml, as `cckpi stack up` writes it): its own users pass, and each
configured URL pointed at a user with other rights fails its line.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pytest
from click.testing import CliRunner

from pipeline import doctor
from pipeline.cli.main import cli
from pipeline.kafka.admin import ensure_topics
from pipeline.settings import load_settings
from pipeline.store.store import Store
from tests.fixtures.stores import fresh_url

if TYPE_CHECKING:
    from pipeline.stack.stack_info import StackInfo


def _doctor(*argv: str, **env: str):
    return CliRunner().invoke(cli, ["doctor", "--no-kafka", *argv], env={"CCKPI_CONFIG": "", **env})


def test_a_healthy_embedded_store_passes_every_check(chdb_dir: Path, tmp_path: Path) -> None:
    url = fresh_url("chdb", chdb_dir)
    Store.open(url)
    result = _doctor("--store", url, "--min-free-gib", "0", CCKPI_DATA_DIR=str(tmp_path))
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines()] == [
        "ok   settings", "ok   store", "ok   migrations", "ok   clock", "ok   disk"]


def test_bad_settings_fail(tmp_path: Path) -> None:
    result = _doctor(CCKPI_TZ="Mars/Phobos", CCKPI_DATA_DIR=str(tmp_path))
    assert result.exit_code == 1 and result.output.startswith("FAIL settings:") and "Mars/Phobos" in result.output


def test_an_unreachable_store_fails(tmp_path: Path) -> None:
    result = _doctor("--store", "clickhouse://nobody:x@127.0.0.1:1/cckpi", CCKPI_DATA_DIR=str(tmp_path))
    assert result.exit_code == 1 and "FAIL store: cannot use ClickHouse at 127.0.0.1:1" in result.output
    assert "FAIL migrations: not checked: the store is unreachable" in result.output


def test_missing_migrations_fail_naming_the_command(chdb_dir: Path, tmp_path: Path) -> None:
    result = _doctor("--store", fresh_url("chdb", chdb_dir), "--min-free-gib", "0", CCKPI_DATA_DIR=str(tmp_path))
    assert result.exit_code == 1 and "FAIL migrations: 0 of" in result.output
    assert "run `cckpi store migrate`" in result.output


def test_a_clock_off_by_more_than_a_second_fails(chdb_dir: Path) -> None:
    url = fresh_url("chdb", chdb_dir)
    Store.open(url)
    checks = doctor.store_check(load_settings(store_url=url), clock=lambda: time.time() + 5)
    clock = next(c for c in checks if c.name == "clock")
    assert not clock.ok and "this machine is +" in clock.detail and "sync both with NTP" in clock.detail


def test_too_little_free_disk_fails(tmp_path: Path) -> None:
    check = doctor.disk_check(load_settings(data_dir=tmp_path / "not" / "made"), min_free_bytes=2**62)
    assert not check.ok and "GiB free at" in check.detail and "free some space" in check.detail


def test_a_stale_checkpoint_of_a_file_with_lines_left_fails_and_one_at_the_end_passes(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("1|a|q|NONE|ENTERQUEUE||100\n" * 3)
    checkpoint = tmp_path / "queue_log.checkpoint"

    def saved(offset: int, age_s: float) -> doctor.Check:
        checkpoint.write_bytes(orjson.dumps({"file": str(log), "offset": offset, "saved_at": time.time() - age_s}))
        return doctor.checkpoint_check(checkpoint, max_age_s=300)

    stale = saved(10, 3600)
    assert not stale.ok and "saved 3600 s ago" in stale.detail and "cckpi-follow@queue_log" in stale.detail
    assert saved(log.stat().st_size, 3600).ok  # idle at the end: nothing to send is not stuck
    assert saved(10, 5).ok  # behind but saving: it is working through the file
    missing = doctor.checkpoint_check(tmp_path / "none", max_age_s=300)
    assert not missing.ok and "cannot read" in missing.detail


@pytest.mark.integration
def test_topics_missing_or_with_other_partitions_fail(stack) -> None:
    settings = load_settings(topic_prefix="doc" + uuid.uuid4().hex[:10])
    missing = doctor.kafka_check(settings)
    assert not missing.ok and "has no partitions" in missing.detail and "start the worker once" in missing.detail
    ensure_topics(settings, [settings.topic("events"), settings.topic("dead-letter")])
    assert doctor.kafka_check(settings).ok


def _stack_doctor(stack: StackInfo, tmp_path: Path, **urls: str):
    """`cckpi doctor` with the stack's users, except those given (CCKPI_..._URL -> URL)."""
    env = {**stack.env(), "CCKPI_DATA_DIR": str(tmp_path), **urls}
    return _doctor("--min-free-gib", "0", **env)


@pytest.mark.integration
def test_the_stacks_own_users_have_their_rights_and_no_more(stack: StackInfo, tmp_path: Path) -> None:
    Store.open(stack.admin_store).close()  # migrated, so that every line passes
    result = _stack_doctor(stack, tmp_path)
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines()] == [
        "ok   settings", "ok   store", "ok   migrations", "ok   clock", "ok   user writer", "ok   user wallboard",
        "ok   user payroll", "ok   disk"]
    assert (f"ok   user wallboard: cckpi_wallboard: may read {stack.database}, may not write {stack.database}, "
            f"may not use table functions, may not read the payroll database {stack.payroll_database}"
            ) in result.output


@pytest.mark.integration
@pytest.mark.parametrize(("setting", "user", "line"), [
    # the payroll user as the wallboard's: it writes, runs url() and reads the payroll database
    ("CCKPI_WALLBOARD_STORE_URL", "cckpi_payroll",
     "FAIL user wallboard: cckpi_payroll may write {db} (give it a profile with readonly=1 in the server's "
     "users.xml); cckpi_payroll may use table functions (readonly=1 in its profile refuses url() and the like in "
     "the server's users.xml); cckpi_payroll may read the payroll database {pay} (only the payroll user may: "
     "take {pay} out of this user's allow_databases in the server's users.xml)"),
    # the admin as the writer: allowed the payroll database
    ("CCKPI_STORE_URL", "cckpi_admin", "FAIL user writer: cckpi_admin may read the payroll database {pay} (only"),
    # the wallboard user as the writer: cannot write
    ("CCKPI_STORE_URL", "cckpi_wallboard", "FAIL user writer: cckpi_wallboard may not write {db} (give it a "
     "profile without readonly and {db} in its allow_databases in the server's users.xml)"),
    # the writer as the payroll user: the payroll database is not its own
    ("CCKPI_PAYROLL_STORE_URL", "cckpi_writer", "FAIL user payroll: cckpi_writer cannot connect: ClickHouse at "),
    # a user the server does not know
    ("CCKPI_WALLBOARD_STORE_URL", "cckpi_nobody", "FAIL user wallboard: cckpi_nobody cannot connect: cannot use "
     "ClickHouse at 127.0.0.1:{port} as cckpi_nobody in database {db}: Code: 192. DB::Exception: Unknown user "
     "cckpi_nobody."),
])
def test_a_user_with_other_rights_fails_its_line(stack: StackInfo, tmp_path: Path, setting: str, user: str,
                                                 line: str) -> None:
    database = stack.payroll_database if setting == "CCKPI_PAYROLL_STORE_URL" else stack.database
    url = (stack.store_url(user, database) if user in stack.passwords else
           stack.store_url("cckpi_wallboard", database).replace("cckpi_wallboard:", f"{user}:"))
    result = _stack_doctor(stack, tmp_path, **{setting: url})
    assert result.exit_code == 1
    expected = line.format(db=stack.database, pay=stack.payroll_database, port=stack.clickhouse_tcp_port)
    assert expected in result.output, result.output
    assert sum(line.startswith("FAIL user") for line in result.output.splitlines()) == 1, result.output
