"""Build every distribution, check what is inside, and install the built files as a user would.

Run from anywhere (``.ci/run`` does it on every change)::

    python3 tools/check_dists.py               # work in a temporary folder, removed afterwards
    python3 tools/check_dists.py --out build/dists

1. ``uv build --all-packages``: a wheel and an sdist for the core and each workspace member
   (uv builds each wheel from its sdist, so an sdist that lacks a file fails here).
2. Contents: the metadata carries a summary, ``Requires-Python``, the licence expression and
   file, project URLs, the typed classifier and the README as Markdown; ``twine check --strict``
   renders it; each package ships ``py.typed``; the licence equals the repository's
   ``LICENSE``; no tests, caches or bytecode inside; the core's extras and the adapters'
   dependency on the core pin the same minor release.
3. A fresh virtual environment with plain pip: the third-party dependencies are downloaded from
   the package index into a wheelhouse first, then everything is installed with ``--no-index``
   from the built files and that wheelhouse only.
4. In an empty folder: ``stakeplug adapters`` lists every adapter, ``stakeplug demo`` writes
   its report, and ``tools/as_a_user.py`` passes ``python -m mypy --strict`` and runs.
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from email.message import Message
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tools" / "as_a_user.py"
CORE = "stakeplug"
FORBIDDEN_DIRS = {"tests", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}
FORBIDDEN_FILE = re.compile(r"^(conftest\.py|test_.*\.py|.*_test\.py|.*\.py[co]|\.coverage.*)$")
EXTRA_TOOLS = ["mypy"]


@dataclass(frozen=True)
class Project:
    """One distribution of the workspace, as its ``pyproject.toml`` declares it."""

    name: str
    version: str
    packages: tuple[str, ...]
    """The package folders the wheel takes, relative to the project, e.g. ``src/stakeplug``."""
    adapters: tuple[str, ...]

    @property
    def stem(self) -> str:
        return f"{re.sub(r'[-_.]+', '_', self.name).lower()}-{self.version}"


class Failed(Exception):
    """A check did not pass; the message says which and what was found."""


def projects() -> list[Project]:
    """The core and every workspace member."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    folders = [ROOT]
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        folders.extend(sorted(p for p in ROOT.glob(pattern) if (p / "pyproject.toml").is_file()))
    found = []
    for folder in folders:
        data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
        project = data["project"]
        packages = data["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
        adapters = project.get("entry-points", {}).get("stakeplug.adapters", {})
        found.append(Project(project["name"], project["version"], tuple(packages), tuple(adapters)))
    return found


def run(*command: str | Path, cwd: Path | None = None, timeout: float = 900) -> str:
    """Run a command; a non-zero exit fails the check with its output."""
    argv = [str(part) for part in command]
    done = subprocess.run(argv, check=False, cwd=cwd, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    if done.returncode != 0:
        raise Failed(f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


def read_metadata(text: str) -> Message:
    return email.parser.Parser(policy=email.policy.compat32).parsestr(text)


def bad_paths(names: list[str]) -> list[str]:
    """Names of tests, caches and bytecode among an archive's members."""
    bad = []
    for name in names:
        path = PurePosixPath(name)
        if FORBIDDEN_DIRS & set(path.parts[:-1]) or FORBIDDEN_FILE.match(path.name):
            bad.append(name)
    return bad


def metadata_problems(meta: Message, project: Project) -> list[str]:
    """What a package index page or a user's tools would miss in one distribution's metadata."""
    problems = []
    if meta["Name"] != project.name or meta["Version"] != project.version:
        problems.append(f"name/version {meta['Name']} {meta['Version']}")
    for field in ("Summary", "Requires-Python", "License-Expression", "License-File", "Project-URL"):
        if not meta.get_all(field):
            problems.append(f"no {field}")
    classifiers = meta.get_all("Classifier") or []
    for wanted in ("Typing :: Typed", "Programming Language :: Python :: 3.11"):
        if wanted not in classifiers:
            problems.append(f"no classifier {wanted!r}")
    if meta.get("Description-Content-Type") != "text/markdown" or len(meta.get_payload().strip()) < 200:
        problems.append("no README as the long description")
    return problems


def check_wheel(path: Path, project: Project, licence: str) -> Message:
    """A wheel's metadata, licence, ``py.typed`` markers and absence of stray files."""
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        info = f"{project.stem}.dist-info"
        meta = read_metadata(wheel.read(f"{info}/METADATA").decode())
        problems = metadata_problems(meta, project)
        if f"{info}/licenses/LICENSE" not in names:
            problems.append("no licenses/LICENSE")
        elif wheel.read(f"{info}/licenses/LICENSE").decode() != licence:
            problems.append("licenses/LICENSE differs from the repository's LICENSE")
    for package in project.packages:
        if f"{PurePosixPath(package).name}/py.typed" not in names:
            problems.append(f"no {PurePosixPath(package).name}/py.typed")
    problems += [f"stray file {name}" for name in bad_paths(names)]
    if problems:
        raise Failed(f"{path.name}: " + "; ".join(problems))
    return meta


def check_sdist(path: Path, project: Project, licence: str) -> None:
    """An sdist's metadata, licence, README, ``py.typed`` markers and absence of stray files."""
    with tarfile.open(path) as sdist:
        names = [name.removeprefix(f"{project.stem}/") for name in sdist.getnames()]

        def text(name: str) -> str:
            member = sdist.extractfile(f"{project.stem}/{name}")
            return member.read().decode() if member else ""

        problems = metadata_problems(read_metadata(text("PKG-INFO")), project)
        for wanted in ("pyproject.toml", "README.md", "LICENSE"):
            if wanted not in names:
                problems.append(f"no {wanted}")
        if "LICENSE" in names and text("LICENSE") != licence:
            problems.append("LICENSE differs from the repository's LICENSE")
    problems += [f"no {pkg}/py.typed" for pkg in project.packages if f"{pkg}/py.typed" not in names]
    problems += [f"stray file {name}" for name in bad_paths(names)]
    if problems:
        raise Failed(f"{path.name}: " + "; ".join(problems))


def clauses(requirement: str) -> tuple[str, set[str]]:
    """``stakeplug<0.2,>=0.1.0 ; extra == 'x'`` → (``stakeplug``, {``<0.2``, ``>=0.1.0``})."""
    spec = requirement.split(";", 1)[0].strip()
    match = re.match(r"^([A-Za-z0-9._-]+)\s*(?:\[[^\]]*\])?\s*\(?([^)]*)\)?$", spec)
    if not match:
        raise Failed(f"cannot read the requirement {requirement!r}")
    return match[1].lower().replace("_", "-"), {c.strip() for c in match[2].split(",") if c.strip()}


def check_pins(metas: dict[str, Message], first_party: set[str]) -> None:
    """The core's extras pin ``==X.Y.*`` of each first-party adapter; each adapter needs ``X.Y``."""
    version = metas[CORE]["Version"]
    major, minor = (int(part) for part in version.split(".")[:2])
    problems = []
    for line in metas[CORE].get_all("Requires-Dist") or []:
        name, spec = clauses(line)
        if name in metas and spec != {f"=={major}.{minor}.*"}:
            problems.append(f"{CORE}'s extra pins {name} {sorted(spec)}, not =={major}.{minor}.*")
    for dist, meta in metas.items():
        if dist in first_party and meta["Version"] != version:
            problems.append(f"{dist} is version {meta['Version']}, the core {version}")
        for line in meta.get_all("Requires-Dist") or []:
            name, spec = clauses(line)
            lower = {s for s in spec if s.startswith(">=")}
            if name == CORE and (spec - lower != {f"<{major}.{minor + 1}"} or len(lower) != 1):
                wanted = f">={major}.{minor}.N,<{major}.{minor + 1}"
                problems.append(f"{dist} needs {CORE} {sorted(spec)}, not {wanted}")
    if problems:
        raise Failed("version pins: " + "; ".join(problems))


def third_party(metas: dict[str, Message]) -> list[str]:
    """Every dependency of the built wheels that is not one of them (extras' test tools aside)."""
    wanted: set[str] = set()
    for meta in metas.values():
        for line in meta.get_all("Requires-Dist") or []:
            if "extra ==" in line or clauses(line)[0] in metas:
                continue
            wanted.add(line.strip())
    return sorted(wanted)


def install(work: Path, dist: Path, metas: dict[str, Message], first_party: set[str]) -> Path:
    """A fresh virtual environment with the built files installed without the package index."""
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    wheelhouse = work / "wheelhouse"
    pip = (python, "-m", "pip", "--disable-pip-version-check", "--no-input")
    run(*pip, "download", "--only-binary", ":all:", "--dest", wheelhouse, *third_party(metas), *EXTRA_TOOLS)
    wanted = [f"{CORE}[all]=={metas[CORE]['Version']}"]
    wanted += [f"{name}=={meta['Version']}" for name, meta in metas.items() if name != CORE]
    local = ("--no-index", "--find-links", dist, "--find-links", wheelhouse)
    run(*pip, "install", *local, *wanted, *EXTRA_TOOLS)
    run(*pip, "check")
    listed = run(*pip, "list", "--format=freeze")
    extras_missing = sorted(first_party - {line.split("==")[0].lower() for line in listed.splitlines()})
    if extras_missing:
        raise Failed(f"stakeplug[all] did not bring {extras_missing}")
    return venv


def use(venv: Path, work: Path, adapters: list[str]) -> str:
    """``stakeplug adapters`` and ``stakeplug demo``, then mypy --strict and a run of the sample."""
    here = work / "user"
    here.mkdir()
    listing = run(venv / "bin" / "stakeplug", "adapters", cwd=here)
    listed = {line.split()[0] for line in listing.splitlines()[1:] if line.strip()}
    if missing := sorted(set(adapters) - listed):
        raise Failed(f"stakeplug adapters does not list {missing}:\n{listing}")
    run(venv / "bin" / "stakeplug", "demo", "--out", "report", "--format", "md,json,html", cwd=here)
    if not (here / "report" / "report.md").is_file():
        raise Failed("stakeplug demo wrote no report/report.md")
    shutil.copy(SAMPLE, here / SAMPLE.name)
    python = venv / "bin" / "python"
    run(python, "-m", "mypy", "--strict", "--no-incremental", SAMPLE.name, cwd=here)
    return run(python, SAMPLE.name, cwd=here).strip()


def check(work: Path) -> None:
    dist = work / "dist"
    found = projects()
    first_party = {p.name for p in found if p.name == CORE or p.name in core_extras()}
    print(f"check_dists: building {', '.join(p.name for p in found)}", flush=True)
    run(sys.executable, "-m", "uv", "build", "--all-packages", "--out-dir", dist, cwd=ROOT)
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    metas: dict[str, Message] = {}
    for project in found:
        metas[project.name] = check_wheel(dist / f"{project.stem}-py3-none-any.whl", project, licence)
        check_sdist(dist / f"{project.stem}.tar.gz", project, licence)
    check_pins(metas, first_party)
    files = sorted(str(path) for path in dist.iterdir() if path.name.endswith((".whl", ".tar.gz")))
    uvx = (sys.executable, "-m", "uv", "tool", "run", "--python", sys.executable)
    run(*uvx, "twine", "check", "--strict", *files)
    print(f"check_dists: {len(files)} files built and checked; installing without the index", flush=True)
    venv = install(work, dist, metas, first_party - {CORE})
    adapters = sorted({name for project in found for name in project.adapters})
    print(f"check_dists: {use(venv, work, adapters)}")
    print("check_dists: stakeplug adapters, stakeplug demo and mypy --strict passed on the installed wheels")


def core_extras() -> set[str]:
    """The distributions the core's extras name: the first-party adapters, released with it."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = set()
    for requirements in data["project"].get("optional-dependencies", {}).values():
        names |= {clauses(r)[0] for r in requirements if clauses(r)[0].startswith(f"{CORE}-")}
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, help="keep the built files and the environment here")
    args = parser.parse_args()
    try:
        if args.out:
            shutil.rmtree(args.out, ignore_errors=True)
            args.out.mkdir(parents=True)
            check(args.out.resolve())
        else:
            with tempfile.TemporaryDirectory(prefix="stakeplug-dists-") as work:
                check(Path(work))
    except Failed as exc:
        print(f"check_dists: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
