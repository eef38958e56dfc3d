"""The `runner` command: one group, one error boundary that turns errors into a
one-line message and an exit code."""

from __future__ import annotations

import os
import sys

import click

from runner import __version__
from runner.errors import EXIT_BUG, EXIT_CODES, EXIT_INTERRUPTED, EXIT_USAGE, RunnerError

EPILOG = "Exit codes:\n\n\b\n" + "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())


class LazyGroup(click.Group):
    """Subcommand modules are imported only when their command runs, so that
    `runner --help` and `runner gate start` stay fast."""

    COMMANDS = {
        "init": ("runner.cli.init_cmd", "init"),
        "run": ("runner.cli.run_cmd", "run"),
        "gate": ("runner.cli.gate_cmd", "gate"),
        "invocation": ("runner.cli.invocation_cmd", "invocation"),
        "contracts": ("runner.cli.contracts_cmd", "contracts"),
        "tick": ("runner.cli.decide_cmd", "tick"),
        "inbox": ("runner.cli.decide_cmd", "inbox"),
        "patch": ("runner.cli.patch_cmd", "patch"),
        "verify": ("runner.cli.verify_cmd", "verify"),
        "report": ("runner.cli.report_cmd", "report"),
        "doctor": ("runner.cli.doctor_cmd", "doctor"),
        "import": ("runner.cli.import_cmd", "import_group"),
        "render": ("runner.cli.media_cmd", "render"),
        "qc": ("runner.cli.media_cmd", "qc"),
        "recast": ("runner.cli.media_cmd", "recast"),
        "handoff": ("runner.cli.media_cmd", "handoff"),
        "batch": ("runner.cli.batch_cmd", "batch"),
        "worker": ("runner.cli.worker_cmd", "worker"),
        "serve": ("runner.cli.serve_cmd", "serve"),
    }

    def list_commands(self, ctx):
        return sorted(self.COMMANDS)

    def get_command(self, ctx, name):
        if name not in self.COMMANDS:
            return None
        module, attr = self.COMMANDS[name]
        import importlib

        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="runner")
def cli() -> None:
    """Auditable pipelines: every step a gated attempt, hashed, checked and committed to git."""


def main(argv: list[str] | None = None) -> int:
    bad = _unrecordable(sys.argv[1:] if argv is None else argv)
    if bad:  # refused before any path or record sees it
        click.echo(f"error: argument {bad!r} {'contains a NUL byte' if chr(0) in bad else 'is not UTF-8 text'}",
                   err=True)
        click.echo("  hint: records are UTF-8 JSON: give names, paths and values in UTF-8", err=True)
        return EXIT_USAGE
    try:
        result = cli.main(args=argv, prog_name="runner", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except RunnerError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception:  # a bug: keep the traceback, print one line
        import tempfile
        import traceback

        fd, path = tempfile.mkstemp(prefix="runner-crash-", suffix=".log")
        with os.fdopen(fd, "w") as fh:
            fh.write(f"runner {__version__}\nargv: {sys.argv}\n\n{traceback.format_exc()}")
        click.echo(f"error: unexpected bug ({sys.exc_info()[1]!r}); traceback saved to {path}", err=True)
        return EXIT_BUG


def _unrecordable(args: list[str]) -> str | None:
    """The first argument no record could hold: one with a NUL (only an in-process
    caller can pass one) or with bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which no UTF-8 file can store)."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg
        if "\0" in arg:
            return arg
    return None


def entry() -> None:
    sys.exit(main())
