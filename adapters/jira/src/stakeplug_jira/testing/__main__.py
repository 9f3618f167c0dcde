"""Run the fake Jira from the command line: ``python -m stakeplug_jira.testing --port 8080``.

It prints the URL it listens on (first line) and the credentials to use, then
serves until interrupted.  ``GET /_fake/stats`` answers the request counts.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from stakeplug_jira.testing._generate import generate_project
from stakeplug_jira.testing._server import FakeJira


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, seed a fake Jira and serve it until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m stakeplug_jira.testing",
        description="Serve a fake Jira with a generated project on a loopback port.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--mode", choices=("cloud", "server"), default="cloud")
    parser.add_argument("--project", default="DEMO", help="key of the generated project")
    parser.add_argument("--issues", type=int, default=100, help="issues to generate (default 100)")
    parser.add_argument("--comments", type=int, default=None, help="comments (default 5 per issue)")
    parser.add_argument("--overflow", type=int, default=0, help="issues with more comments than fit inline")
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--email", default="stakeplug-bot@example.org")
    parser.add_argument("--token", default="fake-jira-token", help="the API token or PAT it accepts")
    args = parser.parse_args(argv)
    fake = FakeJira(
        mode=args.mode,
        email=args.email,
        token=args.token,
        latency=args.latency,
        host=args.host,
        port=args.port,
    )
    generated = generate_project(
        fake,
        project=args.project,
        issues=args.issues,
        comments=args.issues * 5 if args.comments is None else args.comments,
        users=args.users,
        overflow=args.overflow,
        seed=args.seed,
    )
    fake.start()
    print(fake.url, flush=True)
    auth = f"email {args.email}, API token" if args.mode == "cloud" else "bearer personal access token"
    print(
        f"fake Jira {args.mode}: project {generated.project}, {len(generated.issues)} issues, "
        f"{generated.comments} comments; auth: {auth} as given by --token; "
        f"request counts at {fake.url}/_fake/stats",
        file=sys.stderr,
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        fake.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
