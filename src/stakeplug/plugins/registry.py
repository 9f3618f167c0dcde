"""Finding adapters: the ``stakeplug.adapters`` entry-point group plus in-process registrations.

Every adapter, the first-party ones included, is published through the
entry-point group ``stakeplug.adapters``::

    [project.entry-points."stakeplug.adapters"]
    mytool = "my_package:MyToolAdapter"

The group is read when names are asked for, and each plugin is imported
lazily, only when its name is first used, so a broken plugin cannot stop
``import stakeplug``.  A plugin whose import fails is logged once and
remembered as broken (:func:`list_adapters` shows why); the others keep
working.  :func:`register_adapter` adds an adapter in-process for tests and
scripts; it refuses to replace a name silently.

All of this state lives in one :class:`AdapterRegistry`; the module-level
functions are that of the process-wide :data:`registry`.  The core names no
adapter: install hints come from the extras the installed ``stakeplug``
distribution declares, and the loggers of plugins from their entry points.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from importlib import metadata
from typing import Any, cast

import attrs

from stakeplug.adapter import Adapter, AdapterFactory, config_place
from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import AdapterLoadError, AdapterNotFoundError, ConfigError, StakeplugError

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterInfo",
    "AdapterRegistry",
    "available_adapters",
    "build_adapter",
    "get_adapter",
    "library_loggers",
    "list_adapters",
    "plugin_loggers",
    "refresh",
    "register_adapter",
    "registry",
    "unregister_adapter",
]

log = logging.getLogger("stakeplug.registry")

ENTRY_POINT_GROUP = "stakeplug.adapters"
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
CORE_DISTRIBUTION = "stakeplug"
"""The distribution whose extras (``stakeplug[jira]``) install first-party adapters."""


@attrs.frozen
class AdapterInfo:
    """One installed adapter, as :func:`list_adapters` describes it."""

    name: str
    distribution: str | None
    version: str | None
    capabilities: tuple[str, ...]
    origin: str
    """``entry point`` or ``registered in-process``."""
    error: str | None = None
    """Why the adapter could not be loaded, when it could not."""


def _check_factory(factory: object) -> str | None:
    """Why ``factory`` cannot serve as an adapter factory, or ``None`` when it can."""
    missing = [a for a in ("capabilities", "from_config") if not hasattr(factory, a)]
    if missing:
        return f"{factory!r} has no {' and no '.join(missing)}"
    if not callable(getattr(factory, "from_config")):  # noqa: B009  (checked for presence above)
        return f"{factory!r}.from_config is not callable"
    return None


def _top_module(dotted: str) -> str:
    return dotted.split(":", 1)[0].split(".", 1)[0].strip()


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _required_name(requirement: str) -> str | None:
    """The distribution a ``Requires-Dist`` line names, or ``None`` when only an extra needs it."""
    if "extra" in requirement.partition(";")[2]:
        return None
    m = _REQUIREMENT_NAME.match(requirement)
    return m.group(0) if m else None


def _top_level_modules(distribution: str) -> set[str]:
    """The importable top-level names of an installed distribution (its own name when not recorded)."""
    try:
        listed = metadata.distribution(distribution).read_text("top_level.txt")
    except metadata.PackageNotFoundError:
        return set()
    if listed:
        return {line.strip() for line in listed.splitlines() if line.strip()}
    return {_normalize(distribution).replace("-", "_")}


class AdapterRegistry:
    """The adapters of one process: installed entry points and in-process registrations.

    ``group`` is the entry-point group to read and ``distribution`` the
    installed distribution whose extras give the install hints; both have
    defaults, and a test builds a registry of its own with other values.
    """

    def __init__(self, group: str = ENTRY_POINT_GROUP, distribution: str = CORE_DISTRIBUTION) -> None:
        self.group = group
        self.distribution = distribution
        self._lock = threading.Lock()
        self._registered: dict[str, AdapterFactory] = {}
        self._loaded: dict[str, AdapterFactory] = {}
        self._failed: dict[str, str] = {}
        self._warned_duplicates: set[str] = set()

    def entry_points(self) -> dict[str, metadata.EntryPoint]:
        """The installed entry points by adapter name; a name declared twice is warned about once."""
        found: dict[str, metadata.EntryPoint] = {}
        for ep in metadata.entry_points(group=self.group):
            first = found.setdefault(ep.name, ep)
            if first is not ep and first.value != ep.value and ep.name not in self._warned_duplicates:
                self._warned_duplicates.add(ep.name)
                log.warning(
                    "two installed distributions declare the adapter %r (%s and %s); using %s",
                    ep.name,
                    first.value,
                    ep.value,
                    first.value,
                )
        return found

    def refresh(self) -> None:
        """Forget which plugins were loaded or failed, so the next use imports them again.

        For a long-running process in which a plugin was installed or repaired.
        In-process registrations are kept.
        """
        with self._lock:
            self._loaded.clear()
            self._failed.clear()
            self._warned_duplicates.clear()

    def available(self) -> tuple[str, ...]:
        """Names of every adapter that is registered or installed, loaded or not, sorted."""
        return tuple(sorted(set(self._registered) | set(self.entry_points())))

    def register(self, name: str, factory: object, *, clobber: bool = False) -> None:
        """Register ``factory`` under ``name``; see :func:`register_adapter`."""
        if not isinstance(name, str) or not name:
            raise ConfigError(f"an adapter name must be a non-empty string, got {name!r}")
        problem = _check_factory(factory)
        if problem is not None:
            raise TypeError(f"cannot register adapter {name!r}: {problem}")
        with self._lock:
            taken = name in self._registered or name in self._loaded
        if not clobber and (taken or name in self.entry_points()):
            where = "registered in this process" if name in self._registered else "installed"
            raise ConfigError(
                f"an adapter named {name!r} is already {where}; pass clobber=True to replace it"
            )
        with self._lock:
            self._registered[name] = cast(AdapterFactory, factory)
            self._loaded.pop(name, None)
        log.debug("adapter %r registered in-process: %r", name, factory)

    def unregister(self, name: str) -> None:
        """Remove an in-process registration (entry points are not affected)."""
        with self._lock:
            self._registered.pop(name, None)
            self._loaded.pop(name, None)

    def install_hint(self, name: str) -> str | None:
        """The command that installs adapter ``name``, when the core distribution has an extra so named."""
        try:
            extras = metadata.metadata(self.distribution).get_all("Provides-Extra") or []
        except metadata.PackageNotFoundError:
            return None
        if name in extras:
            return f'pip install "{self.distribution}[{name}]"'
        return None

    def not_found(self, name: str) -> AdapterNotFoundError:
        """The error for a name nothing provides: what is installed, a close name, how to install it."""
        installed = tuple(n for n in self.available() if n not in self._failed)
        listing = ", ".join(installed) or "none"
        hint = self.install_hint(name)
        fix = f"; install it with: {hint}" if hint else ""
        broken = sorted(self._failed)
        if broken:
            fix += f" (installed but broken: {', '.join(broken)}; see `stakeplug adapters`)"
        return AdapterNotFoundError(
            f"no adapter named {name!r}{did_you_mean(name, installed)}; installed: {listing}{fix}",
            name=name,
            installed=installed,
        )

    def get(self, name: str, eps: Mapping[str, metadata.EntryPoint] | None = None) -> AdapterFactory:
        """The factory of adapter ``name``, loaded on first use; see :func:`get_adapter`.

        ``eps`` are the installed entry points when the caller has read them already.
        """
        with self._lock:
            known = self._registered.get(name) or self._loaded.get(name)
            failed = self._failed.get(name)
        if known is not None:
            return known
        ep = (self.entry_points() if eps is None else eps).get(name)
        if ep is None:
            raise self.not_found(name)
        if failed is not None:
            raise AdapterLoadError(f"adapter {name!r} is installed but failed to load: {failed}")
        factory = self._load(name, ep)
        with self._lock:
            self._loaded[name] = factory
        return factory

    def _load(self, name: str, ep: metadata.EntryPoint) -> AdapterFactory:
        """Import the entry point and check it is an adapter; a failure is remembered and logged once."""
        try:
            factory: object = ep.load()
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            with self._lock:
                self._failed[name] = f"{ep.value}: {reason}"
            log.warning("adapter %r (%s) failed to load and is skipped: %s", name, ep.value, reason)
            raise AdapterLoadError(
                f"adapter {name!r} is installed but failed to load ({ep.value}): {reason}"
            ) from exc
        problem = _check_factory(factory)
        if problem is not None:
            with self._lock:
                self._failed[name] = f"{ep.value}: {problem}"
            log.warning("adapter %r (%s) is not an adapter and is skipped: %s", name, ep.value, problem)
            raise AdapterLoadError(f"adapter {name!r} ({ep.value}) is not an adapter: {problem}")
        return cast(AdapterFactory, factory)

    def describe(self) -> list[AdapterInfo]:
        """Every installed or registered adapter; see :func:`list_adapters`."""
        infos: list[AdapterInfo] = []
        eps = self.entry_points()
        for name in sorted(set(self._registered) | set(eps)):
            origin = "registered in-process" if name in self._registered else "entry point"
            dist_name: str | None = None
            version: str | None = None
            ep = eps.get(name)
            if ep is not None and name not in self._registered and ep.dist is not None:
                dist_name = ep.dist.metadata["Name"]
                version = ep.dist.version
            try:
                factory = self.get(name, eps)
            except AdapterLoadError as exc:
                infos.append(AdapterInfo(name, dist_name, version, (), origin, error=str(exc)))
                continue
            caps = getattr(factory, "capabilities", None)
            names = caps.names() if caps is not None else ()
            version = version or getattr(factory, "version", None)
            infos.append(AdapterInfo(name, dist_name, version, names, origin))
        return infos

    def build(
        self,
        name: str,
        config: Mapping[str, Any] | None = None,
        *,
        where: str | None = None,
        env: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Adapter:
        """Build adapter ``name``; see :func:`build_adapter`."""
        factory = self.get(name)
        merged = {**(config or {}), **options}
        try:
            return factory.from_config(merged, env=env, where=where)
        except StakeplugError:
            raise
        except Exception as exc:
            raise AdapterLoadError(
                f"{config_place(name, where)}: the adapter failed to build: {type(exc).__name__}: {exc}"
            ) from exc

    def logger_names(self) -> tuple[str, ...]:
        """The top-level packages of the adapters outside ``stakeplug``, whose loggers the command sets up.

        Read from the entry points' module paths and the registered factories'
        modules, without importing any plugin.
        """
        modules = {_top_module(ep.value) for ep in self.entry_points().values()}
        modules |= {_top_module(getattr(f, "__module__", "") or "") for f in self._registered.values()}
        return tuple(sorted(m for m in modules if m and m != "stakeplug"))

    def library_logger_names(self) -> tuple[str, ...]:
        """The top-level packages of the libraries the installed adapters require (``jira``...).

        Read from the adapters' distribution metadata; the core itself and the
        adapters' own packages are left out.
        """
        own = set(self.logger_names()) | {"stakeplug"}
        found: set[str] = set()
        for ep in self.entry_points().values():
            if ep.dist is None or _normalize(ep.dist.metadata["Name"]) == _normalize(self.distribution):
                continue
            for requirement in ep.dist.requires or ():
                name = _required_name(requirement)
                if name is not None and _normalize(name) != _normalize(self.distribution):
                    found.update(_top_level_modules(name))
        return tuple(sorted(found - own))


registry = AdapterRegistry()
"""The process-wide registry behind the module-level functions."""


def refresh() -> None:
    """Forget which plugins were loaded or failed, so the next use imports them again.

    For a long-running process in which a plugin was installed or repaired.
    In-process registrations are kept.
    """
    registry.refresh()


def available_adapters() -> tuple[str, ...]:
    """Names of every adapter that is registered or installed, loaded or not, sorted."""
    return registry.available()


def register_adapter(name: str, factory: Any, *, clobber: bool = False) -> None:
    """Register ``factory`` (usually an adapter class) under ``name`` in this process.

    Meant for tests and scripts that use an adapter without installing it.
    ``factory`` needs ``capabilities`` and a ``from_config`` classmethod.
    Refuses, with a :class:`~stakeplug.errors.ConfigError`, to replace an
    earlier registration or to shadow an installed adapter of the same name,
    unless ``clobber=True``.
    """
    registry.register(name, factory, clobber=clobber)


def unregister_adapter(name: str) -> None:
    """Remove an in-process registration (entry points are not affected)."""
    registry.unregister(name)


def get_adapter(name: str) -> AdapterFactory:
    """Return the adapter factory registered as ``name``, loading it on first use.

    Raises :class:`~stakeplug.errors.AdapterNotFoundError` listing the installed
    adapters (with the install command when an extra of the core installs it), or
    :class:`~stakeplug.errors.AdapterLoadError` when the plugin fails to import.
    """
    return registry.get(name)


def list_adapters() -> list[AdapterInfo]:
    """Describe every installed or registered adapter; broken plugins are listed with their error.

    This is what ``stakeplug adapters`` prints.
    """
    return registry.describe()


def plugin_loggers() -> tuple[str, ...]:
    """The logger names of the adapters that do not log under ``stakeplug``."""
    return registry.logger_names()


def library_loggers() -> tuple[str, ...]:
    """The logger names of the libraries the installed adapters require."""
    return registry.library_logger_names()


def build_adapter(
    name: str,
    config: Mapping[str, Any] | None = None,
    *,
    where: str | None = None,
    env: Mapping[str, str] | None = None,
    **options: Any,
) -> Adapter:
    """Build adapter ``name`` from a config mapping and/or keyword options.

    ``where`` (``sources[2]``) is prefixed to configuration errors so the user
    knows which table of their config is wrong.  A plugin whose ``from_config``
    fails with anything but a stakeplug error has a bug: that is an
    :class:`~stakeplug.errors.AdapterLoadError` naming the adapter.
    """
    return registry.build(name, config, where=where, env=env, **options)
