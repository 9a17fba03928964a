"""``[[alerts.robots]]`` in the CCKPI_CONFIG TOML: typed, and a bad robot is one line naming it and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import SettingsError, load_settings


def _load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, robots: str):
    config = tmp_path / "cckpi.toml"
    config.write_text(robots, encoding="utf-8")
    monkeypatch.setenv("CCKPI_CONFIG", str(config))
    return load_settings()


def test_robots_of_each_kind_load_from_the_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _load(tmp_path, monkeypatch, """
[[alerts.robots]]
kind = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
secret = "SEC123"

[[alerts.robots]]
kind = "feishu"
url = "https://open.feishu.cn/open-apis/bot/v2/hook/xyz"
secret = "s3"
lang = "en"

[[alerts.robots]]
kind = "wecom"
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
""")
    assert [(r.kind, r.lang) for r in settings.alerts.robots] == [("dingtalk", None), ("feishu", "en"), ("wecom", None)]
    assert settings.alerts.robots[0].secret == "SEC123"


@pytest.mark.parametrize(("robot", "says"), [
    ('kind = "dingtalk"\nurl = "https://d/x"', "a dingtalk robot needs secret = the robot's signing secret"),
    ('kind = "feishu"\nurl = "https://f/x"', "a feishu robot needs secret"),
    ('kind = "wecom"\nurl = "https://w/x"\nsecret = "s"', "a wecom robot does not sign: remove secret"),
    ('kind = "slack"\nurl = "https://s/x"', "Input should be 'dingtalk', 'feishu' or 'wecom'"),
    ('kind = "wecom"\nurl = "qyapi.weixin.qq.com"', "String should match pattern"),
    ('kind = "wecom"\nurl = "https://w/x"\nlang = "fr"', "Input should be 'zh-CN' or 'en'"),
])
def test_a_bad_robot_is_one_line_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, robot: str,
                                           says: str) -> None:
    with pytest.raises(SettingsError) as raised:
        _load(tmp_path, monkeypatch, f"[[alerts.robots]]\n{robot}\n")
    message = str(raised.value)
    assert "\n" not in message and message.startswith("setting alerts.robots.0") and says in message


def test_the_error_never_repeats_a_secret_or_a_robot_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError) as raised:
        _load(tmp_path, monkeypatch, '[[alerts.robots]]\nkind = "wecom"\nurl = "https://w/send?key=KEY42"\n'
                                     'secret = "SEC-topsecret"\n')
    assert "KEY42" not in str(raised.value) and "topsecret" not in str(raised.value)


def test_robots_come_as_json_from_the_environment_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """How a Kubernetes Secret hands them over (deploy/k8s/secret.example.yaml)."""
    monkeypatch.delenv("CCKPI_CONFIG", raising=False)
    monkeypatch.setenv("CCKPI_ALERTS__ROBOTS", '[{"kind": "wecom", "url": "https://q.example/send?key=k", "lang": "en"}]')
    (robot,) = load_settings().alerts.robots
    assert (robot.kind, robot.url, robot.lang) == ("wecom", "https://q.example/send?key=k", "en")
