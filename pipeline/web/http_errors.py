"""Errors as one-line JSON: a bad parameter 400 naming it, a store problem 503, anything else 500 and a log line."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.store.engines import StoreError
from pipeline.web.params import BadParameter

log = logging.getLogger("cckpi.web")


async def _bad_parameter(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadParameter)
    return JSONResponse({"error": str(exc), "parameter": exc.parameter}, status_code=400)


async def _store_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc)}, status_code=503)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    return JSONResponse({"error": f"internal error ({type(exc).__name__}); the server log has the details"},
                        status_code=500)


EXCEPTION_HANDLERS = {BadParameter: _bad_parameter, StoreError: _store_error, HTTPException: _http_error,
                      Exception: _internal_error}
