"""Who is asking, and may they. An API client sends `Authorization: Bearer <token>`;
the page logs in once (POST /api/v1/session) and then carries the token in an HttpOnly,
SameSite=Strict cookie. A change asked with that cookie must also carry the session's
CSRF token (header X-CSRF-Token), an HMAC of the cookie under this server's secret: a
page of another site can make the browser send the cookie, never read the CSRF token.
A bearer token is never sent by a browser on its own, so it needs none."""

from __future__ import annotations

import hashlib
import hmac

from litestar import Request, delete, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import JSONBody
from litestar.response import Response

from runner.console.context import Console
from runner.console.tokens import Token
from runner.console.types import LoginIn, SessionOut

COOKIE = "runner_session"
CSRF_HEADER = "x-csrf-token"
SAFE = {"GET", "HEAD", "OPTIONS"}
RANK = {"viewer": 1, "decider": 2}


def console_of(connection: ASGIConnection) -> Console:
    return connection.app.state.console


def csrf_for(console: Console, token: str) -> str:
    return hmac.new(console.secret, token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _credentials(connection: ASGIConnection) -> tuple[str | None, bool]:
    """(the token presented, whether it came in the cookie)."""
    header = connection.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip(), False
    cookie = connection.cookies.get(COOKIE)
    return (cookie, True) if cookie else (None, False)


def identify(connection: ASGIConnection) -> Token:
    console = console_of(connection)
    token, from_cookie = _credentials(connection)
    if not token:
        raise NotAuthorizedException("no token: send `Authorization: Bearer <token>` or log in on the page",
                                     headers={"WWW-Authenticate": "Bearer"})
    who = console.authenticate(token)
    if who is None:
        raise NotAuthorizedException("unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    if from_cookie and connection.scope["method"] not in SAFE:
        sent = connection.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), csrf_for(console, token).encode()):
            raise PermissionDeniedException("missing or wrong CSRF token: reload the page and try again")
    connection.scope.setdefault("state", {})["who"] = who
    return who


def viewer(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    identify(connection)


def decider(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    who = identify(connection)
    if RANK[who.role] < RANK["decider"]:
        raise PermissionDeniedException(f"{who.name} holds a viewer token; deciding needs a decider token")


def who(request: Request) -> Token:
    return request.scope["state"]["who"]


@post("/session", sync_to_thread=False, status_code=200, summary="Log in: the token is kept in an HttpOnly cookie")
def login(request: Request, data: JSONBody[LoginIn]) -> Response[SessionOut]:
    console = console_of(request)
    found = console.authenticate(data.token)
    if found is None:
        raise NotAuthorizedException("unknown or revoked token")
    body = SessionOut(name=found.name, role=found.role, csrf=csrf_for(console, data.token))
    response = Response(body)
    response.set_cookie(COOKIE, data.token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return response


@get("/session", sync_to_thread=False, guards=[viewer], summary="Who the session is, and its CSRF token")
def session(request: Request) -> SessionOut:
    token, _ = _credentials(request)
    found = who(request)
    return SessionOut(name=found.name, role=found.role, csrf=csrf_for(console_of(request), token or ""))


@delete("/session", sync_to_thread=False, status_code=204, summary="Log out",
        response_cookies=[Cookie(key=COOKIE, value="", max_age=0, path="/", httponly=True, samesite="strict")])
def logout() -> None:
    return None


ROUTES = [login, session, logout]
