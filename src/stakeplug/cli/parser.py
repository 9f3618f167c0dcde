"""The argument parser of the ``stakeplug`` command: one function per subcommand."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from stakeplug._version import __version__
from stakeplug.app import FAIL_ON, ExitCode
from stakeplug.cli.commands import cmd_adapters, cmd_audit, cmd_demo, cmd_explain, cmd_init, cmd_validate
from stakeplug.cli.console import Console
from stakeplug.cli.options import fail_on_list, format_list
from stakeplug.cli.store_cmd import cmd_history, cmd_store

__all__ = ["DEFAULT_CONFIG", "DEFAULT_OUT", "build_parser"]

DEFAULT_CONFIG = "stakeplug.toml"
DEFAULT_OUT = "stakeplug-report"

Command = Callable[[argparse.Namespace, Console], int]


class _Parser(argparse.ArgumentParser):
    """argparse with our error format: one line naming the option and the fix, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.CONFIG, f"stakeplug: error: {message} — see `{self.prog} --help`\n")


def _add_common(p: argparse.ArgumentParser, *, top: bool) -> None:
    # Subcommands repeat the global options with SUPPRESS defaults, so `stakeplug audit -v`
    # and `stakeplug -v audit` both work and neither overwrites the other.
    g = p.add_argument_group("output and logging")
    g.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if top else argparse.SUPPRESS,
        help="log more (-v info, -vv debug)",
    )
    g.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="print only errors and the command's result",
    )
    g.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="debug logging, and a traceback on errors",
    )


def _add_window(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--since",
        metavar="WHEN",
        help="start of the window: 2026-06-01, an ISO time, or a span before --until like 90d "
        "(default: until minus [project] lookback_days)",
    )
    p.add_argument("--until", metavar="WHEN", help="end of the window, exclusive (default: now)")


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        default=DEFAULT_CONFIG,
        help=f"the config file (default: ./{DEFAULT_CONFIG})",
    )


def _add_no_store(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-store",
        action="store_true",
        help="a stateless run: neither read nor write the [store] (collects everything afresh)",
    )


def _add_reports(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        type=format_list,
        default=["md", "json"],
        metavar="LIST",
        help="report formats, comma-separated: md, json, html, csv (default: md,json)",
    )
    p.add_argument(
        "--out", metavar="DIR", default=DEFAULT_OUT, help=f"report folder (default: ./{DEFAULT_OUT})"
    )


def _command(
    sub: argparse._SubParsersAction[_Parser],
    name: str,
    func: Command,
    *,
    help: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    """A subcommand with its help texts and its function (build_parser adds the shared options)."""
    p = sub.add_parser(
        name,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help=help,
        description=description,
        epilog=epilog,
    )
    p.set_defaults(func=func)
    return p


def _demo(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = _command(
        sub,
        "demo",
        cmd_demo,
        help="run the whole pipeline on a bundled example project (offline)",
        description="Run the whole pipeline on a bundled example project: 12 stakeholders and "
        "six months of activity from Jira, GitHub, mail and a Trello board export. No network, "
        "no credentials.",
        epilog="example:\n  stakeplug demo --out /tmp/demo-report",
    )
    p.add_argument(
        "--out", metavar="DIR", default=DEFAULT_OUT, help=f"report folder (default: ./{DEFAULT_OUT})"
    )
    p.add_argument(
        "--format",
        type=format_list,
        default=["md", "json"],
        metavar="LIST",
        help="report formats, comma-separated: md, json, html, csv (default: md,json)",
    )


def _audit(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = _command(
        sub,
        "audit",
        cmd_audit,
        help="audit the configured sources, plan care tasks, write reports",
        description="Collect activity from every [[sources]] table, place each stakeholder on "
        "the map, plan care tasks and write the reports. A dry run unless --post is given. "
        "When one source fails the others still run, and the report says which was partial.",
        epilog="examples:\n  stakeplug audit --config stakeplug.toml\n"
        "  stakeplug audit --since 90d --format md,json --out report "
        "--fail-on partner-at-risk,source-error\n"
        "  stakeplug audit --post --previous last/report.json\n\n"
        "With --post nothing is posted when a source failed or no activity was seen at all,\n"
        "unless --post-partial is given too.\n\n"
        "exit codes: 0 ok, 1 a --fail-on condition was met, 2 usage or config error,\n"
        "3 a source or posting failed (unless --fail-on source-error), 4 internal error",
    )
    _add_config(p)
    _add_window(p)
    _add_reports(p)
    p.add_argument(
        "--post", action="store_true", help="create the care tasks in the [tasks] target (default: dry run)"
    )
    p.add_argument(
        "--post-partial",
        action="store_true",
        help="with --post, post even when a source failed or the audit saw no activity "
        "(default: post nothing then)",
    )
    p.add_argument(
        "--fail-on",
        type=fail_on_list,
        default=[],
        metavar="LIST",
        help="exit 1 when met, comma-separated: " + ", ".join(FAIL_ON),
    )
    p.add_argument(
        "--previous",
        metavar="FILE",
        help="an earlier report.json; the report lists the categories that changed "
        "(with a store, the last recorded run is used when this is not given)",
    )
    _add_no_store(p)
    p.add_argument(
        "--no-summary",
        dest="quiet_summary",
        action="store_true",
        help="do not print the summary, only the report paths",
    )


def _validate_and_explain(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = _command(
        sub,
        "validate",
        cmd_validate,
        help="check a config file, its adapters and environment variables",
        description="Check every table and key of the config, the rules overrides, that each "
        "adapter is installed and accepts its keys, and that every environment variable named "
        "by a *_env key is set. Nothing is collected.",
        epilog="example:\n  stakeplug validate --config stakeplug.toml",
    )
    _add_config(p)
    p = _command(
        sub,
        "explain",
        cmd_explain,
        help="the evidence trail behind one stakeholder's score and suggestions",
        description="Audit, then show the evidence (with links) that put one stakeholder where "
        "they are on the map, and why each care action is suggested for them.",
        epilog='example:\n  stakeplug explain "Maria Jensen" --config stakeplug.toml',
    )
    p.add_argument("name", metavar="NAME", help="the stakeholder's name in the register")
    _add_config(p)
    _add_window(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_no_store(p)


def _store_and_history(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = _command(
        sub,
        "store",
        cmd_store,
        help="show, prune or rebuild the local activity store",
        description="The local activity store ([store] path, default .stakeplug/store.sqlite beside the "
        "config) keeps what each source delivered, its cursor, the audit history and the care follow-up.",
        epilog="examples:\n  stakeplug store info\n  stakeplug store prune\n  stakeplug store rebuild",
    )
    p.add_argument("action", choices=("info", "prune", "rebuild"), help="what to do")
    _add_config(p)
    p.add_argument("--json", action="store_true", help="info: print JSON")
    p.add_argument(
        "--keep-days", type=int, metavar="N", help="prune: keep N days (default: lookback + margin)"
    )
    p = _command(
        sub,
        "history",
        cmd_history,
        help="one stakeholder's place on the map over the recorded audits",
        description="Print one stakeholder's category, acceptance, energy and risk in every audit the "
        "store has recorded, oldest first.",
        epilog='example:\n  stakeplug history "Maria Jensen"',
    )
    p.add_argument("name", metavar="NAME", help="the stakeholder's name in the register")
    _add_config(p)
    p.add_argument("--json", action="store_true", help="print JSON")


def _adapters_and_init(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = _command(
        sub,
        "adapters",
        cmd_adapters,
        help="list installed adapters, versions and capabilities",
        description="List the adapters installed in the stakeplug.adapters entry-point group "
        "(and any registered in-process), with versions and capabilities.",
        epilog="example:\n  stakeplug adapters --json",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p = _command(
        sub,
        "init",
        cmd_init,
        help="write a commented starter stakeplug.toml",
        description="Write a commented starter config: project, team, stakeholders, sources, "
        "tasks and rules, each section explained.",
        epilog="example:\n  stakeplug init && stakeplug validate",
    )
    p.add_argument(
        "path",
        nargs="?",
        default=DEFAULT_CONFIG,
        metavar="PATH",
        help=f"where to write it (default: ./{DEFAULT_CONFIG})",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``stakeplug`` command."""
    parser = _Parser(
        prog="stakeplug",
        description="Keep a project's partners on board: a stakeholder map and care actions "
        "from what people do in Jira, GitHub, Trello and other trackers.",
        epilog="examples:\n  stakeplug demo\n  stakeplug init\n"
        "  stakeplug audit --config stakeplug.toml --fail-on partner-at-risk\n\n"
        "exit codes: 0 ok, 1 a --fail-on condition was met, 2 usage or config error,\n"
        "3 a source (or posting) failed, 4 internal error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"stakeplug {__version__}")
    _add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _demo(sub)
    _audit(sub)
    _validate_and_explain(sub)
    _adapters_and_init(sub)
    _store_and_history(sub)
    # The output options come last in every subcommand's usage and help.
    for command in sub.choices.values():
        _add_common(command, top=False)
    return parser
