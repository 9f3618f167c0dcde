"""The adapter registry: real entry points from a temporary distribution, lazy loading,
broken plugins skipped, clear errors, in-process registration."""

from __future__ import annotations

import logging
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import stakeplug
from stakeplug import (
    available_adapters,
    build_adapter,
    get_adapter,
    list_adapters,
    register_adapter,
    unregister_adapter,
)
from stakeplug.errors import AdapterLoadError, AdapterNotFoundError, ConfigError
from stakeplug.plugins.registry import AdapterRegistry, refresh
from stakeplug.sources.file import FileAdapter
from stakeplug.testing import MemoryAdapter

GOOD_MODULE = """
from stakeplug.testing import MemoryAdapter

class GoodAdapter(MemoryAdapter):
    name = "{name}"
    version = "2.5"
"""


class Plugins:
    """A temporary directory on sys.path holding plugin distributions (dist-info + module)."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch):
        self.root = root
        monkeypatch.syspath_prepend(str(root))
        self.names: list[str] = []
        self.modules: list[str] = []

    def add(self, dist: str, entry: str, module: str, code: str, version: str = "1.0") -> str:
        """Install distribution ``dist`` with one entry point ``entry = module:...``."""
        suffix = uuid.uuid4().hex[:8]
        name = f"{entry}_{suffix}"
        module_name = f"{module}_{suffix}"
        info = self.root / f"{dist}_{suffix}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}-{suffix}\nVersion: {version}\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            f"[stakeplug.adapters]\n{name} = {module_name}:GoodAdapter\n", encoding="utf-8"
        )
        (self.root / f"{module_name}.py").write_text(
            textwrap.dedent(code.format(name=name)), encoding="utf-8"
        )
        self.names.append(name)
        self.modules.append(module_name)
        return name


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Plugins]:
    found = Plugins(tmp_path, monkeypatch)
    yield found
    for module in found.modules:
        sys.modules.pop(module, None)
    refresh()


def test_an_installed_plugin_is_found_and_loaded_lazily(plugins: Plugins) -> None:
    """A distribution's entry point is listed by name, and imported only when first used."""
    name = plugins.add("goodplug", "good", "goodplug", GOOD_MODULE)
    assert name in available_adapters()
    assert plugins.modules[0] not in sys.modules
    factory = get_adapter(name)
    assert plugins.modules[0] in sys.modules
    assert factory.name == name
    assert get_adapter(name) is factory


def test_a_plugin_that_raises_at_import_is_logged_and_skipped(
    plugins: Plugins, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken plugin raises AdapterLoadError when asked for; the other adapters keep working."""
    good = plugins.add("goodplug", "good", "goodplug", GOOD_MODULE)
    broken = plugins.add("brokenplug", "broken", "brokenplug", "raise RuntimeError('boom at import')\n")
    caplog.set_level(logging.WARNING, logger="stakeplug")
    with pytest.raises(AdapterLoadError, match="boom at import") as info:
        get_adapter(broken)
    assert isinstance(info.value, ImportError)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(broken in m and "skipped" in m for m in warnings)
    with pytest.raises(AdapterLoadError):
        get_adapter(broken)
    assert len([r for r in caplog.records if broken in r.getMessage()]) == 1, "logged once"

    infos = {i.name: i for i in list_adapters()}
    assert "boom at import" in (infos[broken].error or "")
    assert infos[good].error is None
    assert infos[good].version == "1.0"
    assert infos["file"].error is None
    assert get_adapter("file") is FileAdapter


def test_an_entry_point_that_is_not_an_adapter_is_a_load_error(plugins: Plugins) -> None:
    """An entry point naming something without capabilities or from_config is refused."""
    name = plugins.add("oddplug", "odd", "oddplug", "GoodAdapter = 42\n")
    with pytest.raises(AdapterLoadError, match="is not an adapter"):
        get_adapter(name)


def test_unknown_name_lists_installed_adapters() -> None:
    """Asking for a missing adapter names what is installed and suggests a close name."""
    with pytest.raises(AdapterNotFoundError) as info:
        get_adapter("fil")
    assert isinstance(info.value, LookupError)
    assert "did you mean 'file'?" in str(info.value)
    assert "file" in info.value.installed
    assert "installed: " in str(info.value)


def _distribution(root: Path, name: str, metadata: str, top_level: str | None = None) -> None:
    """Install a bare distribution ``name`` into ``root``: its METADATA lines and its top-level modules."""
    info = root / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n{metadata}", encoding="utf-8"
    )
    if top_level is not None:
        (info / "top_level.txt").write_text(top_level, encoding="utf-8")


def test_a_missing_adapter_the_core_has_an_extra_for_comes_with_its_install_command(
    plugins: Plugins,
) -> None:
    """The install hint comes from the extras the core distribution declares, not from a list of names."""
    core = f"fakecore-{uuid.uuid4().hex[:6]}"
    _distribution(plugins.root, core, "Provides-Extra: tracker\n")
    registry = AdapterRegistry(distribution=core)
    with pytest.raises(AdapterNotFoundError) as info:
        registry.get("tracker")
    assert f'pip install "{core}[tracker]"' in str(info.value)
    assert info.value.name == "tracker"


def test_no_install_hint_for_an_extra_that_does_not_exist() -> None:
    """A missing adapter that no extra of stakeplug installs gets no pip command."""
    with pytest.raises(AdapterNotFoundError) as info:
        get_adapter("nosuchtracker")
    assert "pip install" not in str(info.value)
    assert info.value.name == "nosuchtracker"


def test_first_party_extras_of_the_installed_core_give_their_install_command() -> None:
    """The jira and github extras of the installed stakeplug give ``pip install "stakeplug[...]"``."""
    assert AdapterRegistry().install_hint("jira") == 'pip install "stakeplug[jira]"'
    assert AdapterRegistry().install_hint("github") == 'pip install "stakeplug[github]"'


def test_plugin_and_library_loggers_come_from_the_installed_distributions(plugins: Plugins) -> None:
    """A plugin's package and the libraries its distribution requires are named without importing it."""
    name = plugins.add("logplug", "logged", "logplug", GOOD_MODULE)
    module = plugins.modules[-1]
    lib = f"somelib_{uuid.uuid4().hex[:6]}"
    _distribution(plugins.root, lib, "", top_level=f"{lib}_pkg\n")
    info = plugins.root / f"{module}-1.0.dist-info"
    with (info / "METADATA").open("a", encoding="utf-8") as f:
        f.write(
            f"Requires-Dist: {lib}>=1\nRequires-Dist: stakeplug>=0.1\nRequires-Dist: pytest; extra == 'x'\n"
        )
    registry = AdapterRegistry()
    assert module in registry.logger_names()
    assert "stakeplug" not in registry.logger_names()
    libraries = registry.library_logger_names()
    assert f"{lib}_pkg" in libraries
    assert "pytest" not in libraries and "stakeplug" not in libraries
    assert module not in sys.modules, "naming the loggers imports no plugin"
    assert name in registry.available()


def test_register_adapter_in_process_and_refuse_silent_overwrite() -> None:
    """A script registers an adapter; a second registration of the name needs clobber=True."""
    name = f"scripted_{uuid.uuid4().hex[:6]}"
    register_adapter(name, MemoryAdapter)
    try:
        assert get_adapter(name) is MemoryAdapter
        assert name in available_adapters()
        with pytest.raises(ConfigError, match="already registered"):
            register_adapter(name, FileAdapter)
        register_adapter(name, FileAdapter, clobber=True)
        assert get_adapter(name) is FileAdapter
        info = next(i for i in list_adapters() if i.name == name)
        assert info.origin == "registered in-process"
        assert info.capabilities == FileAdapter.capabilities.names()
    finally:
        unregister_adapter(name)
    assert name not in available_adapters()


def test_register_adapter_refuses_to_shadow_an_installed_adapter() -> None:
    """Registering under an installed adapter's name is refused unless clobbered."""
    with pytest.raises(ConfigError, match="already installed"):
        register_adapter("file", MemoryAdapter)
    register_adapter("file", MemoryAdapter, clobber=True)
    try:
        assert get_adapter("file") is MemoryAdapter
    finally:
        unregister_adapter("file")
    assert get_adapter("file") is FileAdapter


def test_register_adapter_refuses_what_is_not_an_adapter() -> None:
    """A factory without capabilities and from_config is refused at registration."""
    with pytest.raises(TypeError, match="capabilities"):
        register_adapter("nothing", object())


def test_build_adapter_merges_table_and_keywords_and_names_the_source(tmp_path: Path) -> None:
    """Keyword options override the table; errors name the place given as ``where``."""
    path = tmp_path / "a.jsonl"
    path.write_text("", encoding="utf-8")
    adapter = build_adapter("file", {"adapter": "file", "path": "elsewhere"}, path=str(path))
    assert isinstance(adapter, FileAdapter) and adapter.path == path
    with pytest.raises(ConfigError, match=r"^sources\[4\] \(file\): unknown key 'colour'"):
        build_adapter("file", {"path": str(path), "colour": "red"}, where="sources[4]")


def test_list_adapters_reports_version_and_capabilities() -> None:
    """The file source is listed with its distribution's version and its capabilities."""
    info = next(i for i in list_adapters() if i.name == "file")
    assert info.distribution == "stakeplug"
    assert info.version == stakeplug.__version__
    assert "comments" in info.capabilities
    assert "posts_tasks" not in info.capabilities
    assert info.origin == "entry point"


class BuggyAdapter(MemoryAdapter):
    @classmethod
    def from_config(cls, config: Any, *, env: Any = None, where: str | None = None) -> MemoryAdapter:
        raise KeyError("token")


def test_a_plugin_failing_to_build_is_a_load_error_naming_it() -> None:
    """A plugin bug in from_config surfaces as AdapterLoadError with the source and adapter."""
    name = f"buggy_{uuid.uuid4().hex[:6]}"
    register_adapter(name, BuggyAdapter)
    try:
        with pytest.raises(AdapterLoadError, match=rf"^sources\[0\] \({name}\): the adapter failed to build"):
            build_adapter(name, {}, where="sources[0]")
    finally:
        unregister_adapter(name)
