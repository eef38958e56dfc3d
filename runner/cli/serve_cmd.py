"""`runner serve` (the operator console) and `runner serve token add|list|revoke`."""

from __future__ import annotations

from pathlib import Path

import click

from runner.cli.common import emit_json, err, json_option, repo_option, table

TOKENS_FILE = click.option("--tokens-file", type=click.Path(dir_okay=False, path_type=Path), envvar="RUNNER_TOKENS_FILE",
                           help="The token file. Default: $RUNNER_TOKENS_FILE, else ~/.config/runner/tokens.json.")


@click.group(invoke_without_command=True)
@repo_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8321, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--allow-remote", is_flag=True, help="Allow an address other machines can reach.")
@click.option("--tick-interval", default=10.0, show_default=True, type=click.FloatRange(0),
              help="Seconds between timer runs (deadlines, runs that can go on); 0: only after decisions.")
@TOKENS_FILE
@click.pass_context
def serve(ctx, repo, host, port, allow_remote, tick_interval, tokens_file) -> int:
    """Serve the operator console: the HTTP API under /api/v1 and the page at /."""
    if ctx.invoked_subcommand is not None:
        return 0
    from runner.console.server import check_bind
    from runner.console.server import serve as run_server

    check_bind(host, allow_remote)
    run_server(repo, host, port, allow_remote=allow_remote, tokens_file=tokens_file, tick_interval_s=tick_interval,
               on_listening=lambda url: err(f"runner console on {url} (Ctrl-C stops it)"))
    return 0


@serve.group()
def token() -> None:
    """Access tokens: who may look (viewer) and who may decide (decider)."""


@token.command("add")
@click.option("--name", required=True, help='The person, "Name <email>": recorded as the actor of their decisions.')
@click.option("--role", required=True, type=click.Choice(["viewer", "decider"]), help="What the token may do.")
@TOKENS_FILE
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path),
              help="Valid only for the console of this workspace. Default: any workspace's.")
@json_option
def token_add(name, role, tokens_file, repo, as_json) -> int:
    """Make a token; it is printed once, and only its hash is kept."""
    from runner.console import tokens

    entry, secret = tokens.add(name, role, tokens_file, repo)
    if as_json:
        emit_json({"id": entry.id, "name": entry.name, "role": entry.role, "token": secret})
    else:
        click.echo(secret)
        err(f"token {entry.id} for {entry.name} ({entry.role}); it is shown only now")
    return 0


@token.command("list")
@TOKENS_FILE
@repo_option
@json_option
def token_list(tokens_file, repo, as_json) -> int:
    """The tokens (never the tokens themselves: id, person, role, workspace); with --repo,
    those its console takes."""
    from runner.console import tokens

    found = tokens.listed(tokens_file, repo)
    if as_json:
        emit_json([{"id": t.id, "name": t.name, "role": t.role, "created_at": t.created_at,
                    "workspace": t.workspace} for t in found])
    else:
        table([(t.id, t.name, t.role, t.created_at, t.workspace or "any") for t in found],
              ["ID", "NAME", "ROLE", "CREATED", "WORKSPACE"])
    return 0


@token.command("revoke")
@click.argument("token_id")
@TOKENS_FILE
@repo_option
@json_option
def token_revoke(token_id, tokens_file, repo, as_json) -> int:
    """Revoke a token by its id (with --repo, only one that workspace's console takes): a
    running console refuses it from its next request."""
    from runner.console import tokens

    entry = tokens.revoke(token_id, tokens_file, repo)
    if as_json:
        emit_json({"id": entry.id, "name": entry.name, "role": entry.role, "revoked": True})
    else:
        click.echo(f"revoked {entry.id} ({entry.name}, {entry.role})")
    return 0
