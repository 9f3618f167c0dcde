"""A task target whose tasks outlive one run, and the demo project that posts into it.

Every build of the registered ``tracker`` adapter returns the same in-memory
adapter, so a test sees what one or more real ``stakeplug audit --post`` runs did.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

import pytest

import stakeplug
from stakeplug import demo
from stakeplug.testing import MemoryAdapter


class SharedTracker:
    """The ``tracker`` adapter: its options are the memory adapter's, its store is one object."""

    name: ClassVar[str] = "tracker"
    version: ClassVar[str] = "1.0"
    capabilities = MemoryAdapter.capabilities
    OPTIONS = MemoryAdapter.OPTIONS
    store: ClassVar[MemoryAdapter]

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, env: Mapping[str, str] | None = None, where: str | None = None
    ) -> MemoryAdapter:
        MemoryAdapter.from_config({**config, "seed": "empty"}, env=env, where=where)
        return cls.store


def serve_tracker(
    monkeypatch: pytest.MonkeyPatch, store: MemoryAdapter, token: str
) -> Iterator[MemoryAdapter]:
    """Register ``store`` as the ``tracker`` adapter for one test (use from a fixture with ``yield from``)."""
    SharedTracker.store = store
    stakeplug.register_adapter("tracker", SharedTracker, clobber=True)
    monkeypatch.setenv("TRACKER_TOKEN", token)
    monkeypatch.delenv("CI", raising=False)
    yield store
    stakeplug.unregister_adapter("tracker")


def demo_project(folder: Path, *, private: bool = False, tasks: bool = True) -> Path:
    """The demo's files in ``folder``, with ``[tasks]`` posting into the ``tracker`` adapter."""
    for name in demo.FILES:
        (folder / name).write_bytes(files("stakeplug.demo").joinpath(name).read_bytes())
    config = folder / "stakeplug.toml"
    if tasks:
        with config.open("a", encoding="utf-8") as fh:
            fh.write(
                '\n[tasks]\nadapter = "tracker"\ntoken_env = "TRACKER_TOKEN"\n'
                f"private = {'true' if private else 'false'}\n"
            )
    return config
