"""One audit run, from the config file to the reports: the use case behind ``stakeplug audit``.

:func:`run_audit` is the whole pipeline, in this order::

    load the config   →  build the task target and the sources  →  audit
    →  plan care      →  post (or dry-run) the care tasks        →  write the reports

Each step is a function of its own (:func:`open_config`,
:func:`collect_and_plan`, :func:`post_suggestions`), so the command line's
``explain`` reuses the first ones and a script can stop wherever it likes.
Nothing here prints: progress goes to the callback given, and the result is an
:class:`~stakeplug.app.results.AuditRun` from which the exit code is computed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from stakeplug.adapter import Adapter, TaskRef
from stakeplug.app._report import StoredContext, remember
from stakeplug.app.identities import identity_warnings
from stakeplug.app.memory import RisingProgress, through_store
from stakeplug.app.results import AuditRun, Collection, Posting, ReportDocument
from stakeplug.care.planner import plan_care
from stakeplug.care.posting import post_care
from stakeplug.config.loader import Config, close_adapter, load_config
from stakeplug.domain.rules import Rules
from stakeplug.engine.audit import Audit, audit
from stakeplug.errors import ConfigError, PostingInterruptedError, PrivacyError, TrackerError
from stakeplug.redact import redact, register_secret
from stakeplug.reports import build_report, check_writable, load_previous, write_reports
from stakeplug.reports.explain import explain
from stakeplug.store import Store

__all__ = [
    "CollectionProgress",
    "collect_and_plan",
    "config_secrets",
    "missing_evidence",
    "open_config",
    "post_suggestions",
    "redact_report",
    "require_sources",
    "run_audit",
    "source_tools",
]

log = logging.getLogger("stakeplug.app")

DEFAULT_FORMATS = ("md", "json")
_OVERRIDE = " (--post-partial posts anyway)"


class CollectionProgress(Protocol):
    """Told how collection goes, per source; ``done`` is called once collection has ended."""

    def __call__(self, source: str, activities: int, requests: int) -> None: ...

    def done(self) -> None: ...


def config_secrets(config: Config) -> list[str]:
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


def open_config(path: str | os.PathLike[str]) -> Config:
    """Load and check the config at ``path``; the secrets it names are hidden from then on."""
    config = load_config(path)
    _hide_secrets(config)
    return config


def _hide_secrets(config: Config) -> None:
    for secret in config_secrets(config):
        register_secret(secret)


def _redacted(value: object, done: dict[str, str]) -> object:
    if isinstance(value, str):
        hidden = done.get(value)
        if hidden is None:
            hidden = done[value] = redact(value)
        return hidden
    if isinstance(value, dict):
        return {k: _redacted(v, done) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, done) for v in value]
    return value


def redact_report(report: ReportDocument) -> ReportDocument:
    """``report`` with every registered secret hidden in its strings: tracker errors may echo them.

    A report repeats many strings (links, names, signals); each distinct one is redacted once.
    """
    done: dict[str, str] = {}
    return {key: _redacted(value, done) for key, value in report.items()}


def require_sources(config: Config) -> None:
    """Refuse a config without ``[[sources]]``: an audit of nothing would suggest tasks from nothing."""
    if not config.sources:
        raise ConfigError(
            "no [[sources]] table, so there is nothing to audit; add a source "
            "(see `stakeplug init` and `stakeplug adapters`)",
            path=config.path,
            location="sources",
        )


def collect_and_plan(
    config: Config,
    *,
    rules: Rules | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
    tasks_adapter: Adapter | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: CollectionProgress | None = None,
    store: Store | None = None,
) -> Collection:
    """Build the sources, audit, read the task target's existing tasks and plan care.

    The source adapters are closed after the audit.  ``out``, when given, is
    checked for writing once every adapter is built and before anything is
    collected, so neither a config error nor an unwritable folder leaves
    anything behind.  ``rules`` are the config's rules when the caller has
    loaded them already.  With a ``store`` the sources collect through it
    (incrementally where the adapter can) and the engine reads them back from it.
    """
    require_sources(config)
    rules = config.load_rules() if rules is None else rules
    sources = config.build_sources()
    try:
        if out is not None:
            check_writable(out)
        told = RisingProgress(progress) if store is not None and progress is not None else progress
        result = audit(
            config.register,
            sources if store is None else through_store(store, config, sources, told),
            since=since,
            until=until,
            rules=rules,
            progress=told,
            explainer=explain,
        )
    finally:
        if progress is not None:
            progress.done()
        for _, adapter in sources:
            close_adapter(adapter)
    existing: tuple[TaskRef, ...] = ()
    history_error = None
    if tasks_adapter is not None:
        try:
            existing = tuple(tasks_adapter.find_tasks())
        except TrackerError as exc:
            history_error = f"reading existing care tasks failed: {exc}"
            log.debug("find_tasks failed", exc_info=True)
    suggestions = plan_care(result, now=now or result.until, history=existing)
    warnings = identity_warnings(result, source_tools(config))
    return Collection(result, tuple(suggestions), existing, history_error, warnings)


def source_tools(config: Config) -> frozenset[str] | None:
    """The tools the configured sources read, or ``None`` when a source may read any tool.

    An adapter named after a tool of the register (``jira``, ``github``) reads that
    tool; any other adapter (``file``, a mailbox) may carry activities of any tool.
    """
    identities = [*(i for s in config.register.stakeholders for i in s.identities)]
    identities += [i for member in config.register.team for i in member.identities]
    tools = {i.tool for i in identities}
    adapters = {s.adapter for s in config.sources}
    return frozenset(adapters) if adapters <= tools else None


def missing_evidence(result: Audit) -> str | None:
    """Why ``result`` is no ground for posting care tasks, or ``None`` when it is.

    Tasks planned from a source that failed (or skipped data) or from an
    audit that saw no activity at all would act on evidence that was never
    collected.
    """
    incomplete = [f"{s.name} ({s.status})" for s in result.sources if s.status != "ok"]
    if incomplete:
        which = "source " if len(incomplete) == 1 else "sources "
        return (
            f"{which}{', '.join(incomplete)} did not deliver all its data, so the care tasks would "
            f"rest on evidence that was never collected{_OVERRIDE}"
        )
    if result.activities_seen == 0:
        return f"the audit saw no activity at all in the window, so there is no evidence to act on{_OVERRIDE}"
    return None


def post_suggestions(
    config: Config,
    tasks_adapter: Adapter | None,
    collection: Collection,
    *,
    post: bool,
    post_partial: bool = False,
) -> Posting:
    """Post (or, unless ``post``, dry-run) the collection's suggestions into the task target.

    Without a target nothing is done; when the existing tasks could not be
    read, nothing is posted and that is the posting's error.  Unless
    ``post_partial``, posting is withheld (the suggestions are dry-run) when
    the audit lacks evidence (:func:`missing_evidence`).
    """
    target = config.tasks.adapter if config.tasks is not None else None
    withheld = None if not post or post_partial else missing_evidence(collection.audit)
    if tasks_adapter is None or config.tasks is None:
        return Posting(post, target, withheld=withheld)
    if collection.history_error is not None:
        return Posting(post, target, error=collection.history_error, withheld=withheld)
    try:
        results = post_care(
            tasks_adapter,
            collection.suggestions,
            register=config.register,
            private=config.tasks.private,
            dry_run=not post or withheld is not None,
            existing=collection.existing_tasks,
        )
    except PrivacyError as exc:
        error = f"refused for privacy: {exc}"
        return Posting(post, target, error=error, refused_for_privacy=True, withheld=withheld)
    except PostingInterruptedError as exc:
        return Posting(post, target, tuple(exc.results), error=str(exc), withheld=withheld)
    except TrackerError as exc:
        return Posting(post, target, error=str(exc), withheld=withheld)
    return Posting(post, target, tuple(results), withheld=withheld)


def _previous_report(
    previous: Mapping[str, Any] | str | os.PathLike[str] | None,
) -> Mapping[str, Any] | None:
    if previous is None or isinstance(previous, Mapping):
        return previous
    return load_previous(previous)


def run_audit(
    config: Config | str | os.PathLike[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
    post: bool = False,
    out: str | os.PathLike[str] | None = None,
    formats: Sequence[str] = DEFAULT_FORMATS,
    previous: Mapping[str, Any] | str | os.PathLike[str] | None = None,
    generated_at: datetime | None = None,
    progress: CollectionProgress | None = None,
    post_partial: bool = False,
    store: Store | None = None,
) -> AuditRun:
    """Run one audit as ``stakeplug audit`` does and return what it did.

    ``config`` is a loaded :class:`~stakeplug.Config` or the path of a
    ``stakeplug.toml``.  The care tasks are created in the ``[tasks]`` target
    only with ``post``; otherwise that target is asked only what exists (a dry
    run).  With ``out`` the reports are written there in ``formats``;
    ``previous`` is an earlier JSON report (or its path) to compare with.
    ``now`` is the planner's today (default: the end of the window).  When a
    source failed or the audit saw no activity at all, nothing is posted
    (``run.posting.withheld`` says why) unless ``post_partial``.

    ``store`` is an open :class:`~stakeplug.store.Store` (the caller closes it) or ``None``: see
    :mod:`stakeplug.app.memory` for what it adds (the last run stands in for ``previous``).

    Configuration problems raise :class:`~stakeplug.errors.ConfigError` before
    anything is collected; a failing source or target does not raise, it is
    in the result: ``run.exit_status(fail_on)`` gives the command's exit code.
    """
    earlier = _previous_report(previous)
    config = _loaded(config)
    rules = config.load_rules()  # before the task target is built, so rule errors come first
    require_sources(config)
    tasks_adapter = config.build_tasks_adapter() if post or config.tasks is not None else None
    try:
        collection = collect_and_plan(
            config,
            rules=rules,
            since=since,
            until=until,
            now=now,
            tasks_adapter=tasks_adapter,
            out=out,
            progress=progress,
            store=store,
        )
        posting = post_suggestions(config, tasks_adapter, collection, post=post, post_partial=post_partial)
    finally:
        if tasks_adapter is not None:
            close_adapter(tasks_adapter)
    stored = remember(store, config, collection, posting, earlier, listed=tasks_adapter is not None)
    report = redact_report(_report(collection, posting, stored, generated_at))
    written = tuple(write_reports(report, out, formats)) if out is not None else ()
    return AuditRun(collection, posting, report, written)


def _loaded(config: Config | str | os.PathLike[str]) -> Config:
    if isinstance(config, Config):
        _hide_secrets(config)
        return config
    return open_config(config)


def _report(
    collection: Collection,
    posting: Posting,
    stored: StoredContext,
    generated_at: datetime | None,
) -> ReportDocument:
    return build_report(
        collection.audit,
        collection.suggestions,
        results=posting.results,
        post_error=posting.error,
        posted=posting.posted,
        withheld=posting.withheld,
        target=posting.target,
        previous=stored.previous,
        earlier=stored.earlier,
        care=stored.care,
        generated_at=generated_at,
        warnings=[w.message() for w in collection.identity_warnings],
    )
