"""Fake trackers that real ``stakeplug audit --post`` runs share, and what they hold afterwards.

A *world* is one fake tracker (Jira Cloud with a lagging search, GitHub or
Trello) seeded with a small project, and the ``stakeplug.toml`` whose only
source and ``[tasks]`` target it is.  Its fake runs in this process, the
audits in subprocesses: two at once (:func:`concurrent_trial`), or one killed
with SIGKILL at a random moment of its posting and then run again
(:func:`crash_trial`).  A :class:`Gate` in the fake holds the first
writes until both runs of a pair are posting, and delays every write by a
seeded random time, so the runs really overlap and interleave differently in
each trial.  :func:`problems` compares what the tracker holds at the end with
the plan (one open task for each planned fingerprint, at most one for any)
and with what the reports say.

The tests (``tests/test_cli_converge.py``) assert that no trial has a
problem; ``tests/benchmarks/bench_converge.py`` runs many more trials and
counts.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
from clirun import stakeplug_command

import stakeplug
from stakeplug import fingerprint_from_labels, fingerprint_from_text
from stakeplug.testing import Reply, Request

UNTIL = "2026-12-01"
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PEOPLE = 6
"""Stakeholders in each world's register, all owned by one team member."""


class Gate:
    """What a fake does to the writes of the runs that share it.

    The first ``parties`` writes wait until that many wait at once (each run
    sends its writes one after another, so they are the first writes of
    ``parties`` different runs: the care list or label it needs, or its first
    task): then every run is posting.  ``met`` says
    whether that happened within ``timeout``.  Every write is also held for a
    seeded random time up to ``max_delay`` seconds, so trials interleave
    differently and a SIGKILL can land while a write is on its way.
    """

    def __init__(
        self,
        is_create: Callable[[Request], bool],
        *,
        parties: int,
        seed: int,
        max_delay: float,
        timeout: float = 20.0,
    ):
        self.is_create = is_create
        self.parties = parties
        self.max_delay = max_delay
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._barrier = threading.Barrier(parties, timeout=timeout) if parties > 1 else None
        self._arrived = 0
        self.met = False
        self.creates = 0
        """Create requests that reached the fake (counted when they arrive)."""

    def hold(self, request: Request) -> None:
        """Called by the fake for each request before it is handled."""
        if request.method not in WRITES:
            return
        create = self.is_create(request)
        with self._lock:
            delay = self._rng.uniform(0.0, self.max_delay)
            if create:
                self.creates += 1
            waits = self._barrier is not None and self._arrived < self.parties
            if waits:
                self._arrived += 1
        if waits and self._barrier is not None:
            try:
                self._barrier.wait()
                self.met = True
            except threading.BrokenBarrierError:
                pass
        time.sleep(delay)


def _gated(base: type[Any]) -> type[Any]:
    """``base`` (a fake tracker class) whose requests pass its ``gate`` first."""

    def prepare(self: Any, request: Request) -> Request | Reply:
        if self.gate is not None:
            self.gate.hold(request)
        prepared: Request | Reply = base.prepare(self, request)
        return prepared

    return type(f"Gated{base.__name__}", (base,), {"gate": None, "prepare": prepare})


@attrs.define
class World:
    """One fake tracker seeded with a project, and how to read its tasks."""

    tool: str
    fake: Any
    env: dict[str, str]
    config: Callable[[], str]
    """The ``stakeplug.toml`` text (asked once the fake serves, so that its address is known)."""
    create: tuple[str, str]
    """The method and path of a task create."""
    tasks: Callable[[], list[tuple[str, str, bool]]]
    """Every task in the tracker as ``(fingerprint, id, open)``, oldest first."""

    def is_create(self, request: Request) -> bool:
        method, path = self.create
        return request.method == method and request.path == path

    def gate(self, *, parties: int, seed: int, max_delay: float) -> Gate:
        """Put a new :class:`Gate` in front of the fake's requests and return it."""
        gate = Gate(self.is_create, parties=parties, seed=seed, max_delay=max_delay)
        self.fake.gate = gate
        return gate

    def creates(self) -> int:
        """Task creates the fake was sent so far."""
        method, path = self.create
        return sum(
            1 for m, target in self.fake.request_log if m == method and target.partition("?")[0] == path
        )

    def open_tasks(self) -> dict[str, list[str]]:
        """The open tasks' ids by fingerprint, oldest first."""
        found: dict[str, list[str]] = {}
        for fingerprint, task_id, is_open in self.tasks():
            if is_open:
                found.setdefault(fingerprint, []).append(task_id)
        return found

    def closed_tasks(self) -> list[str]:
        """The ids of the tasks that are closed (archived, done)."""
        return [task_id for _, task_id, is_open in self.tasks() if not is_open]

    def project(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "stakeplug.toml"
        path.write_text(self.config(), "utf-8")
        return path


def _register(team: tuple[str, str], people: list[tuple[str, str]]) -> str:
    """A register: one team member owning every stakeholder, each as ``(tool, account)``."""
    tool, account = team
    lines = [
        '[project]\nname = "Apollo"\n',
        f'[[team]]\nname = "Dana Whitfield"\nidentities = {{ {tool} = "{account}" }}\n',
    ]
    for i, (tool, account) in enumerate(people, 1):
        lines.append(
            f'[[stakeholders]]\nname = "Person {i}"\npower = {2 + i % 4}\ninterest = 4\n'
            f'owner = "Dana Whitfield"\nidentities = {{ {tool} = "{account}" }}\n'
        )
    return "\n".join(lines)


# -- Jira Cloud, its search lagging behind writes ----------------------------------------------

JIRA_EMAIL = "converge-bot@example.org"
JIRA_TOKEN = "converge-jira-token-7d1a"  # noqa: S105 - made up; only the fake accepts it


def jira_world(*, search_lag: int = 1, seed: int = 0) -> World:
    from stakeplug_jira.testing import FakeJira, generate_project

    fake = _gated(FakeJira)(mode="cloud", email=JIRA_EMAIL, token=JIRA_TOKEN, clock=lambda: NOW)
    fake.search_lag = search_lag
    made = generate_project(fake, project="APOLLO", issues=20, comments=80, users=8, seed=seed, now=NOW)
    users = list(made.users)
    env = {"CONVERGE_JIRA_EMAIL": JIRA_EMAIL, "CONVERGE_JIRA_TOKEN": JIRA_TOKEN}

    def config() -> str:
        where = (
            f'adapter = "jira"\nurl = "{fake.url}"\nproject = "APOLLO"\n'
            'email_env = "CONVERGE_JIRA_EMAIL"\ntoken_env = "CONVERGE_JIRA_TOKEN"\n'
        )
        register = _register(("jira", users[0]), [("jira", u) for u in users[1 : 1 + PEOPLE]])
        return f"{register}\n[[sources]]\n{where}\n[tasks]\n{where}"

    def tasks() -> list[tuple[str, str, bool]]:
        with fake.state.lock:
            issues = sorted(fake.issues.values(), key=lambda i: i.id)
            found = [(fp, i.key) for i in issues if (fp := fingerprint_from_labels(i.labels))]
        opened = {key for fp in {fp for fp, _ in found} for key in fake.open_tasks(fp)}
        return [(fp, key, key in opened) for fp, key in found]

    return World("jira", fake, env, config, ("POST", "/rest/api/2/issue"), tasks)


# -- GitHub -------------------------------------------------------------------------------------

GH_TOKEN = "ghp_convergeToken00000000000000000000001"  # noqa: S105


def github_world(*, seed: int = 5) -> World:
    from stakeplug_github.testing import FakeGitHub, user_logins

    fake = _gated(FakeGitHub)(tokens=(GH_TOKEN,))
    fake.generate("acme/apollo", issues=12, prs=6, users=PEOPLE + 1, seed=seed)
    logins = user_logins(PEOPLE + 1)
    env = {"CONVERGE_GH_TOKEN": GH_TOKEN}

    def config() -> str:
        where = f'adapter = "github"\nrepo = "acme/apollo"\nbase_url = "{fake.url}"\ntoken_env = "CONVERGE_GH_TOKEN"\n'
        register = _register(("github", logins[0]), [("github", x) for x in logins[1:]])
        return f"{register}\n[[sources]]\n{where}\n[tasks]\n{where}"

    def tasks() -> list[tuple[str, str, bool]]:
        repo = fake.repo("acme/apollo")
        with fake.lock:
            issues = sorted(repo.issues.values(), key=lambda i: i.number)
            found = [(fingerprint_from_labels(i.labels), f"acme/apollo#{i.number}", i.state) for i in issues]
        return [(fp, key, state == "open") for fp, key, state in found if fp]

    return World("github", fake, env, config, ("POST", "/repos/acme/apollo/issues"), tasks)


# -- Trello -------------------------------------------------------------------------------------

TRELLO_KEY = "convergetrellokey0a1b2c3d4e5f6071"
TRELLO_TOKEN = "ATTAconvergetrellotoken99887766554433221100"  # noqa: S105


def trello_world(*, seed: int = 3) -> World:
    from stakeplug_trello.testing import FakeTrello, TrelloState, generate_board

    state = TrelloState(seed=seed)
    board = generate_board(state, cards=20, actions=150, members=PEOPLE + 1, seed=seed)
    fake = _gated(FakeTrello)(state, key=TRELLO_KEY, token=TRELLO_TOKEN)
    people = [state.members[m]["username"] for m in state.board_members[board["id"]]]
    env = {"CONVERGE_TRELLO_KEY": TRELLO_KEY, "CONVERGE_TRELLO_TOKEN": TRELLO_TOKEN}

    def config() -> str:
        where = (
            f'adapter = "trello"\nboard = "{board["shortLink"]}"\nbase_url = "{fake.url}"\n'
            'key_env = "CONVERGE_TRELLO_KEY"\ntoken_env = "CONVERGE_TRELLO_TOKEN"\n'
        )
        register = _register(("trello", people[0]), [("trello", x) for x in people[1:]])
        return f"{register}\n[[sources]]\n{where}\n[tasks]\n{where}"

    def tasks() -> list[tuple[str, str, bool]]:
        with state.lock:
            cards = sorted(state.cards[board["id"]], key=lambda c: c["idShort"])
            found = [(fingerprint_from_text(c["desc"]), c["shortLink"], c) for c in cards]
            return [(fp, link, not c["closed"] and not c["dueComplete"]) for fp, link, c in found if fp]

    return World("trello", fake, env, config, ("POST", "/1/cards"), tasks)


WORLDS: dict[str, Callable[[], World]] = {"jira": jira_world, "github": github_world, "trello": trello_world}


@contextmanager
def running(tool: str, **options: Any) -> Iterator[World]:
    """A fresh world of ``tool`` (``options`` go to its builder) with its fake serving."""
    world = WORLDS[tool](**options)
    world.fake.start()
    try:
        yield world
    finally:
        world.fake.stop()


# -- runs ---------------------------------------------------------------------------------------


def planned(world: World, folder: Path) -> set[str]:
    """The fingerprints a run plans on the world's tracker before any task exists (a dry run)."""
    config = world.project(folder / "plan")
    saved = {k: os.environ.get(k) for k in world.env}
    os.environ.update(world.env)
    try:
        run = stakeplug.run_audit(config, until=datetime.fromisoformat(UNTIL).replace(tzinfo=UTC))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {s.fingerprint for s in run.collection.suggestions}


def start_audit(world: World, folder: Path) -> subprocess.Popen[str]:
    """``stakeplug audit --post`` in ``folder`` (its project written first), output captured."""
    world.project(folder)
    dropped = {"CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"}
    env = {k: v for k, v in os.environ.items() if k not in dropped} | world.env
    return subprocess.Popen(
        [stakeplug_command(), "audit", "--post", "--until", UNTIL, "--format", "json", "--out", "out"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@attrs.define
class Run:
    """One finished (or killed) audit: its exit code, output and JSON report (``None`` when none)."""

    code: int
    out: str
    err: str
    report: dict[str, Any] | None


def finish(process: subprocess.Popen[str], folder: Path, *, timeout: float = 120.0) -> Run:
    out, err = process.communicate(timeout=timeout)
    path = folder / "out" / "report.json"
    report = json.loads(path.read_text("utf-8")) if path.exists() else None
    return Run(process.returncode, out, err, report)


def problems(world: World, plan: set[str], runs: list[Run], *, all_named: bool = True) -> list[str]:
    """What is wrong with the tracker and the finished runs' reports, in words (empty: all is well).

    Each planned fingerprint has exactly one open task, no fingerprint has
    two; every finished run exited 0 and posted without an error; each task
    a report lists is a planned one, shown with the id of its open task (a
    rerun lists only what it did not find: the open tasks it found fill the
    owner's cap).  With ``all_named`` the reports' ``duplicates_closed`` name
    every task closed (a run killed part-way may have closed one unreported).
    """
    found: list[str] = []
    open_tasks = world.open_tasks()
    for fingerprint, ids in sorted(open_tasks.items()):
        if len(ids) > 1:
            found.append(f"{fingerprint} has {len(ids)} open tasks: {', '.join(ids)}")
    for fingerprint in sorted(plan - set(open_tasks)):
        found.append(f"planned {fingerprint} has no open task")
    named: set[str] = set()
    for n, run in enumerate(runs, 1):
        if run.code != 0 or run.report is None:
            found.append(f"run {n} exited {run.code}: {run.err[-2000:]}")
            continue
        if "Traceback" in run.err:
            found.append(f"run {n} printed a traceback: {run.err[-2000:]}")
        posting = run.report["posting"]
        if posting["error"] is not None or posting["mode"] != "post":
            found.append(f"run {n} posting: {posting}")
        for entry in run.report["suggestions"]:
            fingerprint, task = entry["fingerprint"], entry.get("task") or {}
            named.update(entry.get("duplicates_closed", []))
            if fingerprint not in plan:
                found.append(f"run {n} suggests {fingerprint}, which a run on an empty tracker does not plan")
            elif entry["status"] not in ("created", "exists") or task.get("id") not in open_tasks.get(
                fingerprint, []
            ):
                found.append(f"run {n} reports {fingerprint} as {entry['status']} {task}; open: {open_tasks}")
    if all_named:
        found += [
            f"{closed} was closed but no report says so"
            for closed in world.closed_tasks()
            if closed not in named
        ]
    return found


def duplicates_open(world: World) -> int:
    """Fingerprints with more than one open task."""
    return sum(1 for ids in world.open_tasks().values() if len(ids) > 1)


def duplicates_closed(world: World) -> int:
    """Tasks that were closed: in these worlds only a duplicate is ever closed."""
    return len(world.closed_tasks())


# -- trials -------------------------------------------------------------------------------------


@attrs.define
class Trial:
    """What one trial did and found."""

    overlapped: bool = False
    """Both runs of a pair were posting at once (the gate held the first write of each at the same time)."""
    killed: bool = False
    """The SIGKILL found the run still running."""
    mid_posting: bool = False
    """The SIGKILL found the run alive, after one of its task creates and before its report."""
    planned: int = 0
    """Tasks a run plans on the empty tracker."""
    killed_after: int = 0
    """Creates that had reached the tracker when the SIGKILL was sent."""
    creates: int = 0
    """Task creates the tracker was sent in the whole trial."""
    closed: int = 0
    """Tasks closed (as duplicates) at the end."""
    duplicates_open: int = 0
    """Fingerprints with more than one open task at the end."""
    problems: list[str] = attrs.Factory(list)
    runs: list[Run] = attrs.Factory(list)


def concurrent_trial(
    tool: str, folder: Path, seed: int, *, max_delay: float = 0.05, after: int = 0, **options: Any
) -> Trial:
    """Two ``stakeplug audit --post`` at once on one fresh tracker, then ``after`` more one by one.

    A run after the pair finds the tasks it left (duplicates closed included): it
    must see each planned task as open and plan nothing new.  ``options`` go to
    the world's builder.
    """
    with running(tool, **options) as world:
        plan = planned(world, folder)
        gate = world.gate(parties=2, seed=seed, max_delay=max_delay)
        folders = [folder / "a", folder / "b"]
        processes = [start_audit(world, f) for f in folders]
        runs = [finish(p, f) for p, f in zip(processes, folders, strict=True)]
        world.fake.gate = None
        overlapped, creates = gate.met, world.creates()
        for n in range(after):
            later = folder / f"after{n}"
            runs.append(finish(start_audit(world, later), later))
        return Trial(
            overlapped=overlapped,
            planned=len(plan),
            creates=creates,
            closed=duplicates_closed(world),
            duplicates_open=duplicates_open(world),
            problems=problems(world, plan, runs) + [p for run in runs[2:] for p in _after_pair(run, plan)],
            runs=runs,
        )


def _after_pair(run: Run, plan: set[str]) -> list[str]:
    """What is wrong with a run after the pair: it creates nothing and follows up each planned task open."""
    if run.report is None:
        return []
    found = [f"after the pair {g['fingerprint']} was {g['status']}" for g in run.report["suggestions"]]
    care = run.report.get("care") or {}
    followed = {entry["fingerprint"] for entry in care.get("open", [])}
    if followed != plan:
        found.append(f"after the pair the open tasks followed up are {sorted(followed)}, not {sorted(plan)}")
    return found


def crash_trial(tool: str, folder: Path, seed: int, *, max_delay: float = 0.08, **options: Any) -> Trial:
    """One run killed with SIGKILL at a seeded random moment of its posting, then a rerun to the end."""
    rng = random.Random(seed)
    with running(tool, **options) as world:
        plan = planned(world, folder)
        gate = world.gate(parties=1, seed=seed, max_delay=max_delay)
        victim = folder / "killed"
        process = start_audit(world, victim)
        trial = Trial(planned=len(plan))
        # Kill after a random one of the planned creates reached the tracker, a random while later
        # (the create may still be on its way: the tracker then creates a task nobody hears of).
        wanted = rng.randint(1, max(1, len(plan)))
        deadline = time.monotonic() + 60
        while gate.creates < wanted and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, max_delay))
        trial.killed = process.poll() is None
        trial.killed_after = gate.creates
        written = (victim / "out" / "report.json").exists()
        trial.mid_posting = trial.killed and gate.creates > 0 and not written
        if trial.killed:
            process.kill()
        process.communicate(timeout=60)
        world.fake.gate = None
        rerun = folder / "rerun"
        runs = [finish(start_audit(world, rerun), rerun)]
        trial.creates = world.creates()
        trial.closed = duplicates_closed(world)
        trial.duplicates_open = duplicates_open(world)
        trial.problems = problems(world, plan, runs, all_named=False)
        trial.runs = runs
        return trial
