"""Benchmark the GitHub adapter: a full audit of a large repository on the fake GitHub.

Run it on demand::

    python tests/benchmarks/bench_github.py [--latency 0.05] [--workers 4]

The fake serves 1,000 issues, 1,000 pull requests, 8,000 comments, 2,000
review comments and 3,000 reviews, answering every request after
``--latency`` seconds.  The benchmark runs a full audit (every activity since
the repository began, scored by the engine) through the adapter, then lets a
naive collector that asks one request per issue and per pull request read the
same data, and counts both from the fake's request log.  It prints one
``key=value`` line per figure:

* ``graphql_requests`` and ``rest_requests``: requests of the adapter's full audit with
  reviews read through GraphQL (the default) and with ``reviews_via = "rest"``, by the fake's count;
* ``graphql_expected_requests``: ⌈I/100⌉ + ⌈C/100⌉ + ⌈R/100⌉ + ⌈E/100⌉ + ⌈P/50⌉ for this data,
  ``rest_expected_requests`` the same with P;
* ``…_audit_seconds``: wall time of each audit, latency included;
* ``…_activities``, ``…_stakeholders_scored`` and ``…_skipped`` (the two must agree);
* ``naive_requests``: what the one-request-per-issue collector needed (run without
  latency to keep the benchmark short) and ``naive_seconds_at_latency``, the time
  those requests would take one after another at the same latency;
* ``request_ratio``: naive_requests / graphql_requests, and ``naive_fits_hourly_limit``: whether
  the naive collector would stay within GitHub's 5,000 requests an hour (the fake
  lifts its limit for that run);
* ``store_…``: three nights a day apart through a real store file with ``stakeplug.run_audit``
  (see ``_nights.py``): cold, a rerun with nothing changed, and one after a new comment on
  1 % of the issues and pull requests.  Target for the quiet rerun: one request per
  repository-wide listing (issues, comments, review comments, events), no per-PR call, in
  at most 10 % of the cold night's wall time.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from _nights import Nights, evenly_between, three_nights
from stakeplug_github import GitHubAdapter
from stakeplug_github.testing import FakeGitHub, FakeRepo, user_logins

from stakeplug import Register, audit, load_register

REPO = "bench-org/big"
TOKEN = "bench-token"  # noqa: S105  (made up; only the fake accepts it)
END = datetime(2026, 11, 1, tzinfo=UTC)
START = END - timedelta(days=150)
USERS = 40


def register_file(folder: Path, *, source: str = "") -> Path:
    """A register with the generated users as stakeholders and two of them as the team.

    With ``source`` (a ``[[sources]]`` table) it is a whole ``stakeplug.toml``.
    """
    lines = ['[project]\nname = "Bench"\nlookback_days = 180\n']
    people = user_logins(USERS)
    for login in people[:2]:
        lines.append(f'[[team]]\nname = "{login}"\nidentities = {{ github = "{login}" }}\n')
    for login in people[2:]:
        lines.append(
            f'[[stakeholders]]\nname = "{login}"\nowner = "{people[0]}"\n'
            f'identities = {{ github = "{login}" }}\n'
        )
    lines.append(source)
    path = folder / ("stakeplug.toml" if source else "register.toml")
    path.write_text("\n".join(lines))
    return path


def store_nights(fake: FakeGitHub, repo: FakeRepo, folder: Path, latency: float) -> Nights:
    """Three nights a day apart through a store file; 1 % of the items get a comment before the third."""
    os.environ["BENCH_GITHUB_TOKEN"] = TOKEN
    config = register_file(
        folder,
        source=f'[[sources]]\nadapter = "github"\nrepo = "{REPO}"\nbase_url = "{fake.url}"\n'
        'token_env = "BENCH_GITHUB_TOKEN"\n',
    )
    commenter = user_logins(USERS)[3]

    def change(after: datetime, before: datetime) -> int:
        numbers = sorted(repo.issues)[50::100]
        for number, at in evenly_between(numbers, after, before):
            repo.comment(number, commenter, "one more thought", at)
        return len(numbers)

    def reset() -> None:
        fake.reset_stats()
        fake.set_rate_limit(5000)

    fake.latency = latency
    try:
        return three_nights(
            config,
            folder / "store.sqlite",
            until=lambda n: END + timedelta(days=n),
            by_path=lambda: fake.stats()["by_path"],
            reset=reset,
            change=change,
        )
    finally:
        fake.latency = 0.0


def naive_collect(fake: FakeGitHub) -> int:
    """Read the same data one request per issue and per pull request; return the requests it took."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    before = fake.requests

    def pages(url: str, params: dict[str, object] | None = None) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        next_url: str | None = url
        while next_url:
            answer = session.get(next_url, params=params, timeout=30)
            answer.raise_for_status()
            out.extend(answer.json())
            next_url = answer.links.get("next", {}).get("url")
            params = None
        return out

    base = f"{fake.url}/repos/{REPO}"
    issues = pages(f"{base}/issues", {"state": "all", "per_page": 100})
    for issue in issues:
        n = issue["number"]
        pages(f"{base}/issues/{n}/comments", {"per_page": 100})
        pages(f"{base}/issues/{n}/events", {"per_page": 100})
        if "pull_request" in issue:
            pages(f"{base}/pulls/{n}/comments", {"per_page": 100})
            pages(f"{base}/pulls/{n}/reviews", {"per_page": 100})
    session.close()
    return fake.requests - before


def run_audit(
    fake: FakeGitHub, register: Register, *, via: str, workers: int, latency: float
) -> dict[str, float]:
    """One full audit with reviews read ``via`` GraphQL or REST: its requests, time and results."""
    adapter = GitHubAdapter.from_config(
        {"repo": REPO, "base_url": fake.url, "review_workers": workers, "reviews_via": via},
        env={"GITHUB_TOKEN": TOKEN},
    )
    fake.latency = latency
    fake.reset_stats()
    fake.set_rate_limit(5000)
    started = time.perf_counter()
    result = audit(register, [("github", adapter)], since=START - timedelta(days=1), until=END)
    seconds = time.perf_counter() - started
    used = fake.requests
    adapter.close()
    fake.latency = 0.0
    return {
        "requests": used,
        "seconds": seconds,
        "activities": result.activities_seen,
        "scored": len(result.scores),
        "skipped": adapter.stats.skipped,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    with FakeGitHub(tokens=(TOKEN,)) as fake, tempfile.TemporaryDirectory() as tmp:
        repo = fake.generate(
            REPO,
            issues=1000,
            prs=1000,
            comments=8000,
            review_comments=2000,
            reviews=3000,
            users=USERS,
            start=START,
            end=END,
            seed=1,
        )
        register = load_register(register_file(Path(tmp)))
        prs = sum(1 for i in repo.issues.values() if i.is_pr)
        listings = (
            math.ceil(len(repo.issues) / 100)
            + math.ceil(len(repo.comments) / 100)
            + math.ceil(len(repo.review_comments) / 100)
            + math.ceil(len(repo.events) / 100)
        )
        runs = {
            via: run_audit(fake, register, via=via, workers=args.workers, latency=args.latency)
            for via in ("graphql", "rest")
        }
        fake.rate_limit = 1_000_000
        fake.set_rate_limit(1_000_000)
        naive = naive_collect(fake)
        fake.set_rate_limit(5000)
        nights = store_nights(fake, repo, Path(tmp), args.latency)

    print(f"issues={len(repo.issues) - prs}")
    print(f"pull_requests={prs}")
    print(f"comments={len(repo.comments)}")
    print(f"review_comments={len(repo.review_comments)}")
    print(f"reviews={len(repo.reviews)}")
    print(f"events={len(repo.events)}")
    print(f"latency_seconds={args.latency}")
    print(f"review_workers={args.workers}")
    expected = {"graphql": listings + math.ceil(prs / 50), "rest": listings + prs}
    for via, run in runs.items():
        print(f"{via}_requests={run['requests']}")
        print(f"{via}_expected_requests={expected[via]}")
        print(f"{via}_audit_seconds={run['seconds']:.2f}")
        print(f"{via}_activities={run['activities']}")
        print(f"{via}_stakeholders_scored={run['scored']}")
        print(f"{via}_skipped={run['skipped']}")
    print(f"naive_requests={naive}")
    print(f"naive_seconds_at_latency={naive * args.latency:.1f}")
    print(f"request_ratio={naive / runs['graphql']['requests']:.1f}")
    print(f"naive_fits_hourly_limit={naive <= 5000}")
    nights.print()


if __name__ == "__main__":
    main()
