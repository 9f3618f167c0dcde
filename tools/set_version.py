"""Set, or check, the one version of the core and the first-party adapters.

::

    python3 tools/set_version.py 0.2.0            # write it everywhere it appears
    python3 tools/set_version.py --check 0.2.0    # exit 1 unless every place already says it

The places: the ``version`` of the core and of each distribution its extras name, the extras'
pins (``==0.2.*``), every workspace member's dependency on the core (``>=0.2.0,<0.3``) and the
version the nightly examples install.  ``tests/test_packaging.py`` checks that they agree.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NIGHTLY = [ROOT / "examples" / "nightly-jira" / name for name in ("github-actions.yml", ".gitlab-ci.yml")]


def members() -> tuple[list[Path], list[Path]]:
    """(first-party pyproject files, every other member's pyproject file)."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = root["project"].get("optional-dependencies", {}).values()
    named = {re.split(r"[=<>!~ \[;]", r, maxsplit=1)[0] for reqs in extras for r in reqs}
    first, other = [ROOT / "pyproject.toml"], []
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        for path in sorted(ROOT.glob(f"{pattern}/pyproject.toml")):
            name = tomllib.loads(path.read_text(encoding="utf-8"))["project"]["name"]
            (first if name in named else other).append(path)
    return first, other


def rewrite(path: Path, version: str, *, first_party: bool) -> str:
    """The file's text with ``version`` put in every place it belongs."""
    major, minor = (int(part) for part in version.split(".")[:2])
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".yml":
        return re.sub(r'"stakeplug\[jira\]==[^"]+"', f'"stakeplug[jira]=={version}"', text)
    if first_party:
        text = re.sub(r'(?m)^version = "[^"]+"$', f'version = "{version}"', text, count=1)
    text = re.sub(r'"(stakeplug-[a-z]+)==[0-9]+\.[0-9]+\.\*"', rf'"\1=={major}.{minor}.*"', text)
    return re.sub(r'"stakeplug>=[^",]+,<[^"]+"', f'"stakeplug>={version},<{major}.{minor + 1}"', text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("version", help="a release version such as 0.2.0")
    parser.add_argument("--check", action="store_true", help="change nothing; fail on any other version")
    args = parser.parse_args()
    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+((a|b|rc)[0-9]+)?", args.version):
        print(f"set_version: {args.version!r} is not a version like 0.2.0 or 0.2.0rc1", file=sys.stderr)
        return 2
    first, other = members()
    stale = []
    for path in [*first, *other, *NIGHTLY]:
        new = rewrite(path, args.version, first_party=path in first)
        if new != path.read_text(encoding="utf-8"):
            stale.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "do not say" if args.check else "now say"
    if stale:
        where = sys.stderr if args.check else sys.stdout
        print(f"set_version: {', '.join(stale)} {verb} {args.version}", file=where)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
