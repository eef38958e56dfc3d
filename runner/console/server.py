"""`runner serve`: the console app on uvicorn. Only a loopback address unless the
caller allows more (the console holds decisions: exposing it is a choice to make
knowingly, behind TLS)."""

from __future__ import annotations

import ipaddress
import logging
import socket
from pathlib import Path

from runner.errors import RunnerError, UsageError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, allow_remote: bool) -> None:
    if not is_loopback(host) and not allow_remote:
        raise UsageError(f"--host {host} is reachable from other machines",
                         "pass --allow-remote to mean it (and put TLS in front), or use 127.0.0.1")


def serve(root: Path | None, host: str, port: int, *, allow_remote: bool = False, tokens_file: Path | None = None,
          tick_interval_s: float = 10.0, log_level: str = "info", on_listening=None) -> None:
    """Run the console until interrupted. Refuses to start without a token to log in with.
    `on_listening(url)` is called once the port is bound (the real port when `port` is 0)."""
    check_bind(host, allow_remote)
    from runner.console import tokens
    from runner.console.context import Console

    console = Console(root or Path.cwd(), tokens_file, tick_interval_s)
    if not tokens.load(console.tokens_file).tokens:  # at start, a broken file is said as it is
        raise RunnerError(f"no access tokens in {console.tokens_file}",  # a state to fix, not a usage error: 4
                          'make one first: runner serve token add --name "Name <email>" --role decider')
    import uvicorn

    from runner.console.app import create_app

    logging.getLogger("runner.console").setLevel(log_level.upper())
    listening = bind(host, port)
    if on_listening is not None:
        bound = host if ":" not in host else f"[{host.strip('[]')}]"
        on_listening(f"http://{bound}:{listening.getsockname()[1]}/")
    config = uvicorn.Config(create_app(console), log_level=log_level, timeout_graceful_shutdown=2,
                            server_header=False, proxy_headers=False)
    try:
        uvicorn.Server(config).run(sockets=[listening])
    except SystemExit as exc:  # uvicorn exits 3 when its start fails: not runner's "paused"
        if exc.code not in (0, None):
            raise RunnerError("the console could not start (its log above says why)", "see docs/console.md") from None
    finally:
        listening.close()


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a port in use is a one-line error (exit 4)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host.strip("[]"), port))
    except OSError as exc:
        listening.close()
        raise RunnerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                          "choose another --port, or stop what uses it") from None
    return listening
