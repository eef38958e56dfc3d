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


MAX_TEXT = 500  # a detail or hint that echoes a hostile request is cut here


class ConsoleUnavailable(RunnerError):
    """The server cannot answer now (its token file is unreadable): 503; the cause,
    which names files of the server's machine, is in the server's log only."""


def status_of(exc: RunnerError) -> int:
    """The HTTP status for an error kind (the CLI's exit code, read for the web)."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, StateError):
        return 409
    if isinstance(exc, (LockTimeout, ConsoleUnavailable)):
        return 503
    if isinstance(exc, GateFailed):
        return 422
    if exc.exit_code == EXIT_PAUSED:
        return 202
    if isinstance(exc, UsageError):
        return 400
    return 400  # exit 4: a known error the request caused (bad record, bad patch, ...)


def _cut(text: str | None) -> str | None:
    return text if text is None or len(text) <= MAX_TEXT else text[:MAX_TEXT] + "..."


def problem(status: int, detail: str, hint: str | None = None, **extra) -> Response:
    body = Problem(title=TITLES.get(status, "Error"), status=status, detail=_cut(detail), hint=_cut(hint))
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
        if isinstance(first, dict) and first.get("source") == "body" and first.get("message") == "'data'":
            hint = "the request needs a JSON object as its body (Content-Type: application/json)"
    headers = getattr(exc, "headers", None)
    response = problem(exc.status_code, detail.splitlines()[0] if detail else "error", hint)
    if headers:
        response.headers.update(headers)
    return response


def from_bug(request: Request, exc: Exception) -> Response:
    LOG.exception("unexpected bug on %s %s", request.method, request.url.path)
    return problem(500, "unexpected bug: the server logged it", "try again; tell the operator if it persists")


def from_deep_body(request: Request, exc: RecursionError) -> Response:
    """msgspec gives up on a body nested thousands of levels deep: the request's fault."""
    LOG.warning("a request body nested too deeply on %s %s", request.method, request.url.path)
    return problem(400, "the request body nests too deeply", "send JSON nested at most a few hundred levels")


HANDLERS = {RunnerError: from_runner_error, HTTPException: from_http_error, RecursionError: from_deep_body,
            Exception: from_bug}
