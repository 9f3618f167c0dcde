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
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from importlib import metadata
from types import MappingProxyType
from typing import Any

import attrs

from stakeplug.adapter import config_place
from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import AdapterLoadError, AdapterNotFoundError, ConfigError, StakeplugError

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterInfo",
    "available_adapters",
    "build_adapter",
    "get_adapter",
    "list_adapters",
    "refresh",
    "register_adapter",
    "unregister_adapter",
]

log = logging.getLogger("stakeplug.registry")

ENTRY_POINT_GROUP = "stakeplug.adapters"

FIRST_PARTY: Mapping[str, str] = MappingProxyType(
    {
        "jira": 'pip install "stakeplug[jira]"',
        "github": 'pip install "stakeplug[github]"',
        "trello": 'pip install "stakeplug[trello]"',
    }
)
"""Adapters the stakeplug project publishes, with the command that installs each."""

_lock = threading.Lock()
_registered: dict[str, Any] = {}
_loaded: dict[str, Any] = {}
_failed: dict[str, str] = {}
_warned_duplicates: set[str] = set()


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


def _entry_points() -> dict[str, metadata.EntryPoint]:
    found: dict[str, metadata.EntryPoint] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        first = found.setdefault(ep.name, ep)
        if first is not ep and first.value != ep.value and ep.name not in _warned_duplicates:
            _warned_duplicates.add(ep.name)
            log.warning(
                "two installed distributions declare the adapter %r (%s and %s); using %s",
                ep.name,
                first.value,
                ep.value,
                first.value,
            )
    return found


def _check_factory(name: str, factory: Any) -> str | None:
    """Why ``factory`` cannot serve as an adapter factory, or ``None`` when it can."""
    missing = [a for a in ("capabilities", "from_config") if not hasattr(factory, a)]
    if missing:
        return f"{factory!r} has no {' and no '.join(missing)}"
    if not callable(factory.from_config):
        return f"{factory!r}.from_config is not callable"
    return None


def refresh() -> None:
    """Forget which plugins were loaded or failed, so the next use imports them again.

    For a long-running process in which a plugin was installed or repaired.
    In-process registrations are kept.
    """
    with _lock:
        _loaded.clear()
        _failed.clear()
        _warned_duplicates.clear()


def available_adapters() -> tuple[str, ...]:
    """Names of every adapter that is registered or installed, loaded or not, sorted."""
    names = set(_registered) | set(_entry_points())
    return tuple(sorted(names))


def register_adapter(name: str, factory: Any, *, clobber: bool = False) -> None:
    """Register ``factory`` (usually an adapter class) under ``name`` in this process.

    Meant for tests and scripts that use an adapter without installing it.
    ``factory`` needs ``capabilities`` and a ``from_config`` classmethod.
    Refuses, with a :class:`~stakeplug.errors.ConfigError`, to replace an
    earlier registration or to shadow an installed adapter of the same name,
    unless ``clobber=True``.
    """
    if not isinstance(name, str) or not name:
        raise ConfigError(f"an adapter name must be a non-empty string, got {name!r}")
    problem = _check_factory(name, factory)
    if problem is not None:
        raise TypeError(f"cannot register adapter {name!r}: {problem}")
    with _lock:
        taken = name in _registered or name in _loaded
    if not clobber and (taken or name in _entry_points()):
        where = "registered in this process" if name in _registered else "installed"
        raise ConfigError(f"an adapter named {name!r} is already {where}; pass clobber=True to replace it")
    with _lock:
        _registered[name] = factory
        _loaded.pop(name, None)
    log.debug("adapter %r registered in-process: %r", name, factory)


def unregister_adapter(name: str) -> None:
    """Remove an in-process registration (entry points are not affected)."""
    with _lock:
        _registered.pop(name, None)
        _loaded.pop(name, None)


def _not_found(name: str) -> AdapterNotFoundError:
    installed = tuple(n for n in available_adapters() if n not in _failed)
    listing = ", ".join(installed) or "none"
    hint = FIRST_PARTY.get(name)
    fix = f"; install it with: {hint}" if hint else ""
    broken = sorted(_failed)
    if broken:
        fix += f" (installed but broken: {', '.join(broken)}; see `stakeplug adapters`)"
    return AdapterNotFoundError(
        f"no adapter named {name!r}{did_you_mean(name, installed)}; installed: {listing}{fix}",
        name=name,
        installed=installed,
    )


def get_adapter(name: str) -> Any:
    """Return the adapter factory registered as ``name``, loading it on first use.

    Raises :class:`~stakeplug.errors.AdapterNotFoundError` listing the installed
    adapters (with the install command for first-party ones), or
    :class:`~stakeplug.errors.AdapterLoadError` when the plugin fails to import.
    """
    return _factory(name, None)


def _factory(name: str, eps: Mapping[str, metadata.EntryPoint] | None) -> Any:
    """:func:`get_adapter`, with the installed entry points when the caller has read them."""
    with _lock:
        if name in _registered:
            return _registered[name]
        if name in _loaded:
            return _loaded[name]
        failed = _failed.get(name)
    ep = (_entry_points() if eps is None else eps).get(name)
    if ep is None:
        raise _not_found(name)
    if failed is not None:
        raise AdapterLoadError(f"adapter {name!r} is installed but failed to load: {failed}")
    try:
        factory = ep.load()
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        with _lock:
            _failed[name] = f"{ep.value}: {reason}"
        log.warning("adapter %r (%s) failed to load and is skipped: %s", name, ep.value, reason)
        raise AdapterLoadError(
            f"adapter {name!r} is installed but failed to load ({ep.value}): {reason}"
        ) from exc
    problem = _check_factory(name, factory)
    if problem is not None:
        with _lock:
            _failed[name] = f"{ep.value}: {problem}"
        log.warning("adapter %r (%s) is not an adapter and is skipped: %s", name, ep.value, problem)
        raise AdapterLoadError(f"adapter {name!r} ({ep.value}) is not an adapter: {problem}")
    with _lock:
        _loaded[name] = factory
    return factory


def list_adapters() -> list[AdapterInfo]:
    """Describe every installed or registered adapter; broken plugins are listed with their error.

    This is what ``stakeplug adapters`` prints.
    """
    infos: list[AdapterInfo] = []
    eps = _entry_points()
    for name in sorted(set(_registered) | set(eps)):
        origin = "registered in-process" if name in _registered else "entry point"
        dist_name: str | None = None
        version: str | None = None
        ep = eps.get(name)
        if ep is not None and name not in _registered:
            dist = getattr(ep, "dist", None)
            if dist is not None:
                dist_name = dist.metadata["Name"]
                version = dist.version
        try:
            factory = _factory(name, eps)
        except AdapterLoadError as exc:
            infos.append(AdapterInfo(name, dist_name, version, (), origin, error=str(exc)))
            continue
        caps = getattr(factory, "capabilities", None)
        names = caps.names() if caps is not None else ()
        version = version or getattr(factory, "version", None)
        infos.append(AdapterInfo(name, dist_name, version, names, origin))
    return infos


def build_adapter(
    name: str,
    config: Mapping[str, Any] | None = None,
    *,
    where: str | None = None,
    env: Mapping[str, str] | None = None,
    **options: Any,
) -> Any:
    """Build adapter ``name`` from a config mapping and/or keyword options.

    ``where`` (``sources[2]``) is prefixed to configuration errors so the user
    knows which table of their config is wrong.  A plugin whose ``from_config``
    fails with anything but a stakeplug error has a bug: that is an
    :class:`~stakeplug.errors.AdapterLoadError` naming the adapter.
    """
    factory = get_adapter(name)
    merged = {**(config or {}), **options}
    try:
        return factory.from_config(merged, env=env, where=where)
    except StakeplugError:
        raise
    except Exception as exc:
        raise AdapterLoadError(
            f"{config_place(name, where)}: the adapter failed to build: {type(exc).__name__}: {exc}"
        ) from exc
