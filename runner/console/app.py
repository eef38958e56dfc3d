"""The console's ASGI app: the API under /api/v1 (its OpenAPI document at
/api/v1/schema/openapi.json, generated from the same msgspec types), the page at `/`
(plain files shipped in the package: no build step, nothing fetched from elsewhere),
one error boundary (problems.py), request bodies at most MAX_BODY bytes."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Router, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import File
from litestar.static_files import create_static_files_router

from runner import __version__
from runner.console import access, deciding, live, reading
from runner.console.context import Console
from runner.console.problems import HANDLERS

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 1024 * 1024  # a note and a patch; nothing the console takes is larger
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def plain_path(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A NUL byte in a file's path is no file of the page (the file system would refuse it as a bug, 500)."""
    if "\0" in connection.scope["path"]:
        raise NotFoundException("no such file")


@get("/", include_in_schema=False, sync_to_thread=False)
def page() -> File:
    return File(STATIC / "index.html", media_type="text/html",  # Litestar adds "; charset=utf-8"
                content_disposition_type="inline",
                headers=PAGE_HEADERS)


def openapi_config() -> OpenAPIConfig:
    bearer = SecurityScheme(type="http", scheme="bearer", description="a token from `runner serve token add`")
    return OpenAPIConfig(title="runner console", version=__version__, path="/api/v1/schema",
                         render_plugins=[JsonRenderPlugin()], components=Components(security_schemes={"bearer": bearer}),
                         security=[{"bearer": []}],
                         description="Decide gates, read runs and their records. Errors are RFC 9457 problem documents.")


def create_app(console: Console | None) -> Litestar:
    """The app on a console (None: only to describe it, as openapi.py does)."""
    api = Router(path="/api/v1", route_handlers=[
        *access.ROUTES,
        Router(path="/", guards=reading.GUARDS, route_handlers=reading.ROUTES),
        *deciding.ROUTES,
        *live.ROUTES,
    ])
    static = create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False,
                                        guards=[plain_path])
    app = Litestar(route_handlers=[page, static, api], exception_handlers=HANDLERS, openapi_config=openapi_config(),
                   lifespan=[live.running], request_max_body_size=MAX_BODY, debug=False)
    app.state.console = console
    return app
