"""The ``store`` and ``history`` commands.

``audit`` and ``explain`` open the store named by ``[store] path`` (default
``.stakeplug/store.sqlite`` beside the config) unless ``--no-store`` is given or
``[store] enabled = false``.  ``stakeplug store info`` shows what it holds,
``store prune`` drops what lies beyond the lookback window plus its margin,
``store rebuild`` drops the file (even a damaged one) and collects every source
afresh; ``stakeplug history NAME`` prints one person's path over the recorded audits.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from stakeplug.app import ExitCode, open_config
from stakeplug.cli.console import Console
from stakeplug.config.loader import Config, close_adapter
from stakeplug.errors import ConfigError
from stakeplug.reports.text import plural
from stakeplug.store import PRUNE_MARGIN_DAYS, Store, StoreInfo, StoreSettings, store_settings, stored_sources

__all__ = ["cmd_history", "cmd_store"]


def _settings_or_fail(config: Config) -> StoreSettings:
    settings = store_settings(config)
    if settings is None:
        raise ConfigError(
            "the store is switched off ([store] enabled = false)", path=config.path, location="store"
        )
    return settings


# --------------------------------------------------------------------------- commands


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def _when(value: datetime | None) -> str:
    return "never" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _info_lines(info: StoreInfo) -> list[str]:
    lines = [
        f"store: {info.path}",
        f"  size: {_size(info.size)}, schema {info.schema}",
        f"  activities: {info.activities} on {info.items} items",
        f"  runs kept: {info.runs}, last run: {_when(info.last_run)}",
    ]
    if not info.sources:
        lines.append("  sources: none collected yet")
    for s in info.sources:
        lines.append(
            f"  source {s.source} ({s.adapter}): {s.activities} activities, cursor {_when(s.cursor)}, "
            f"last full refresh {_when(s.full_refresh)}"
        )
    return lines


def _info_json(info: StoreInfo) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "path": info.path, "size": info.size, "schema": info.schema, "activities": info.activities,
        "items": info.items, "runs": info.runs, "last_run": iso(info.last_run),
        "sources": [
            {"name": s.source, "adapter": s.adapter, "activities": s.activities, "cursor": iso(s.cursor),
             "full_refresh": iso(s.full_refresh)}
            for s in info.sources
        ],
    }  # fmt: skip


def cmd_store(args: argparse.Namespace, console: Console) -> int:
    """``stakeplug store info|prune|rebuild``."""
    config = open_config(args.config)
    settings = _settings_or_fail(config)
    if args.action == "info":
        with Store.open(settings.path, lock=False) as store:
            info = store.info()
        console.result(json.dumps(_info_json(info), indent=2) if args.json else "\n".join(_info_lines(info)))
        return ExitCode.OK
    if args.action == "prune":
        days = args.keep_days if args.keep_days is not None else None
        with Store.open(settings.path, lock_timeout=settings.lock_timeout) as store:
            if days is None:
                dropped = store.prune_for(config.register.project.lookback_days)
                kept = config.register.project.lookback_days + PRUNE_MARGIN_DAYS
            else:
                dropped, kept = store.prune(datetime.now(UTC) - timedelta(days=days)), days
            store.checkpoint()
        console.result(f"pruned {dropped} activities older than {kept} days from {settings.path}")
        return ExitCode.OK
    return _rebuild(config, settings, console)


def _rebuild(config: Config, settings: StoreSettings, console: Console) -> int:
    """Drop the store and collect every source over the lookback window into a new one."""
    sources = config.build_sources()
    until = datetime.now(UTC)
    since = until - timedelta(days=config.register.project.lookback_days)
    failed = 0
    try:
        with Store.rebuild(settings.path, lock_timeout=settings.lock_timeout) as store:
            for name, wrapped in stored_sources(store, sources, config.register):
                try:
                    count = sum(1 for _ in wrapped.collect(since, until))
                except Exception as exc:  # a failed source is reported; the others are still collected
                    failed += 1
                    console.warn(f"source {name} failed: {exc}")
                    continue
                console.out(f"source {name}: {count} activities")
            store.checkpoint()
    finally:
        for _, adapter in sources:
            close_adapter(adapter)
    console.result(f"rebuilt {settings.path}")
    return ExitCode.SOURCE if failed else ExitCode.OK


def cmd_history(args: argparse.Namespace, console: Console) -> int:
    """``stakeplug history NAME``: one person's place in every recorded audit."""
    config = open_config(args.config)
    settings = _settings_or_fail(config)
    person = config.register.stakeholder(args.name)
    if person is None:
        names = ", ".join(s.name for s in config.register.stakeholders) or "nobody"
        raise ConfigError(
            f"no stakeholder named {args.name!r}; the register has: {names}",
            path=config.path,
            location="stakeholders",
        )
    with Store.open(settings.path, lock=False) as store:
        path = store.path_of(person.name)
    if args.json:
        console.result(json.dumps([_point_json(p) for p in path], indent=2, ensure_ascii=False))
        return ExitCode.OK
    if not path:
        console.result(f"{person.name}: no recorded audits yet in {settings.path}")
        return ExitCode.OK
    lines = [f"{person.name}: {plural(len(path), 'recorded audit')}"]
    for p in path:
        risk = f"  at risk{': ' + p.reason if p.reason else ''}" if p.at_risk else ""
        lines.append(
            f"  {p.run.at:%Y-%m-%d}  {p.category:<17} "
            f"acceptance {p.acceptance:+.1f}  energy {p.energy:.1f}{risk}"
        )
    console.result("\n".join(lines))
    return ExitCode.OK


def _point_json(p: Any) -> dict[str, Any]:
    return {
        "run_at": p.run.at.isoformat(),
        "window": {"since": p.run.since.isoformat(), "until": p.run.until.isoformat()},
        "category": p.category,
        "acceptance": p.acceptance,
        "energy": p.energy,
        "at_risk": p.at_risk,
        "at_risk_reason": p.reason,
    }
