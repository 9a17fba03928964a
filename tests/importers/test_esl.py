"""The event-socket client against the test server: auth, command/reply, api/response, event-plain framing."""

from __future__ import annotations

import pytest

from pipeline.importers.esl import EslConnection, EslError, parse_headers
from tests.fixtures import freeswitch as fs
from tests.fixtures.esl_server import EslServer


def _read_all(esl: EslConnection, n: int) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for _ in range(200):
        found += esl.read_events(0.1)
        if len(found) >= n:
            break
    return found


@pytest.mark.parametrize("chunk", [0, 1, 7])
def test_auth_subscribe_api_and_events_url_decoded_across_any_read_boundaries(chunk: int) -> None:
    events = fs.esl_events()[:12]
    server = EslServer("ClueCon", events, agent_list=fs.AGENT_LIST, chunk=chunk)
    try:
        with EslConnection.open("127.0.0.1", server.port, "ClueCon") as esl:
            assert esl.command("event plain CUSTOM callcenter::info").startswith("+OK")
            # events start flowing now; the api reply still comes back whole, the events are kept
            assert esl.api("callcenter_config agent list") == fs.AGENT_LIST
            got = _read_all(esl, len(events))
        assert got == events  # every header, values URL-decoded: 售后@default, 张三, callcenter::info
        assert got[4]["CC-Queue"] == "售后@default" and got[4]["Event-Subclass"] == "callcenter::info"
        assert server.commands[0][:3] == ["auth ClueCon", "event plain CUSTOM callcenter::info",
                                          "api callcenter_config agent list"]
    finally:
        server.close()


def test_a_wrong_password_is_one_clear_error() -> None:
    server = EslServer("ClueCon", [])
    try:
        with pytest.raises(EslError, match="refused the password"):
            EslConnection.open("127.0.0.1", server.port, "wrong")
    finally:
        server.close()


def test_an_api_error_and_a_closed_socket_are_errors() -> None:
    server = EslServer("ClueCon", [])
    try:
        with EslConnection.open("127.0.0.1", server.port, "ClueCon") as esl:
            with pytest.raises(EslError, match="api nonsense"):
                esl.api("nonsense")
        server.close()
    finally:
        server.close()


def test_plain_values_decode_as_utf8_and_keep_colons() -> None:
    block = b"CC-Member-CID-Name: %E5%BC%A0%E4%B8%89\nEvent-Subclass: callcenter%3A%3Ainfo\nX: a: b"
    assert parse_headers(block, decode=True) == {"CC-Member-CID-Name": "张三", "Event-Subclass": "callcenter::info",
                                                 "X": "a: b"}
