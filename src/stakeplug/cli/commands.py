"""The subcommands: each parses nothing and prints what the application layer returned.

Every command takes the parsed arguments and the :class:`~stakeplug.cli.console.Console`
and returns the exit code; errors propagate to :func:`stakeplug.cli.main.main`,
which turns them into one error line and a code.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from stakeplug import demo
from stakeplug.app import ExitCode, collect_and_plan, open_config, run_audit
from stakeplug.app.memory import open_store
from stakeplug.app.results import ReportDocument
from stakeplug.cli.console import Console
from stakeplug.cli.options import UsageError, window
from stakeplug.config.loader import close_adapter
from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import ConfigError
from stakeplug.plugins.registry import AdapterInfo, list_adapters, registry
from stakeplug.reports import check_writable, publish_github, render_summary, write_all
from stakeplug.reports.text import plural

__all__ = ["cmd_adapters", "cmd_audit", "cmd_demo", "cmd_explain", "cmd_init", "cmd_validate"]

log = logging.getLogger("stakeplug.cli")

_PUBLIC_TARGET_FIX = "post to a place only the team can read, or set allow_public = true in [tasks]"


def _show(console: Console, report: ReportDocument, written: Sequence[Path], *, summary: bool) -> None:
    """The terminal summary (unless left out) and the paths of the reports written."""
    if summary:
        console.out(render_summary(report))
        console.out("")
    console.out("Reports: " + ", ".join(str(p) for p in written))


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    """Run the whole pipeline on the bundled example project."""
    out_dir = check_writable(args.out)
    with demo.config_path() as path:
        started = time.perf_counter()
        run = run_audit(
            path,
            until=demo.UNTIL,
            now=demo.UNTIL,
            generated_at=demo.UNTIL,
            out=out_dir,
            formats=args.format,
            progress=console.progress(),
        )
    log.info("demo audit took %.2f s", time.perf_counter() - started)
    _show(console, run.report, run.written, summary=True)
    return ExitCode.OK


def cmd_audit(args: argparse.Namespace, console: Console) -> int:
    """Audit every configured source, plan care, post or dry-run, write reports."""
    since, until = window(args)
    if args.post_partial and not args.post:
        raise UsageError("--post-partial only changes what --post does; give --post as well")
    config = open_config(args.config)
    store = open_store(config, disabled=args.no_store)
    try:
        run = run_audit(
            config,
            since=since,
            until=until,
            post=args.post,
            post_partial=args.post_partial,
            out=args.out,
            formats=args.format,
            previous=args.previous,
            progress=console.progress(),
            store=store,
        )
    finally:
        if store is not None:
            store.close()
    _show(console, run.report, run.written, summary=not args.quiet_summary)
    for warning in run.collection.identity_warnings:
        console.warn(warning.message())
    status = run.exit_status(args.fail_on)
    reasons = [console.redact(reason) for reason in status.reasons]
    publish_github(run.report, exit_code=status.code, reasons=reasons)
    if run.posting.refused_for_privacy:
        console.error(run.posting.error or "refused for privacy", "in [tasks]", _PUBLIC_TARGET_FIX)
        return status.code
    for reason in reasons:
        console.warn(reason)
    if run.posting.error:
        done = "posted only in part" if run.posting.results else "not posted"
        console.warn(f"care tasks were {done}: {run.posting.error}")
    elif run.posting.withheld:
        console.warn(f"care tasks were not posted: {run.posting.withheld}")
    return status.code


def cmd_validate(args: argparse.Namespace, console: Console) -> int:
    """Check the config: tables, keys, rules, adapters and their environment variables."""
    config = open_config(args.config)
    config.load_rules()
    for _, adapter in config.build_sources():
        close_adapter(adapter)
    if config.tasks is not None:
        close_adapter(config.build_tasks_adapter())
    reg = config.register
    names = ", ".join(f"{s.name} ({s.adapter})" for s in config.sources) or "none"
    console.out(f"{config.path} is valid.")
    console.out(
        f"  project {reg.project.name}: {plural(len(reg.stakeholders), 'stakeholder')}, "
        f"{plural(len(reg.team), 'team member')}"
    )
    console.out(f"  sources: {names}")
    if config.tasks is not None:
        where = "private" if config.tasks.private else "shared (neutral wording only)"
        console.out(f"  care tasks go to: {config.tasks.adapter}, {where}")
    else:
        console.out("  care tasks: no [tasks] table, so audits are dry runs")
    if config.rules:
        console.out(f"  rules: {plural(len(config.rules), 'overridden table')}")
    return ExitCode.OK


def cmd_explain(args: argparse.Namespace, console: Console) -> int:
    """Show the evidence behind one stakeholder's place on the map and each suggestion."""
    since, until = window(args)
    config = open_config(args.config)
    person = config.register.stakeholder(args.name)
    if person is None:
        names = [s.name for s in config.register.stakeholders]
        raise ConfigError(
            f"no stakeholder named {args.name!r}{did_you_mean(args.name, names)}; "
            f"the register has: {', '.join(names) or 'nobody'}",
            path=config.path,
            location="stakeholders",
        )
    store = open_store(config, disabled=args.no_store)
    try:
        collection = collect_and_plan(
            config, since=since, until=until, progress=console.progress(), store=store
        )
    finally:
        if store is not None:
            store.close()
    explanation = collection.audit.explain(person.name, collection.suggestions)
    for warning in collection.identity_warnings:
        if warning.person == person.name:
            console.warn(warning.message())
    if args.json:
        console.result(json.dumps(explanation.to_dict(), indent=2, ensure_ascii=False))
    else:
        console.result(str(explanation))
    for src in collection.audit.sources:
        if src.status != "ok":
            console.warn(f"source {src.name} is {src.status}: {src.error or 'no detail'}")
            return ExitCode.SOURCE
    return ExitCode.OK


def _adapter_entry(info: AdapterInfo) -> dict[str, object]:
    return {
        "name": info.name,
        "distribution": info.distribution,
        "version": info.version,
        "capabilities": list(info.capabilities),
        "origin": info.origin,
        "error": info.error,
    }


def cmd_adapters(args: argparse.Namespace, console: Console) -> int:
    """List the installed adapters with versions and capabilities."""
    # The table shows broken plugins with their error; the registry's warnings would repeat it.
    registry_log = logging.getLogger("stakeplug.registry")
    previous_level = registry_log.level
    registry_log.setLevel(logging.ERROR)
    try:
        infos = list_adapters()
    finally:
        registry_log.setLevel(previous_level)
    if args.json:
        console.result(json.dumps([_adapter_entry(i) for i in infos], indent=2))
        return ExitCode.OK
    if not infos:
        hint = registry.install_hint("all")
        console.result("No adapters are installed" + (f"; try: {hint}" if hint else ""))
        return ExitCode.OK
    rows = [("name", "version", "distribution", "capabilities")]
    for i in infos:
        caps = ", ".join(i.capabilities) if i.error is None else f"BROKEN: {i.error}"
        rows.append((i.name, i.version or "-", i.distribution or i.origin, caps))
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    lines = ["  ".join(r[c].ljust(widths[c]) for c in range(3)) + "  " + r[3] for r in rows]
    console.result("\n".join(line.rstrip() for line in lines))
    return ExitCode.OK


def cmd_init(args: argparse.Namespace, console: Console) -> int:
    """Write a commented starter ``stakeplug.toml``."""
    target = Path(args.path)
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it or give another path")
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
    return ExitCode.OK
