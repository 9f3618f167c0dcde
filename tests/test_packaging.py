"""Packaging: entry points resolve, plugins use only the public API, and every distribution is complete."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

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


# ----------------------------------------------------------------- distributions as released


def _pyproject(project_dir: Path) -> dict[str, Any]:
    return tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))


def _first_party() -> list[Path]:
    """The core and the adapters its extras name: the distributions released together."""
    extras = _pyproject(ROOT)["project"]["optional-dependencies"]
    named = {Requirement(r).name for reqs in extras.values() for r in reqs}
    return [d for d in _projects() if _pyproject(d)["project"]["name"] in named | {"stakeplug"}]


CORE_VERSION = Version(_pyproject(ROOT)["project"]["version"])
NEXT_MINOR = Version(f"{CORE_VERSION.major}.{CORE_VERSION.minor + 1}.0")
PROJECTS = _projects()
PROJECT_IDS = [_pyproject(d)["project"]["name"] for d in PROJECTS]


@pytest.mark.parametrize("project_dir", PROJECTS, ids=PROJECT_IDS)
def test_every_distribution_ships_typing_marker_licence_and_readme(project_dir: Path) -> None:
    """Each package a wheel takes has py.typed; the project has the repository's LICENSE and a README."""
    data = _pyproject(project_dir)
    for package in data["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]:
        assert (project_dir / package / "py.typed").is_file(), f"add {package}/py.typed"
    project = data["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    licence = project_dir / "LICENSE"
    assert licence.read_bytes() == (ROOT / "LICENSE").read_bytes(), f"copy the root LICENSE to {licence}"
    assert project["readme"] == "README.md" and (project_dir / "README.md").stat().st_size > 200


@pytest.mark.parametrize("project_dir", PROJECTS, ids=PROJECT_IDS)
def test_every_distribution_has_complete_metadata(project_dir: Path) -> None:
    """Classifiers, project URLs, authors and Python 3.11+ are declared; the sdist takes no tests."""
    data = _pyproject(project_dir)
    project = data["project"]
    assert project["requires-python"] == ">=3.11"
    assert {"Typing :: Typed", "Programming Language :: Python :: 3.11"} <= set(project["classifiers"])
    assert not [c for c in project["classifiers"] if c.startswith("License ::")], "License-Expression says it"
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(project["urls"])
    assert project["authors"] and project["description"] and project["keywords"]
    sdist = data["tool"]["hatch"]["build"]["targets"]["sdist"]["only-include"]
    assert not [path for path in sdist if "test" in path], "the sdist carries no tests"
    assert data["build-system"]["requires"] == ["hatchling>=1.27"], "license-files needs hatchling 1.27"


def test_the_core_and_first_party_adapters_share_one_version() -> None:
    """Core and first-party adapters are released together under one version number."""
    versions = {_pyproject(d)["project"]["name"]: _pyproject(d)["project"]["version"] for d in _first_party()}
    assert len(versions) >= 3
    assert set(versions.values()) == {str(CORE_VERSION)}, versions


def test_the_extras_pin_the_adapters_of_the_same_minor_release() -> None:
    """Every extra naming a first-party adapter accepts that minor release only."""
    extras = _pyproject(ROOT)["project"]["optional-dependencies"]
    pinned = [Requirement(r) for reqs in extras.values() for r in reqs if r.startswith("stakeplug-")]
    assert pinned
    for requirement in pinned:
        assert str(requirement.specifier) == f"=={CORE_VERSION.major}.{CORE_VERSION.minor}.*", requirement
    all_names = {Requirement(r).name for r in extras["all"]}
    assert all_names == {r.name for r in pinned}, "the all extra names every adapter"


@pytest.mark.parametrize("project_dir", PROJECTS[1:], ids=PROJECT_IDS[1:])
def test_every_adapter_needs_the_core_of_its_minor_release(project_dir: Path) -> None:
    """An adapter accepts the core from its own version up to the next minor release, not beyond."""
    core = [Requirement(r) for r in _pyproject(project_dir)["project"]["dependencies"]]
    [spec] = [r.specifier for r in core if r.name == "stakeplug"]
    assert CORE_VERSION in spec and NEXT_MINOR not in spec, (
        f"depend on stakeplug>={CORE_VERSION},<{NEXT_MINOR}"
    )


def test_the_nightly_examples_install_the_pinned_release() -> None:
    """Both nightly CI files install stakeplug[jira] at exactly the current version."""
    folder = ROOT / "examples" / "nightly-jira"
    for name in ("github-actions.yml", ".gitlab-ci.yml"):
        text = (folder / name).read_text(encoding="utf-8")
        assert f'pip install "stakeplug[jira]=={CORE_VERSION}"' in text, name


def test_the_installed_use_check_covers_every_adapter_distribution() -> None:
    """tools/as_a_user.py, type-checked against the built wheels, imports every adapter package."""
    tree = ast.parse((ROOT / "tools" / "as_a_user.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    for project_dir in PROJECTS[1:]:
        for package in _pyproject(project_dir)["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]:
            name = Path(package).name
            assert name in imported, f"use {name}'s public API in tools/as_a_user.py"


def test_ci_runs_the_readme_test_command_and_the_built_wheel_check() -> None:
    """.ci/run keeps the README's test command and calls tools/check_dists.py."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "python3 -m pip install uv && python3 -m uv run --python python3 pytest"
    assert command in readme and f"\n{command}\n" in ci
    assert "\npython3 tools/check_dists.py\n" in ci


def test_the_release_workflow_publishes_with_trusted_publishing_on_a_version_tag() -> None:
    """The release workflow runs on v* tags, checks the dists, and publishes with an OIDC token only."""
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert '- "v*"' in workflow and "tools/check_dists.py" in workflow
    assert "id-token: write" in workflow and "pypa/gh-action-pypi-publish" in workflow
    assert "password:" not in workflow and "PYPI_TOKEN" not in workflow
