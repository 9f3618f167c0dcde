"""The shape of the house: the import graphs have no cycles and rooms stay small.

The core is ``src/stakeplug``; each first-party adapter is the package under
``adapters/*/src``, its fake included, and is held to the same rules.  The
graph is built from the source with :mod:`ast`, so it sees every import,
including those inside functions and behind ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "stakeplug"
ADAPTER_PACKAGES = sorted(path for path in ROOT.glob("adapters/*/src/*") if (path / "__init__.py").is_file())
"""The package of each first-party adapter: ``stakeplug_jira``, ``stakeplug_github``, ``stakeplug_trello``."""

MAX_MODULE_LINES = 550
"""About 500 lines a room, with a little slack so that a docstring does not force a split."""
MAX_ADAPTER_MODULE_LINES = 520
"""The same for the adapters, with less slack: an adapter's rooms are its client, search, errors, fake."""


def _module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {_module_name(path, package.parent): path for path in sorted(package.rglob("*.py"))}


def _adapter_modules() -> dict[str, Path]:
    return {name: path for package in ADAPTER_PACKAGES for name, path in _modules(package).items()}


def _imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The stakeplug modules that ``name`` imports, resolved to modules that exist."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            module = target
            while module and module not in known:
                module = module.rpartition(".")[0]
            if module and module != name:
                found.add(module)
    return found


def _graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = _modules(package)
    known = set(modules)
    return {name: _imported(name, path, known) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, or ``None``."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    """The check itself can fail: a two-module loop is reported as a cycle."""
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_graph_of_stakeplug_has_no_cycles() -> None:
    """No module of src/stakeplug imports, directly or through others, a module that imports it."""
    graph = _graph()
    assert len(graph) > 20, "the graph should hold every module of the package"
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("name", sorted(_modules()))
def test_no_module_is_much_over_500_lines(name: str) -> None:
    """Each room of the house stays small enough to read in one sitting."""
    lines = len(_modules()[name].read_text("utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines"


def test_every_first_party_adapter_is_checked() -> None:
    """The adapter checks below see the Jira, GitHub and Trello packages, their fakes included."""
    assert [p.name for p in ADAPTER_PACKAGES] == ["stakeplug_github", "stakeplug_jira", "stakeplug_trello"]
    modules = _adapter_modules()
    assert {"stakeplug_jira._adapter", "stakeplug_github.testing._server", "stakeplug_trello._board"} <= set(
        modules
    )


@pytest.mark.parametrize("package", ADAPTER_PACKAGES, ids=lambda p: p.name)
def test_the_import_graph_of_each_adapter_has_no_cycles(package: Path) -> None:
    """No module of an adapter package imports, directly or through others, a module that imports it."""
    graph = _graph(package)
    assert len(graph) > 5, "the graph should hold every module of the adapter"
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("name", sorted(_adapter_modules()))
def test_no_adapter_module_is_over_520_lines(name: str) -> None:
    """An adapter's rooms stay small too: its client, search, error mapping and fake each under ~500 lines."""
    lines = len(_adapter_modules()[name].read_text("utf-8").splitlines())
    assert lines <= MAX_ADAPTER_MODULE_LINES, f"{name} has {lines} lines"


LAYERS = ("domain", "engine", "care", "reports", "app", "cli")
"""The layers from the inside out: a layer may import the ones before it, never the ones after."""

MAX_FUNCTION_LINES = 60
HOT_LOOP = {"stakeplug.engine.loop"}
"""Modules whose one hot loop may be longer: splitting it would cost a call per activity."""


def _layer(name: str) -> int | None:
    parts = name.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return None


def test_inner_layers_never_import_outer_ones() -> None:
    """Domain knows nothing of the engine, the engine nothing of care planning, and so on outwards."""
    wrong = []
    for name, imported in _graph().items():
        own = _layer(name)
        if own is None:
            continue
        for target in imported:
            other = _layer(target)
            if other is not None and other > own:
                wrong.append(f"{name} -> {target}")
    assert not wrong, "outward imports: " + ", ".join(sorted(wrong))


def _long_functions(name: str, path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}.{node.name} ({length} lines)")
    return found


def test_the_function_length_check_finds_a_long_function(tmp_path: Path) -> None:
    """The check itself can fail: a function of 70 lines is reported."""
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    path = tmp_path / "long.py"
    path.write_text(f"def long():\n{body}\n", "utf-8")
    assert _long_functions("long", path) == ["long.long (71 lines)"]


def test_no_function_is_much_over_60_lines_outside_the_hot_loop() -> None:
    """Functions stay short enough to hold in one's head; only the engine's hot loop may be longer."""
    long = [
        found
        for name, path in _modules().items()
        if name not in HOT_LOOP
        for found in _long_functions(name, path)
    ]
    assert not long, "long functions: " + ", ".join(long)
