"""What every request passes before a handler sees it, and what every response carries.

- The body cap is Starlette's own (``Starlette(max_body_size=...)``, from
  ``serve_limits.max_body_bytes``): 413 by the Content-Length before the body
  is read, or by counting a chunked one as it arrives.
- Host names: only the loopback names, the ``--host`` address and
  ``serve_allowed_hosts`` (``HostAllowlist``: Starlette's TrustedHostMiddleware,
  400 otherwise), so a page on another site that rebinds its DNS name to
  127.0.0.1 cannot read the contacts through the user's browser. ``/healthz``
  answers any Host: it tells nothing, and Kubernetes probes by the pod's IP.
- ``SecurityHeaders``: a CSP that allows only the app's own scripts and style
  sheets (no inline script, no ``<style>``, style attributes only for the
  chart library; no framing), ``nosniff``, ``X-Frame-Options``,
  no referrer, and ``Cache-Control: no-store`` on everything under ``/api/``
  (contacts and scorecards must not stay in a shared browser's cache). Pure
  ASGI, so the headers reach streamed exports too.
"""

from __future__ import annotations

import ipaddress

from starlette.datastructures import MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
# style-src-attr: ECharts positions its tooltip and chart layers with style attributes (64 refusals in the
# interval page's test without it); <style> elements and every inline script stay refused
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PAGE_HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "x-frame-options": "DENY",
                "referrer-policy": "no-referrer"}
PRIVATE_PREFIXES = ("/api/",)


def allowed_hosts(configured: list[str], bind_host: str | None = None) -> list[str]:
    """The Host names the app answers: loopback, the address it listens on (unless a wildcard), the configured."""
    hosts = [*LOOPBACK_HOSTS, *configured]
    if bind_host and not _is_wildcard(bind_host):
        hosts.append(f"[{bind_host}]" if ":" in bind_host else bind_host)
    return list(dict.fromkeys(hosts))


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


class HostAllowlist(TrustedHostMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(PRIVATE_PREFIXES)

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PAGE_HEADERS.items():
                    headers[name] = value
                if private:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, headed)
