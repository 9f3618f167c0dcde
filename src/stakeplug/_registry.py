"""Finding adapters: the ``stakeplug.adapters`` entry-point group plus in-process registrations.

Entry points are read once and loaded lazily, one name at a time.  A plugin
whose import fails is logged and skipped; the others keep working.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from importlib import metadata
from types import MappingProxyType
from typing import Any

import attrs

from stakeplug.errors import AdapterLoadError, AdapterNotFoundError, ConfigError

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterInfo",
    "available_adapters",
    "build_adapter",
    "get_adapter",
    "list_adapters",
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
        found.setdefault(ep.name, ep)
    return found


def available_adapters() -> tuple[str, ...]:
    """Names of every adapter that is registered or installed, loaded or not, sorted."""
    names = set(_registered) | set(_entry_points())
    return tuple(sorted(names))


def register_adapter(name: str, factory: Any, *, clobber: bool = False) -> None:
    """Register ``factory`` (usually an adapter class) under ``name`` in this process.

    Meant for tests and scripts that use an adapter without installing it.
    Refuses to replace an existing registration unless ``clobber=True``.
    """
    with _lock:
        if not clobber and (name in _registered or name in _loaded):
            raise ValueError(
                f"an adapter named {name!r} is already registered; "
                "pass clobber=True to replace it"
            )
        _registered[name] = factory
        _loaded.pop(name, None)


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
    from stakeplug._suggest import did_you_mean

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
    with _lock:
        if name in _registered:
            return _registered[name]
        if name in _loaded:
            return _loaded[name]
    ep = _entry_points().get(name)
    if ep is None:
        raise _not_found(name)
    try:
        factory = ep.load()
    except Exception as exc:
        _failed[name] = f"{type(exc).__name__}: {exc}"
        log.warning("adapter %r (%s) failed to load and is skipped: %s", name, ep.value, exc)
        raise AdapterLoadError(
            f"adapter {name!r} is installed but failed to load ({ep.value}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    with _lock:
        _loaded[name] = factory
    return factory


def list_adapters() -> list[AdapterInfo]:
    """Describe every installed or registered adapter; broken plugins are listed with their error.

    This is what ``stakeplug adapters`` prints.
    """
    infos: list[AdapterInfo] = []
    eps = _entry_points()
    for name in available_adapters():
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
            factory = get_adapter(name)
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
    knows which table of their config is wrong.
    """
    factory = get_adapter(name)
    merged = {**(config or {}), **options}
    return factory.from_config(merged, env=env, where=where)
