"""The FreeSWITCH event socket (mod_event_socket, inbound mode): the small part of the protocol a follower needs.

Owned rather than taken from PyPI: the one maintained asyncio client
(``genesis``) pins versions of rich, uvicorn, typer and redis this package
cannot share and brings a web server with it, and the follower around it is
a thread writing a file, not an event loop; the rest are dormant or gevent.

The protocol (docs: "mod_event_socket"): the switch greets with
``Content-Type: auth/request``; the client sends ``auth <password>`` and each
command as one line ended by a blank line; every message is a block of
``Name: value`` headers ended by a blank line, followed by ``Content-Length``
bytes of body when that header is present.  Replies are
``command/reply`` (``Reply-Text: +OK ...`` or ``-ERR ...``), ``api/response``
(the output as body); events subscribed with ``event plain ...`` arrive as
``text/event-plain`` whose body is the event's own headers, values
URL-encoded (UTF-8: Chinese caller names too), then its own body if it has one.
Events that arrive while a command waits for its reply are kept, in order.
"""

from __future__ import annotations

import socket
from collections import deque
from urllib.parse import unquote

Headers = dict[str, str]


class EslError(Exception):
    """The switch refused something or closed the connection; the message says which."""


class EslRefused(EslError):
    """The switch refused the password: retrying cannot help."""


def parse_headers(block: bytes, decode: bool) -> Headers:
    """``Name: value`` lines; values URL-decoded when ``decode`` (event-plain bodies)."""
    headers: Headers = {}
    for line in block.decode("utf-8", errors="replace").split("\n"):
        name, sep, value = line.partition(": ")
        if sep:
            headers[name] = unquote(value.rstrip("\r")) if decode else value.rstrip("\r")
    return headers


class EslConnection:
    """One authenticated inbound connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.events: deque[Headers] = deque()

    @classmethod
    def open(cls, host: str, port: int, password: str, timeout: float = 5.0) -> EslConnection:
        sock = socket.create_connection((host, port), timeout=timeout)
        connection = cls(sock)
        try:
            greeting, _ = connection._next_message(timeout)
            if greeting.get("Content-Type") != "auth/request":
                raise EslError(f"{host}:{port} is not a FreeSWITCH event socket (no auth/request greeting)")
            reply = connection.command(f"auth {password}", timeout)
            if not reply.startswith("+OK"):
                raise EslRefused(f"{host}:{port} refused the password ({reply}): check --password-file against "
                                 "event_socket.conf.xml")
        except BaseException:
            sock.close()
            raise
        return connection

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> EslConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def command(self, line: str, timeout: float = 5.0) -> str:
        """Send one command; its ``Reply-Text`` (events meanwhile are kept for ``read_events``)."""
        self.sock.sendall(line.encode() + b"\n\n")
        while True:
            headers, body = self._next_message(timeout)
            kind = headers.get("Content-Type")
            if kind == "command/reply":
                return headers.get("Reply-Text", "")
            if kind == "api/response":
                return body.decode("utf-8", errors="replace")
            self._keep(headers, body)

    def api(self, command: str, timeout: float = 10.0) -> str:
        """``api <command>``: its output; ``-ERR ...`` outputs are errors."""
        output = self.command(f"api {command}", timeout)
        if output.startswith("-ERR"):
            raise EslError(f"api {command}: {output.strip()}")
        return output

    def read_events(self, timeout: float) -> list[Headers]:
        """Every event that arrived within ``timeout`` (at least one if any came), URL-decoded."""
        if not self.events:
            headers, body = self._next_message(timeout, allow_none=True)
            if headers:
                self._keep(headers, body)
            while (message := self._parse()) is not None:  # the rest of what already arrived
                self._keep(*message)
        found = list(self.events)
        self.events.clear()
        return found

    def _keep(self, headers: Headers, body: bytes) -> None:
        kind = headers.get("Content-Type")
        if kind == "text/event-plain":
            head, _, _rest = body.partition(b"\n\n")
            self.events.append(parse_headers(head, decode=True))
        elif kind == "text/disconnect-notice":
            raise EslError("the switch closed the event socket (disconnect notice)")

    def _parse(self) -> tuple[Headers, bytes] | None:
        end = self.buffer.find(b"\n\n")
        if end < 0:
            return None
        headers = parse_headers(bytes(self.buffer[:end]), decode=False)
        length = headers.get("Content-Length", "0")
        if not length.isdigit():
            raise EslError(f"unreadable Content-Length {length!r} from the switch")
        total = end + 2 + int(length)
        if len(self.buffer) < total:
            return None
        body = bytes(self.buffer[end + 2:total])
        del self.buffer[:total]
        return headers, body

    def _next_message(self, timeout: float, allow_none: bool = False) -> tuple[Headers, bytes]:
        self.sock.settimeout(timeout)
        while (message := self._parse()) is None:
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                if allow_none:
                    return {}, b""
                raise EslError(f"no answer from the switch within {timeout} s") from None
            if not chunk:
                raise EslError("the switch closed the event socket")
            self.buffer += chunk
        return message
