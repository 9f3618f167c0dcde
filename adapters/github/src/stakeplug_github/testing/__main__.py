"""``python -m stakeplug_github.testing``: serve a generated fake GitHub until interrupted."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from stakeplug_github.testing import FakeGitHub


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, seed one repository and serve it."""
    parser = argparse.ArgumentParser(
        prog="python -m stakeplug_github.testing",
        description="Serve a fake GitHub REST API with one generated repository.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--repo", default="octo-org/demo", help="owner/name of the repository")
    parser.add_argument("--issues", type=int, default=100)
    parser.add_argument("--prs", type=int, default=50)
    parser.add_argument("--comments", type=int, default=None, help="default: 4 per item")
    parser.add_argument("--review-comments", type=int, default=None, help="default: 2 per PR")
    parser.add_argument("--reviews", type=int, default=None, help="default: 3 per PR")
    parser.add_argument("--token", default="test-token", help="the token clients must send")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--public", action="store_true", help="make the repository public")
    parser.add_argument(
        "--api-prefix", default="", help="serve under a prefix, e.g. /api/v3 like GitHub Enterprise"
    )
    args = parser.parse_args(argv)
    fake = FakeGitHub(
        tokens=(args.token,),
        api_prefix=args.api_prefix,
        latency=args.latency,
        host=args.host,
        port=args.port,
    )
    fake.start()
    fake.generate(
        args.repo,
        issues=args.issues,
        prs=args.prs,
        comments=args.comments,
        review_comments=args.review_comments,
        reviews=args.reviews,
        seed=args.seed,
        private=not args.public,
    )
    print(f"fake GitHub serving {args.repo} at {fake.url}", flush=True)
    print(f"token: {args.token}   stats: {fake.root}/_fake/stats   stop: Ctrl-C", flush=True)
    fake.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
