"""Packaging: every declared adapter entry point resolves, and plugins use only the public API."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from stakeplug.adapter import Capabilities

ROOT = Path(__file__).resolve().parents[1]
GROUP = "stakeplug.adapters"


def _projects() -> list[Path]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    members = root.get("tool", {}).get("uv", {}).get("workspace", {}).get("members", [])
    found = [ROOT]
    for pattern in members:
        found.extend(sorted(p for p in ROOT.glob(pattern) if (p / "pyproject.toml").is_file()))
    return found


def _declared() -> list[tuple[str, str, str]]:
    """(distribution, entry-point name, target) for every adapter declared in the workspace."""
    rows = []
    for project_dir in _projects():
        project = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        for name, target in project.get("entry-points", {}).get(GROUP, {}).items():
            rows.append((project["name"], name, target))
    return rows


DECLARED = _declared()


def test_the_workspace_declares_adapters() -> None:
    """The root declares ``file`` and the example declares ``mbox``."""
    names = {name for _, name, _ in DECLARED}
    assert {"file", "mbox"} <= names


@pytest.mark.parametrize(("dist", "name", "target"), DECLARED, ids=[row[1] for row in DECLARED])
def test_every_declared_entry_point_resolves(dist: str, name: str, target: str) -> None:
    """Each declared entry point is installed and loads an adapter factory of that name."""
    installed = {ep.name: ep for ep in metadata.entry_points(group=GROUP)}
    assert name in installed, f"{dist} is not installed (uv sync)"
    ep = installed[name]
    assert ep.value == target
    assert ep.dist is not None and ep.dist.metadata["Name"] == dist
    factory: Any = ep.load()
    assert factory.name == name
    assert isinstance(factory.capabilities, Capabilities)
    assert callable(factory.from_config)
    assert isinstance(getattr(factory, "version", None), str)


def _plugin_sources() -> list[Path]:
    files: list[Path] = []
    for project_dir in _projects()[1:]:
        files.extend(sorted((project_dir / "src").rglob("*.py")))
    return files


@pytest.mark.parametrize("path", _plugin_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_import_only_the_public_api(path: Path) -> None:
    """Adapter distributions import nothing from stakeplug's private modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        for module in modules:
            parts = module.split(".")
            if parts[0] == "stakeplug":
                private = [p for p in parts[1:] if p.startswith("_")]
                assert not private, f"{path.name}: imports private {module}"


def test_the_kit_imports_without_pytest_until_the_contract_is_asked_for() -> None:
    """stakeplug.testing works without pytest; only AdapterContract needs the testing extra."""
    code = (
        "import sys; sys.modules['pytest'] = None\n"
        "import stakeplug.testing as t\n"
        "t.MemoryAdapter(t.sample_activities())\n"
        "try:\n"
        "    t.AdapterContract\n"
        "except ImportError as exc:\n"
        "    print('hint:', exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert 'hint: stakeplug.testing.AdapterContract needs pytest: pip install "stakeplug[testing]"' in out


def test_pytest_is_only_in_the_testing_extra() -> None:
    """The core distribution does not depend on pytest; the testing extra does."""
    requires = metadata.requires("stakeplug") or []
    core = [r for r in requires if "extra ==" not in r]
    assert not any(r.startswith("pytest") for r in core)
    testing = [r for r in requires if r.startswith("pytest")]
    assert testing and all("testing" in r.split(";", 1)[1] for r in testing)
