"""The ``stakeplug`` command: demo, audit, validate, explain, adapters, init.

The command line is a thin layer over the library: it loads the config,
builds the adapters, runs :func:`stakeplug.audit` and
:func:`stakeplug.plan_care`, posts (or dry-runs) the care tasks and writes the
reports.  What it adds is what a person at a terminal and a nightly CI job
need: exit codes to act on, errors that say what is wrong, where and how to
fix it in one or two lines, progress on a terminal and silence in CI logs.

Exit codes::

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
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TextIO

from stakeplug.config.loader import close_adapter
from stakeplug.errors import (
    AdapterLoadError,
    AdapterNotFoundError,
    ConfigError,
    PrivacyError,
    StakeplugError,
    TrackerError,
)

__all__ = ["EXIT_CONFIG", "EXIT_FAIL_ON", "EXIT_INTERNAL", "EXIT_OK", "EXIT_SOURCE", "main"]

EXIT_OK = 0
EXIT_FAIL_ON = 1
EXIT_CONFIG = 2
EXIT_SOURCE = 3
EXIT_INTERNAL = 4

FAIL_ON = ("partner-at-risk", "opponent", "source-error")
DEFAULT_CONFIG = "stakeplug.toml"
DEFAULT_OUT = "stakeplug-report"

log = logging.getLogger("stakeplug.cli")


class UsageError(StakeplugError):
    """A command-line argument that cannot be used; exit code 2."""


# --------------------------------------------------------------------------- output helpers


def _secrets_of(config: Any) -> list[str]:
    """Values of the environment variables the config names in ``*_env`` keys."""
    tables: list[Mapping[str, Any]] = [s.options for s in config.sources]
    if config.tasks is not None:
        tables.append(config.tasks.options)
    found: list[str] = []
    for table in tables:
        for key, value in table.items():
            if key.endswith("_env") and isinstance(value, str):
                secret = os.environ.get(value)
                if secret:
                    found.append(secret)
    return found


class _Console:
    """Where the command writes: results on stdout, errors and progress on stderr, all redacted."""

    def __init__(self, *, quiet: bool, debug: bool) -> None:
        self.quiet = quiet
        self.debug = debug

    def redact(self, text: str) -> str:
        from stakeplug.http import redact

        return redact(text)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Hide ``secrets`` from now on in everything printed or logged (see register_secret)."""
        from stakeplug.http import register_secret

        for secret in secrets:
            register_secret(secret)

    def out(self, text: str = "") -> None:
        if not self.quiet:
            print(self.redact(text), file=sys.stdout)

    def result(self, text: str) -> None:
        """Output that is the point of the command (explain, adapters --json): printed even with -q."""
        print(self.redact(text), file=sys.stdout)

    def error(self, what: str, where: str | None = None, fix: str | None = None) -> None:
        parts = [p for p in (what, where, fix) if p]
        print(self.redact("stakeplug: error: " + " — ".join(parts)), file=sys.stderr)

    def warn(self, text: str) -> None:
        print(self.redact(f"stakeplug: warning: {text}"), file=sys.stderr)


def _where(exc: ConfigError) -> str | None:
    if exc.path and exc.location:
        return f"in {exc.path} at {exc.location}"
    if exc.path:
        return f"in {exc.path}"
    if exc.location:
        return f"at {exc.location}"
    return None


def _progress_enabled(stream: TextIO) -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    if ci in ("true", "1", "yes"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """A one-line ``\\r`` progress display on a terminal, per source: activities and requests."""

    def __init__(self, stream: TextIO, *, enabled: bool, interval: float = 0.1) -> None:
        self.stream = stream
        self.enabled = enabled
        self.interval = interval
        self.last = 0.0
        self.width = 0
        self.counts: dict[str, tuple[int, int]] = {}

    def __call__(self, source: str, activities: int, requests: int) -> None:
        if not self.enabled:
            return
        self.counts[source] = (activities, requests)
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        line = "collecting: " + ", ".join(
            f"{name} {a} activities/{r} requests" for name, (a, r) in self.counts.items()
        )
        self.width = max(self.width, len(line))
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


# --------------------------------------------------------------------------- argument types

_RELATIVE = re.compile(r"^\s*(\d+)\s*([dwh])\s*$", re.IGNORECASE)


def parse_when(text: str, *, option: str, now: datetime) -> datetime:
    """Parse ``--since``/``--until``: a date, an ISO 8601 time, or a span back from ``now`` (``90d``).

    Dates and times without a zone are taken as UTC.
    """
    m = _RELATIVE.match(text)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        span = {"d": timedelta(days=n), "w": timedelta(weeks=n), "h": timedelta(hours=n)}[unit]
        return now - span
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date or time; use a date like 2026-06-01, "
            "a time like 2026-06-01T08:00:00+02:00, or a span back from now like 90d, 12w or 36h"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _formats(text: str) -> list[str]:
    from stakeplug.reports.render import FORMATS

    chosen: list[str] = []
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name == "markdown":
            name = "md"
        if name not in FORMATS:
            raise argparse.ArgumentTypeError(
                f"unknown format {part.strip()!r}; choose from {', '.join(FORMATS)} (comma-separated)"
            )
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise argparse.ArgumentTypeError(f"give at least one of {', '.join(FORMATS)}")
    return chosen


def _fail_on(text: str) -> list[str]:
    from stakeplug.domain.suggest import did_you_mean

    chosen: list[str] = []
    for part in text.split(","):
        name = part.strip().lower().replace("_", "-")
        if not name:
            continue
        if name not in FAIL_ON:
            raise argparse.ArgumentTypeError(
                f"unknown condition {part.strip()!r}{did_you_mean(name, FAIL_ON)}; "
                f"choose from {', '.join(FAIL_ON)}"
            )
        chosen.append(name)
    return chosen


# --------------------------------------------------------------------------- the pipeline


def _collect_and_plan(
    console: _Console,
    config: Any,
    *,
    since: datetime | None,
    until: datetime | None,
    now: datetime | None,
    tasks_adapter: Any,
    out: str | None = None,
    rules: Any = None,
) -> tuple[Any, list[Any], Sequence[Any], str | None]:
    """Build sources, audit, read task history and plan care; source adapters are closed after.

    ``out``, when given, is checked for writing once every adapter is built and
    before anything is collected, so neither a config error nor an unwritable
    folder leaves anything behind.  Besides the audit and the suggestions it
    returns the task target's existing tasks (listed once, for the planner's
    cooldowns and for posting) and why they could not be read, if they could
    not.  ``rules`` are the config's rules when the caller has loaded them
    already.
    """
    from stakeplug import audit as run_audit
    from stakeplug import plan_care
    from stakeplug.reports.render import check_writable

    if rules is None:
        rules = config.load_rules()
    sources = config.build_sources()
    progress = _Progress(sys.stderr, enabled=not console.quiet and _progress_enabled(sys.stderr))
    try:
        if out is not None:
            check_writable(out)
        result = run_audit(config.register, sources, since=since, until=until, rules=rules, progress=progress)
    finally:
        progress.done()
        for _, adapter in sources:
            close_adapter(adapter)
    history: Sequence[Any] = ()
    history_error = None
    if tasks_adapter is not None:
        try:
            history = tasks_adapter.find_tasks()
        except TrackerError as exc:
            history_error = f"reading existing care tasks failed: {exc}"
            log.debug("find_tasks failed", exc_info=True)
    suggestions = plan_care(result, now=now or result.until, history=history)
    return result, suggestions, history, history_error


def _exit_code(report: Mapping[str, Any], fail_on: Sequence[str]) -> tuple[int, list[str]]:
    from stakeplug.reports.render import _sources_partial

    reasons: list[str] = []
    partial = _sources_partial(report)
    post_failed = report["posting"]["error"] is not None  # every suggestion is then "failed"
    if partial or post_failed:
        bad = [f"{s['name']} ({s['status']})" for s in partial]
        if post_failed:
            bad.append("posting care tasks")
        reasons.append("incomplete: " + ", ".join(bad))
        if "source-error" in fail_on:
            return EXIT_FAIL_ON, reasons
        return EXIT_SOURCE, reasons
    met: list[str] = []
    if "partner-at-risk" in fail_on and report["partners_at_risk"]:
        met.append("partners at risk: " + ", ".join(report["partners_at_risk"]))
    if "opponent" in fail_on:
        opponents = [s["name"] for s in report["stakeholders"] if s["category"] == "opponent"]
        if opponents:
            met.append("opponents: " + ", ".join(opponents))
    if met:
        return EXIT_FAIL_ON, met
    return EXIT_OK, []


def _post(
    config: Any,
    tasks_adapter: Any,
    suggestions: Sequence[Any],
    existing: Sequence[Any],
    *,
    dry_run: bool,
) -> tuple[list[Any] | None, str | None, bool]:
    """Post or dry-run the suggestions: the results, or why not, and whether that was a privacy refusal."""
    from stakeplug.care.posting import post_care

    if tasks_adapter is None:
        return None, None, False
    try:
        results = post_care(
            tasks_adapter,
            suggestions,
            register=config.register,
            private=config.tasks.private,
            dry_run=dry_run,
            existing=existing,
        )
    except PrivacyError as exc:
        return None, f"refused for privacy: {exc}", True
    except TrackerError as exc:
        return None, str(exc), False
    return results, None, False


def _redact_tree(value: Any, console: _Console) -> Any:
    """Redact every string of a report: tracker errors may echo what they were sent."""
    if isinstance(value, str):
        return console.redact(value)
    if isinstance(value, dict):
        return {k: _redact_tree(v, console) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_tree(v, console) for v in value]
    return value


def _finish(
    console: _Console,
    report: dict[str, Any],
    *,
    out_dir: Path,
    formats: Sequence[str],
    summary: bool,
) -> None:
    from stakeplug.reports.render import render_summary, write_reports

    report = _redact_tree(report, console)
    paths = write_reports(report, out_dir, formats)
    if summary:
        console.out(render_summary(report))
        console.out("")
    console.out("Reports: " + ", ".join(str(p) for p in paths))


# --------------------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace, console: _Console) -> int:
    """Run the whole pipeline on the bundled example project."""
    from stakeplug import demo
    from stakeplug.config.loader import load_config
    from stakeplug.reports.render import build_report, check_writable

    out_dir = check_writable(args.out)
    with demo.config_path() as path:
        config = load_config(path)
        started = time.perf_counter()
        result, suggestions, _, _ = _collect_and_plan(
            console, config, since=None, until=demo.UNTIL, now=demo.UNTIL, tasks_adapter=None
        )
    report = build_report(result, suggestions, generated_at=demo.UNTIL)
    log.info("demo audit took %.2f s", time.perf_counter() - started)
    _finish(console, report, out_dir=out_dir, formats=args.format, summary=True)
    return EXIT_OK


def _window(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    now = datetime.now(UTC)
    until = parse_when(args.until, option="--until", now=now) if args.until else None
    since = parse_when(args.since, option="--since", now=until or now) if args.since else None
    if since is not None and until is not None and since >= until:
        raise UsageError(f"--since {args.since} is not before --until {args.until}; give a non-empty window")
    if since is not None and until is None and since >= now:
        raise UsageError(f"--since {args.since} is in the future; give a time before now")
    return since, until


def _load(console: _Console, config_path: str) -> Any:
    from stakeplug.config.loader import load_config

    config = load_config(config_path)
    console.add_secrets(_secrets_of(config))
    return config


def cmd_audit(args: argparse.Namespace, console: _Console) -> int:
    """Audit every configured source, plan care, post or dry-run, write reports."""
    from stakeplug.reports import publish_github
    from stakeplug.reports.render import build_report, load_previous

    since, until = _window(args)
    previous = load_previous(args.previous) if args.previous else None
    config = _load(console, args.config)
    rules = config.load_rules()  # before the task target is built, so rule errors come first
    tasks_adapter = None
    if args.post or config.tasks is not None:
        tasks_adapter = config.build_tasks_adapter()
    try:
        result, suggestions, history, post_error = _collect_and_plan(
            console,
            config,
            since=since,
            until=until,
            now=None,
            tasks_adapter=tasks_adapter,
            out=args.out,
            rules=rules,
        )
        results = None
        refused = False
        if post_error is None:
            results, post_error, refused = _post(
                config, tasks_adapter, suggestions, history, dry_run=not args.post
            )
    finally:
        if tasks_adapter is not None:
            close_adapter(tasks_adapter)
    report = build_report(
        result,
        suggestions,
        results=results,
        post_error=post_error,
        posted=args.post,
        target=config.tasks.adapter if config.tasks is not None else None,
        previous=previous,
    )
    _finish(console, report, out_dir=Path(args.out), formats=args.format, summary=not args.quiet_summary)
    if refused and post_error:
        console.error(
            post_error,
            "in [tasks]",
            "post to a place only the team can read, or set allow_public = true in [tasks]",
        )
        return EXIT_CONFIG
    code, reasons = _exit_code(report, args.fail_on)
    publish_github(_redact_tree(report, console), exit_code=code, reasons=_redact_tree(reasons, console))
    for reason in reasons:
        console.warn(reason)
    if post_error:
        console.warn(f"care tasks were not posted: {post_error}")
    return code


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def cmd_validate(args: argparse.Namespace, console: _Console) -> int:
    """Check the config: tables, keys, rules, adapters and their environment variables."""
    config = _load(console, args.config)
    config.load_rules()
    built = config.build_sources()
    for _, adapter in built:
        close_adapter(adapter)
    if config.tasks is not None:
        close_adapter(config.build_tasks_adapter())
    reg = config.register
    names = ", ".join(f"{s.name} ({s.adapter})" for s in config.sources) or "none"
    console.out(f"{config.path} is valid.")
    console.out(
        f"  project {reg.project.name}: {_count(len(reg.stakeholders), 'stakeholder')}, "
        f"{_count(len(reg.team), 'team member')}"
    )
    console.out(f"  sources: {names}")
    if config.tasks is not None:
        where = "private" if config.tasks.private else "shared (neutral wording only)"
        console.out(f"  care tasks go to: {config.tasks.adapter}, {where}")
    else:
        console.out("  care tasks: no [tasks] table, so audits are dry runs")
    if config.rules:
        console.out(f"  rules: {len(config.rules)} overridden table(s)")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, console: _Console) -> int:
    """Show the evidence behind one stakeholder's place on the map and each suggestion."""
    from stakeplug.domain.suggest import did_you_mean

    since, until = _window(args)
    config = _load(console, args.config)
    person = config.register.stakeholder(args.name)
    if person is None:
        names = [s.name for s in config.register.stakeholders]
        raise ConfigError(
            f"no stakeholder named {args.name!r}{did_you_mean(args.name, names)}; "
            f"the register has: {', '.join(names) or 'nobody'}",
            path=config.path,
            location="stakeholders",
        )
    result, suggestions, _, _ = _collect_and_plan(
        console, config, since=since, until=until, now=None, tasks_adapter=None
    )
    explanation = result.explain(person.name, suggestions)
    if args.json:
        console.result(json.dumps(explanation.to_dict(), indent=2, ensure_ascii=False))
    else:
        console.result(str(explanation))
    for src in result.sources:
        if src.status != "ok":
            console.warn(f"source {src.name} is {src.status}: {src.error or 'no detail'}")
            return EXIT_SOURCE
    return EXIT_OK


def cmd_adapters(args: argparse.Namespace, console: _Console) -> int:
    """List the installed adapters with versions and capabilities."""
    from stakeplug.plugins.registry import list_adapters

    # The table shows broken plugins with their error; the registry's warnings would repeat it.
    registry_log = logging.getLogger("stakeplug.registry")
    previous_level = registry_log.level
    registry_log.setLevel(logging.ERROR)
    try:
        infos = list_adapters()
    finally:
        registry_log.setLevel(previous_level)
    if args.json:
        console.result(
            json.dumps(
                [
                    {
                        "name": i.name,
                        "distribution": i.distribution,
                        "version": i.version,
                        "capabilities": list(i.capabilities),
                        "origin": i.origin,
                        "error": i.error,
                    }
                    for i in infos
                ],
                indent=2,
            )
        )
        return EXIT_OK
    if not infos:
        console.result('No adapters are installed; try: pip install "stakeplug[all]"')
        return EXIT_OK
    rows = [("name", "version", "distribution", "capabilities")]
    for i in infos:
        caps = ", ".join(i.capabilities) if i.error is None else f"BROKEN: {i.error}"
        rows.append((i.name, i.version or "-", i.distribution or i.origin, caps))
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    lines = ["  ".join(r[c].ljust(widths[c]) for c in range(3)) + "  " + r[3] for r in rows]
    console.result("\n".join(line.rstrip() for line in lines))
    return EXIT_OK


def cmd_init(args: argparse.Namespace, console: _Console) -> int:
    """Write a commented starter ``stakeplug.toml``."""
    from importlib.resources import files

    target = Path(args.path)
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it or give another path")
    from stakeplug.reports.render import write_all

    text = files("stakeplug").joinpath("cli", "init_template.toml").read_text("utf-8")
    try:
        write_all([(target, text)])
    except OSError as exc:
        raise ConfigError(
            f"cannot be written ({exc.strerror}); give a path in a writable folder",
            path=str(target),
        ) from None
    console.out(f"Wrote {target}. Fill in the register and sources, then run:")
    console.out(f"  stakeplug validate --config {target}")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse with our error format: one line naming the option and the fix, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"stakeplug: error: {message} — see `{self.prog} --help`\n")


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


def _command(
    sub: Any, name: str, func: Callable[[argparse.Namespace, _Console], int], **text: str
) -> argparse.ArgumentParser:
    """A subcommand with its help texts and its function (build_parser adds the shared options)."""
    p: argparse.ArgumentParser = sub.add_parser(
        name, formatter_class=argparse.RawDescriptionHelpFormatter, **text
    )
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``stakeplug`` command."""
    from stakeplug import __version__

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

    p = _command(
        sub,
        "demo",
        cmd_demo,
        help="run the whole pipeline on a bundled example project (offline)",
        description="Run the whole pipeline on a bundled example project: 12 stakeholders and "
        "six months of activity from Jira, GitHub and mail. No network, no credentials.",
        epilog="example:\n  stakeplug demo --out /tmp/demo-report",
    )
    p.add_argument(
        "--out", metavar="DIR", default=DEFAULT_OUT, help=f"report folder (default: ./{DEFAULT_OUT})"
    )
    p.add_argument(
        "--format",
        type=_formats,
        default=["md", "json"],
        metavar="LIST",
        help="report formats, comma-separated: md, json, html, csv (default: md,json)",
    )

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
        "exit codes: 0 ok, 1 a --fail-on condition was met, 2 usage or config error,\n"
        "3 a source or posting failed (unless --fail-on source-error), 4 internal error",
    )
    _add_config(p)
    _add_window(p)
    p.add_argument(
        "--format",
        type=_formats,
        default=["md", "json"],
        metavar="LIST",
        help="report formats, comma-separated: md, json, html, csv (default: md,json)",
    )
    p.add_argument(
        "--out", metavar="DIR", default=DEFAULT_OUT, help=f"report folder (default: ./{DEFAULT_OUT})"
    )
    p.add_argument(
        "--post", action="store_true", help="create the care tasks in the [tasks] target (default: dry run)"
    )
    p.add_argument(
        "--fail-on",
        type=_fail_on,
        default=[],
        metavar="LIST",
        help="exit 1 when met, comma-separated: " + ", ".join(FAIL_ON),
    )
    p.add_argument(
        "--previous",
        metavar="FILE",
        help="an earlier report.json; the report lists the categories that changed",
    )
    p.add_argument(
        "--no-summary",
        dest="quiet_summary",
        action="store_true",
        help="do not print the summary, only the report paths",
    )

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

    # The output options come last in every subcommand's usage and help.
    for command in sub.choices.values():
        _add_common(command, top=False)
    return parser


def _setup_logging(args: argparse.Namespace, console: _Console) -> None:
    from stakeplug.http import RedactingFilter

    level = logging.WARNING
    if args.verbose == 1:
        level = logging.INFO
    elif args.verbose and args.verbose > 1:
        level = logging.DEBUG
    if args.debug:
        level = logging.DEBUG
    if args.quiet:
        level = logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("stakeplug: %(levelname)s: %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("stakeplug")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    for name in ("stakeplug_jira", "stakeplug_github", "stakeplug_trello", "urllib3", "jira"):
        other = logging.getLogger(name)
        other.handlers[:] = [handler]
        other.setLevel(max(level, logging.INFO) if name in ("urllib3", "jira") else level)
        other.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``stakeplug`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_CONFIG
    console = _Console(quiet=args.quiet, debug=args.debug)
    _setup_logging(args, console)
    func: Callable[[argparse.Namespace, _Console], int] = args.func
    try:
        return func(args, console)
    except KeyboardInterrupt:
        print("stakeplug: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        _trace(console)
        what, where, fix, code = _failure(exc)
        console.error(what, where, fix)
        return code


def _failure(exc: Exception) -> tuple[str, str | None, str | None, int]:
    """What to say about the error that ended a command (what, where, fix) and its exit code."""
    if isinstance(exc, ConfigError):
        return exc.detail, _where(exc), None, EXIT_CONFIG
    if isinstance(exc, UsageError):
        return str(exc), None, None, EXIT_CONFIG
    if isinstance(exc, AdapterNotFoundError):
        return str(exc), None, "`stakeplug adapters` lists what is installed", EXIT_CONFIG
    if isinstance(exc, AdapterLoadError):
        return str(exc), None, "reinstall the plugin or remove it from the config", EXIT_CONFIG
    if isinstance(exc, PrivacyError):
        return str(exc), "in [tasks]", "set private = true or allow_public = true", EXIT_CONFIG
    if isinstance(exc, TrackerError):
        return f"{exc.adapter}: {exc}", None, "check the tracker, the credentials and the config", EXIT_SOURCE
    return (
        f"internal error: {type(exc).__name__}: {exc}",
        None,
        "this is a bug; rerun with --debug and report the traceback",
        EXIT_INTERNAL,
    )


def _trace(console: _Console) -> None:
    """With --debug, the traceback of the error being handled (redacted)."""
    if console.debug:
        print(console.redact(traceback.format_exc()), file=sys.stderr, end="")


def run() -> NoReturn:
    """Entry point for ``python -m stakeplug``."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
