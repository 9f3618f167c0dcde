"""The ``stakeplug`` command: demo, audit, validate, explain, adapters, init.

The command line is a thin layer over the application pipeline
(:func:`stakeplug.run_audit`): it parses the arguments, shows progress and
prints what the pipeline returned.  What it adds is what a person at a
terminal and a nightly CI job need: exit codes to act on, errors that say what
is wrong, where and how to fix it in one or two lines, progress on a terminal
and silence in CI logs.

Exit codes (:class:`stakeplug.app.ExitCode`)::

    0  ok
    1  a --fail-on condition was met
    2  usage or config error: nothing was collected and no report written; or
       the task target was refused as public (the report is written, nothing posted)
    3  a source failed or posting failed (and --fail-on source-error was not given)
    4  an internal error (a bug: rerun with --debug and report the traceback)

A source failure takes precedence over ``--fail-on partner-at-risk`` and
``--fail-on opponent``: scores from a partial audit are lower than they
should be, so the job is told that the data was incomplete first.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn

from stakeplug.app import ExitCode
from stakeplug.cli.console import Console, where
from stakeplug.cli.options import UsageError
from stakeplug.cli.parser import build_parser
from stakeplug.errors import AdapterLoadError, AdapterNotFoundError, ConfigError, PrivacyError, TrackerError
from stakeplug.plugins.registry import library_loggers, plugin_loggers
from stakeplug.redact import RedactingFilter, install_redaction
from stakeplug.reports import github_error
from stakeplug.store import StoreError

__all__ = ["EXIT_CONFIG", "EXIT_FAIL_ON", "EXIT_INTERNAL", "EXIT_OK", "EXIT_SOURCE", "main"]

EXIT_OK = ExitCode.OK
EXIT_FAIL_ON = ExitCode.FAIL_ON
EXIT_CONFIG = ExitCode.CONFIG
EXIT_SOURCE = ExitCode.SOURCE
EXIT_INTERNAL = ExitCode.INTERNAL

_CORE_LIBRARIES = ("urllib3",)
"""Libraries of the core's own HTTP stack whose loggers are kept at info and above (debug with --debug)."""
_HANDLER = "stakeplug"
"""The name of the command's stderr handlers, so that running the command again replaces them."""


def _level(args: argparse.Namespace) -> int:
    level = logging.WARNING
    if args.verbose == 1:
        level = logging.INFO
    elif args.verbose and args.verbose > 1:
        level = logging.DEBUG
    if args.debug:
        level = logging.DEBUG
    if args.quiet:
        level = logging.ERROR
    return level


def _setup_logging(args: argparse.Namespace) -> None:
    """One redacting handler on stderr for stakeplug, the installed adapters, their libraries and the rest.

    The adapters' and libraries' logger names come from the registry (entry
    points and distribution metadata), so the core names no plugin.  The
    libraries log at info and above, at debug too with ``--debug`` (urllib3's
    request lines, the ``jira`` package's own records).  The handler also sits
    on the root logger, so a record of any other library (and a warning) is
    redacted too instead of reaching Python's last-resort output.
    """
    level = _level(args)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER)
    handler.setFormatter(logging.Formatter("stakeplug: %(levelname)s: %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    libraries = level if args.debug else max(level, logging.INFO)
    levels = {"stakeplug": level}
    levels.update({name: level for name in plugin_loggers()})
    for name in (*_CORE_LIBRARIES, *library_loggers()):
        levels.setdefault(name, libraries)
    for name, name_level in levels.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(name_level)
        logger.propagate = False
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.get_name() != _HANDLER]
    root.addHandler(handler)
    logging.captureWarnings(True)
    install_redaction(*levels)


_BROKEN_PIPE = 128 + 13
"""The exit code when the output's reader closed the pipe, as for a tool ended by SIGPIPE."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``stakeplug`` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        if exc.code not in (0, None):  # argparse has printed the usage error itself
            github_error(int(ExitCode.CONFIG), "the command line could not be parsed; the job log shows why")
        raise
    if args.command is None:
        parser.print_help(sys.stderr)
        return int(ExitCode.CONFIG)
    console = Console(quiet=args.quiet, debug=args.debug)
    _setup_logging(args)
    func: Callable[[argparse.Namespace, Console], int] = args.func
    try:
        return int(func(args, console))
    except KeyboardInterrupt:
        print("stakeplug: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`stakeplug ... | head`): not an error of ours.
        # Point stdout at nothing so that the final flush stays quiet; exit as a shell tool
        # ended by SIGPIPE does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _BROKEN_PIPE
    except Exception as exc:
        _trace(console)
        what, place, fix, code = _failure(exc)
        console.error(what, place, fix)
        # On a GitHub Actions runner the job gets the same line as an annotation.
        github_error(int(code), console.redact(" — ".join(p for p in (what, place, fix) if p)))
        return int(code)


def _failure(exc: Exception) -> tuple[str, str | None, str | None, ExitCode]:
    """What to say about the error that ended a command (what, where, fix) and its exit code."""
    if isinstance(exc, ConfigError):
        return exc.detail, where(exc), None, ExitCode.CONFIG
    if isinstance(exc, UsageError):
        return str(exc), None, None, ExitCode.CONFIG
    if isinstance(exc, AdapterNotFoundError):
        return str(exc), None, "`stakeplug adapters` lists what is installed", ExitCode.CONFIG
    if isinstance(exc, AdapterLoadError):
        return str(exc), None, "reinstall the plugin or remove it from the config", ExitCode.CONFIG
    if isinstance(exc, PrivacyError):
        return str(exc), "in [tasks]", "set private = true or allow_public = true", ExitCode.CONFIG
    if isinstance(exc, StoreError):
        return str(exc), None, None, ExitCode.CONFIG
    if isinstance(exc, TrackerError):
        return (
            f"{exc.adapter}: {exc}",
            None,
            "check the tracker, the credentials and the config",
            ExitCode.SOURCE,
        )
    return (
        f"internal error: {type(exc).__name__}: {exc}",
        None,
        "this is a bug; rerun with --debug and report the traceback",
        ExitCode.INTERNAL,
    )


def _trace(console: Console) -> None:
    """With --debug, the traceback of the error being handled (redacted)."""
    if console.debug:
        print(console.redact(traceback.format_exc()), file=sys.stderr, end="")


def run() -> NoReturn:
    """Entry point for ``python -m stakeplug``."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
