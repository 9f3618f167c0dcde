"""Benchmark: a full and an incremental audit of a 2,000-issue Jira project on the fake server.

The fake Jira adds 50 ms to every request, roughly a nearby Jira Cloud site,
so wall time is dominated by the number of requests.  Prints ``key=value``
lines::

    python tests/benchmarks/bench_jira.py [--issues 2000] [--comments 10000] [--latency 0.05]

``requests_full`` / ``seconds_full`` are one audit over the project's whole
lookback; ``requests_incremental`` / ``seconds_incremental`` are a second run,
from a fresh adapter as on a new CI runner, with ``since`` set to the first
run's start.

Then three nights through a real store file with ``stakeplug.run_audit`` (see
``_nights.py`` for the ``store_…`` keys): cold, a rerun with nothing changed, and
one after a new comment on 1 % of the issues.  Target for the quiet rerun: the
search plus the fixed calls (``serverInfo``, ``field``), 3 requests, in at most
10 % of the cold night's wall time.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _nights import Nights, evenly_between, three_nights
from stakeplug_jira import JiraAdapter
from stakeplug_jira.testing import FakeJira, GeneratedProject, generate_project

import stakeplug
from stakeplug import Identity, ProjectSettings, Register, Stakeholder, TeamMember
from stakeplug.http import HttpPolicy

EMAIL = "bench@example.org"
TOKEN = "bench-token"  # noqa: S105 - the fake server's made-up token


def _register(users: tuple[str, ...]) -> Register:
    return Register(
        project=ProjectSettings(name="Demo", lookback_days=180, own_projects={"jira": ("DEMO",)}),
        team=(TeamMember("Team Lead", (Identity("jira", users[0]),)),),
        stakeholders=tuple(
            Stakeholder(f"Stakeholder {i}", (Identity("jira", users[i]),), owner="Team Lead")
            for i in range(1, 11)
        ),
    )


def _adapter(fake: FakeJira) -> JiraAdapter:
    email = EMAIL if fake.mode == "cloud" else None
    return JiraAdapter(url=fake.url, project="DEMO", email=email, token=TOKEN, policy=HttpPolicy())


def _config(folder: Path, fake: FakeJira, users: tuple[str, ...]) -> Path:
    """The same project as :func:`_register`, as a ``stakeplug.toml`` reading the fake."""
    people = "".join(
        f'[[stakeholders]]\nname = "Stakeholder {i}"\nowner = "Team Lead"\n'
        f'identities = {{ jira = "{users[i]}" }}\n\n'
        for i in range(1, 11)
    )
    email = 'email_env = "BENCH_JIRA_EMAIL"\n' if fake.mode == "cloud" else ""
    path = folder / "stakeplug.toml"
    path.write_text(
        '[project]\nname = "Demo"\nlookback_days = 180\nown_projects = { jira = ["DEMO"] }\n\n'
        f'[[team]]\nname = "Team Lead"\nidentities = {{ jira = "{users[0]}" }}\n\n{people}'
        f'[[sources]]\nadapter = "jira"\nurl = "{fake.url}"\nproject = "DEMO"\n{email}'
        'token_env = "BENCH_JIRA_TOKEN"\n',
        "utf-8",
    )
    os.environ.update({"BENCH_JIRA_EMAIL": EMAIL, "BENCH_JIRA_TOKEN": TOKEN})
    return path


def _store_nights(fake: FakeJira, made: GeneratedProject, folder: Path) -> Nights:
    """Three nights through a store file; 1 % of the issues get a comment before the third."""
    ends: dict[int, datetime] = {}

    def until(n: int) -> datetime:
        return ends.setdefault(n, datetime.now(UTC))

    def change(after: datetime, before: datetime) -> int:
        every = max(1, len(made.issues) // 100)
        keys = made.issues[every // 2 :: every][: max(1, len(made.issues) // 100)]
        for key, at in evenly_between(keys, after, before):
            fake.comment(key, made.users[1], "one more thought", at=at)
        return len(keys)

    return three_nights(
        _config(folder, fake, made.users),
        folder / "store.sqlite",
        until=until,
        by_path=lambda: fake.stats()["by_path"],
        reset=fake.reset_stats,
        change=change,
    )


def main() -> None:
    """Seed the fake, run the two audits and the three nights, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=10000)
    parser.add_argument("--overflow", type=int, default=10, help="issues with over 20 comments")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--mode", choices=("cloud", "server"), default="cloud")
    args = parser.parse_args()

    fake = FakeJira(mode=args.mode, email=EMAIL, token=TOKEN)
    started = time.perf_counter()
    made = generate_project(
        fake, project="DEMO", issues=args.issues, comments=args.comments, overflow=args.overflow
    )
    seed_seconds = time.perf_counter() - started
    register = _register(made.users)
    fake.latency = args.latency
    with fake:
        first_start = datetime.now(UTC)
        t0 = time.perf_counter()
        with _adapter(fake) as adapter:
            full = stakeplug.audit(
                register, [("jira", adapter)], since=first_start - timedelta(days=180), until=first_start
            )
            stats_full = adapter.stats
        seconds_full = time.perf_counter() - t0
        requests_full = fake.stats()["requests"]

        fake.reset_stats()
        t1 = time.perf_counter()
        second_until = datetime.now(UTC)
        with _adapter(fake) as adapter:
            stakeplug.audit(register, [("jira", adapter)], since=first_start, until=second_until)
            stats_incremental = adapter.stats
        seconds_incremental = time.perf_counter() - t1
        requests_incremental = fake.stats()["requests"]
        paths_incremental = fake.stats()["by_path"]
        fake.reset_stats()
        with tempfile.TemporaryDirectory() as tmp:
            nights = _store_nights(fake, made, Path(tmp))

    pages = math.ceil(args.issues / 100)
    print(f"mode={args.mode}")
    print(f"issues={args.issues}")
    print(f"comments={made.comments}")
    print(f"overflowing_issues={len(made.overflowing)}")
    print(f"latency_ms={args.latency * 1000:.0f}")
    print(f"seed_seconds={seed_seconds:.2f}")
    print(f"requests_full={requests_full}")
    print(f"requests_full_expected={pages + 3 + len(made.overflowing)}")
    print(f"seconds_full={seconds_full:.2f}")
    print(f"activities_full={stats_full.activities}")
    print(f"skipped_full={stats_full.skipped}")
    print(f"stakeholders_scored={len(full.scores)}")
    print(f"requests_incremental={requests_incremental}")
    print(f"seconds_incremental={seconds_incremental:.2f}")
    print("requests_incremental_by_path=" + ",".join(f"{p}:{n}" for p, n in paths_incremental.items()))
    print(f"activities_incremental={stats_incremental.activities}")
    nights.print()
    print(f"max_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
