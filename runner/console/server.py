"""`runner serve`: the console app on uvicorn. Only a loopback address unless the
caller allows more (the console holds decisions: exposing it is a choice to make
knowingly, behind TLS)."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

from runner.errors import UsageError

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
          tick_interval_s: float = 10.0, log_level: str = "info") -> None:
    """Run the console until interrupted. Refuses to start without a token to log in with."""
    check_bind(host, allow_remote)
    from runner.console.context import Console

    console = Console(root or Path.cwd(), tokens_file, tick_interval_s)
    if not console.token_file().tokens:
        raise UsageError(f"no access tokens in {console.tokens_file}",
                         'make one first: runner serve token add --name "Name <email>" --role decider')
    import uvicorn

    from runner.console.app import create_app

    logging.getLogger("runner.console").setLevel(log_level.upper())
    uvicorn.run(create_app(console), host=host, port=port, log_level=log_level, timeout_graceful_shutdown=2,
                server_header=False, proxy_headers=False)
