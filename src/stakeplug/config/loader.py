"""The whole ``stakeplug.toml``: the register plus sources, the task target and rule overrides.

The register part (``[project]``, ``[[team]]``, ``[[stakeholders]]``) is
validated by :func:`stakeplug.config.register.register_from_mapping`; this module
adds the tables that say where activity comes from and where care tasks go::

    [[sources]]
    adapter = "github"              # an installed adapter, see `stakeplug adapters`
    name = "code"                   # optional, defaults to the adapter name
    repo = "acme/apollo"            # ...and that adapter's own keys
    token_env = "GITHUB_TOKEN"      # credentials only as names of environment variables

    [tasks]
    adapter = "github"
    repo = "acme/apollo-team"
    private = true                  # the team alone reads it: tasks may carry the why
    token_env = "GITHUB_TOKEN"

    [rules]                         # overrides of the shipped default rules
    thresholds.partner_energy = 3.0

    [limits]                        # how long a run may take (defaults fit a 30-minute CI job)
    request_seconds = 120           # one request, the whole answer included
    source_minutes = 15             # one source, retries and waits included
    run_minutes = 25                # every source together

Loading checks the shape of every table and refuses secrets written into the
file.  Adapter keys are checked when the adapters are built
(:meth:`Config.build_sources`), because only the adapter knows its keys and
only then are environment variables read.  Relative paths in adapter keys
(``path``, ``*_path``, ``*_file``, ``*_dir``) are resolved against the folder
of the config file, so a config works from any working directory.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from stakeplug.adapter import Adapter
from stakeplug.config.checks import Checker
from stakeplug.config.register import read_toml, register_from_mapping
from stakeplug.config.rules import load_rules
from stakeplug.domain.register import Register
from stakeplug.domain.rules import Rules
from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import AdapterNotFoundError, ConfigError, StakeplugError
from stakeplug.limits import Limits, use_limits
from stakeplug.plugins.registry import build_adapter, get_adapter

log = logging.getLogger("stakeplug.config")

__all__ = ["Config", "SourceConfig", "TasksConfig", "config_from_mapping", "load_config"]

_RESERVED_SOURCE_KEYS = ("adapter", "name")
_TASKS_OWN_KEYS = ("adapter", "private", "allow_public")
_PATH_SUFFIXES = ("_path", "_file", "_dir")


@attrs.frozen
class SourceConfig:
    """One ``[[sources]]`` table: which adapter, under which name, with which keys."""

    index: int
    adapter: str
    name: str
    options: Mapping[str, Any] = attrs.field(factory=dict)
    """The adapter's own keys, relative paths already resolved."""

    @property
    def where(self) -> str:
        """The place of this table in the config, for messages: ``sources[2]``."""
        return f"sources[{self.index}]"


@attrs.frozen
class TasksConfig:
    """The ``[tasks]`` table: the adapter and place where care tasks are posted.

    ``private`` says only the team can read the place; then tasks may carry the
    explanation (scores, category).  Otherwise tasks use neutral wording only.
    ``allow_public`` is the explicit permission to post into a place the
    public can read.
    """

    adapter: str
    private: bool = False
    allow_public: bool = False
    options: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Config:
    """A loaded and checked ``stakeplug.toml``."""

    register: Register
    sources: tuple[SourceConfig, ...]
    tasks: TasksConfig | None
    rules: Mapping[str, Any]
    path: str | None = None
    limits: Limits = attrs.field(factory=Limits)
    """How long one request, one source and the whole run may take (``[limits]``)."""
    store: Mapping[str, Any] = attrs.field(factory=dict)
    """The raw ``[store]`` table, checked by :func:`stakeplug.store.store_settings`."""

    def source_named(self, name: str) -> SourceConfig | None:
        """The source called ``name``, or ``None``."""
        return next((s for s in self.sources if s.name == name), None)

    def build_sources(
        self, *, env: Mapping[str, str] | None = None, only: str | None = None
    ) -> list[tuple[str, Adapter]]:
        """Build every source's adapter as ``(name, adapter)`` pairs.

        Raises :class:`~stakeplug.errors.ConfigError` naming the file and the
        table for bad keys or unset environment variables, and
        :class:`~stakeplug.errors.AdapterNotFoundError` for unknown adapters.
        Adapters built before a failure are closed.
        """
        built: list[tuple[str, Adapter]] = []
        try:
            with use_limits(self.limits):  # the sources built together share the run's budget
                for source in self.sources:
                    if only is not None and source.name != only:
                        continue
                    adapter = self._build(source.adapter, source.options, source.where, env)
                    built.append((source.name, adapter))
        except BaseException:
            for _, adapter in built:
                close_adapter(adapter)
            raise
        return built

    def build_tasks_adapter(self, *, env: Mapping[str, str] | None = None) -> Adapter:
        """Build the adapter of ``[tasks]``; a :class:`ConfigError` when there is no ``[tasks]``.

        ``allow_public`` is handed to adapters that declare that option, so the
        adapter itself can refuse a public place it detects.
        """
        if self.tasks is None:
            raise ConfigError(
                "no [tasks] table, so there is nowhere to post care tasks; "
                "add one (see `stakeplug init`) or leave out --post",
                path=self.path,
                location="tasks",
            )
        options = dict(self.tasks.options)
        try:
            factory = get_adapter(self.tasks.adapter)
        except AdapterNotFoundError:
            factory = None  # _build raises it again, naming the place
        capabilities = getattr(factory, "capabilities", None)
        if capabilities is not None and not getattr(capabilities, "posts_tasks", True):
            raise ConfigError(
                f"the {self.tasks.adapter} adapter only reads and cannot post care tasks; "
                "name a tracker adapter that posts tasks (`stakeplug adapters` lists them)",
                path=self.path,
                location="tasks.adapter",
            )
        if "allow_public" in getattr(factory, "OPTIONS", {}):
            options["allow_public"] = self.tasks.allow_public
        with use_limits(self.limits):
            return self._build(self.tasks.adapter, options, "tasks", env)

    def load_rules(self) -> Rules:
        """The shipped rules with this config's ``[rules]`` overrides applied."""
        return load_rules(overrides=dict(self.rules) or None, source=self.path)

    def _build(
        self, adapter: str, options: Mapping[str, Any], where: str, env: Mapping[str, str] | None
    ) -> Adapter:
        try:
            return build_adapter(adapter, dict(options), where=where, env=env)
        except AdapterNotFoundError as exc:
            place = ": ".join(p for p in (self.path, f"{where}.adapter") if p)
            raise AdapterNotFoundError(f"{place}: {exc}", name=exc.name, installed=exc.installed) from None
        except ConfigError as exc:
            if exc.path is None and self.path is not None:
                location = exc.location or where
                raise ConfigError(exc.detail, path=self.path, location=location) from None
            raise


def close_adapter(adapter: Any) -> None:
    """Close ``adapter`` if it can be closed; a stakeplug error while closing is only logged."""
    close = getattr(adapter, "close", None)
    if close is not None:
        try:
            close()
        except StakeplugError as exc:
            log.debug("closing %s failed: %s", getattr(adapter, "name", adapter), exc)


def load_config(path: str | os.PathLike[str]) -> Config:
    """Load ``stakeplug.toml`` from ``path`` and check every table.

    Raises :class:`~stakeplug.errors.ConfigError` (file, place, what to do) for a
    missing file, a TOML syntax error (with line and column), unknown tables or
    keys (with a did-you-mean), values out of range, and secrets written into
    the file (:class:`~stakeplug.errors.SecretInConfigError`, without the value).
    """
    data = read_toml(path)
    return config_from_mapping(data, path=str(path), base_dir=Path(path).resolve().parent)


def config_from_mapping(
    data: Mapping[str, Any], *, path: str | None = None, base_dir: str | os.PathLike[str] | None = None
) -> Config:
    """Check parsed TOML and build a :class:`Config`; relative paths resolve against ``base_dir``."""
    register = register_from_mapping(data, path=path)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    check = Checker(path)
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise check.fail("sources", "must be an array of tables: write each source as [[sources]]")
    sources: list[SourceConfig] = []
    for i, raw in enumerate(raw_sources):
        where = f"sources[{i}]"
        if not isinstance(raw, Mapping):
            raise check.fail(where, "must be a table: write each source as [[sources]]")
        adapter = _adapter_name(raw, where, check)
        name = raw.get("name", adapter)
        if not isinstance(name, str) or not name.strip():
            raise check.fail(f"{where}.name", "must be a non-empty string naming the source in reports")
        name = name.strip()
        if any(s.name == name for s in sources):
            raise check.fail(
                f"{where}.name",
                f"another source is already called {name!r}; give each [[sources]] a distinct name",
            )
        options = {k: v for k, v in raw.items() if k not in _RESERVED_SOURCE_KEYS}
        sources.append(SourceConfig(i, adapter, name, _resolve_paths(options, base)))

    tasks: TasksConfig | None = None
    if "tasks" in data:
        raw_tasks = data["tasks"]
        if not isinstance(raw_tasks, Mapping):
            raise check.fail("tasks", "must be a table: [tasks]")
        adapter = _adapter_name(raw_tasks, "tasks", check)
        flags: dict[str, bool] = {}
        for key in ("private", "allow_public"):
            value = raw_tasks.get(key, False)
            if not isinstance(value, bool):
                raise check.fail(f"tasks.{key}", f"must be true or false, got {value!r}")
            flags[key] = value
        options = {k: v for k, v in raw_tasks.items() if k not in _TASKS_OWN_KEYS}
        tasks = TasksConfig(
            adapter=adapter,
            private=flags["private"],
            allow_public=flags["allow_public"],
            options=_resolve_paths(options, base),
        )
    rules = data.get("rules", {})
    if not isinstance(rules, Mapping):
        raise check.fail("rules", "must be a table: [rules]")
    return Config(
        register=register,
        sources=tuple(sources),
        tasks=tasks,
        rules=dict(rules),
        path=path,
        limits=_limits(data.get("limits", {}), check),
        store=_store_table(data, check),
    )


def _store_table(data: Mapping[str, Any], check: Checker) -> dict[str, Any]:
    """The raw ``[store]`` table; its keys are checked by :func:`stakeplug.store.store_settings`."""
    store = data.get("store", {})
    if not isinstance(store, Mapping):
        raise check.fail("store", "must be a table: [store]")
    return dict(store)


_LIMIT_KEYS = ("request_seconds", "source_minutes", "run_minutes")


def _limits(raw: Any, check: Checker) -> Limits:
    """The ``[limits]`` table: each a positive number, up to a day."""
    table = check.table(raw, "limits")
    check.keys(table, _LIMIT_KEYS, "limits")
    default = Limits()
    request = check.number(table, "request_seconds", "limits", 1, 86_400)
    source = check.number(table, "source_minutes", "limits", 0.1, 1_440)
    run = check.number(table, "run_minutes", "limits", 0.1, 1_440)
    return Limits(
        request_seconds=default.request_seconds if request is None else request,
        source_seconds=default.source_seconds if source is None else source * 60,
        run_seconds=default.run_seconds if run is None else run * 60,
    )


def _adapter_name(raw: Mapping[str, Any], where: str, check: Checker) -> str:
    adapter = raw.get("adapter")
    if adapter is None:
        near = [k for k in raw if did_you_mean(k, ["adapter"])]
        hint = f" (is {near[0]!r} a misspelling?)" if near else ""
        raise check.fail(
            f"{where}.adapter",
            f'is required: name the adapter, e.g. adapter = "github"{hint}; '
            "`stakeplug adapters` lists the installed ones",
        )
    if not isinstance(adapter, str) or not adapter.strip():
        raise check.fail(f"{where}.adapter", f"must be an adapter name as a string, got {adapter!r}")
    return adapter.strip()


def _is_path_key(key: str) -> bool:
    return key == "path" or key.endswith(_PATH_SUFFIXES)


def _resolve_paths(options: Mapping[str, Any], base: Path) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for key, value in options.items():
        resolved[key] = value
        if _is_path_key(key) and isinstance(value, str) and value and "://" not in value:
            p = Path(value).expanduser()
            resolved[key] = str(p if p.is_absolute() else base / p)
    return resolved
