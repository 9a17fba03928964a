"""``cckpi alerts outbox``: what the relay has not delivered, by robot, without printing a robot's key."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pipeline.alerts.relay.outbox import Outbox
from pipeline.alerts.relay.sender import robot_key
from pipeline.alerts.relay.service import SPOOL_NAME
from pipeline.cli.main import cli
from pipeline.settings import RobotSettings

WECOM = RobotSettings(kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY42")


def _env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "cckpi.toml"
    config.write_text(f'[[alerts.robots]]\nkind = "wecom"\nurl = "{WECOM.url}"\n', encoding="utf-8")
    return {"CCKPI_CONFIG": str(config), "CCKPI_DATA_DIR": str(tmp_path), "COLUMNS": "200"}  # rows unwrapped


def test_no_outbox_yet_is_said_and_nothing_is_created(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["alerts", "outbox"], env=_env(tmp_path))
    assert result.exit_code == 0 and "no relay outbox at" in result.output
    assert not (tmp_path / SPOOL_NAME).exists()


def test_undelivered_messages_are_listed_by_robot_with_their_last_error(tmp_path: Path) -> None:
    box = Outbox(tmp_path / SPOOL_NAME)
    box.add([(robot_key(WECOM), {"msgtype": "markdown"}), ("0123456789abcdef", {"msgtype": "markdown"})], 0)
    pending = box.next_due(robot_key(WECOM), 0)
    assert pending is not None
    box.failed(pending, 1000, "errcode 45009: api freq out of limit")
    box.close()
    result = CliRunner().invoke(cli, ["alerts", "outbox"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert "wecom qyapi.weixin.qq.com" in result.output and "errcode 45009" in result.output
    assert "0123456789abcdef (no longer configured)" in result.output
    assert "2 undelivered messages" in result.output and "KEY42" not in result.output
