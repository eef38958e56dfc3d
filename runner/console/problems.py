"""The console's one error boundary: every failure becomes an RFC 9457 problem document
with the same one-line message and hint as the CLI, and a status that follows the exit
code. An unexpected exception is logged on the server; the client sees only that it
happened, never a traceback or a path."""

from __future__ import annotations

import logging

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException

from runner.console.types import Problem
from runner.errors import EXIT_PAUSED, GateFailed, LockTimeout, NotFoundError, RunnerError, StateError, UsageError

LOG = logging.getLogger("runner.console")
MEDIA_TYPE = "application/problem+json"

TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
          409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
          500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"}


def status_of(exc: RunnerError) -> int:
    """The HTTP status for an error kind (the CLI's exit code, read for the web)."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, StateError):
        return 409
    if isinstance(exc, LockTimeout):
        return 503
    if isinstance(exc, GateFailed):
        return 422
    if exc.exit_code == EXIT_PAUSED:
        return 202
    if isinstance(exc, UsageError):
        return 400
    return 400  # exit 4: a known error the request caused (bad record, bad patch, ...)


def problem(status: int, detail: str, hint: str | None = None, **extra) -> Response:
    body = Problem(title=TITLES.get(status, "Error"), status=status, detail=detail, hint=hint)
    data = msgspec.to_builtins(body)
    data.update({k: msgspec.to_builtins(v) for k, v in extra.items()})
    return Response(content=data, status_code=status, media_type=MEDIA_TYPE)


def from_runner_error(request: Request, exc: RunnerError) -> Response:
    return problem(status_of(exc), exc.message, exc.hint)


def from_http_error(request: Request, exc: HTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "error")
    extra = getattr(exc, "extra", None)
    hint = None
    if isinstance(extra, list) and extra:  # validation errors: name the first field
        first = extra[0]
        hint = f"{first.get('key') or first.get('source') or 'body'}: {first.get('message')}" \
            if isinstance(first, dict) else str(first)
    headers = getattr(exc, "headers", None)
    response = problem(exc.status_code, detail.splitlines()[0] if detail else "error", hint)
    if headers:
        response.headers.update(headers)
    return response


def from_bug(request: Request, exc: Exception) -> Response:
    LOG.exception("unexpected bug on %s %s", request.method, request.url.path)
    return problem(500, "unexpected bug: the server logged it", "try again; tell the operator if it persists")


HANDLERS = {RunnerError: from_runner_error, HTTPException: from_http_error, Exception: from_bug}
