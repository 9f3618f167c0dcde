"""A user's script against the installed distributions: ``mypy --strict`` checks it, then it runs.

``tools/check_dists.py`` copies it into an empty folder and runs it with the Python of a fresh
virtual environment that holds only the built wheels, so the installed packages (not the source
tree) answer every import.  mypy fails here if a distribution ships no ``py.typed``.  It touches
no network: the adapters are built from config tables, and the audit reads the in-memory source.
"""

from __future__ import annotations

from datetime import timedelta

import stakeplug_github
import stakeplug_jira
import stakeplug_mbox
import stakeplug_trello

import stakeplug
from stakeplug.adapter import Adapter, Capabilities
from stakeplug.testing import SAMPLE_START, MemoryAdapter, sample_activities

ENV = {"GITHUB_TOKEN": "example-token", "JIRA_EMAIL": "bot@example.org", "JIRA_API_TOKEN": "example"}
ENV |= {"TRELLO_API_KEY": "example-key", "TRELLO_TOKEN": "example-token"}
FIRST_PARTY = (stakeplug_github.GitHubAdapter, stakeplug_jira.JiraAdapter, stakeplug_trello.TrelloAdapter)


def check(condition: bool, message: str) -> None:
    """Stop the script with ``message`` unless ``condition`` holds."""
    if not condition:
        raise SystemExit(f"as_a_user: {message}")


def built_sources() -> list[Adapter]:
    """Each first-party adapter built from a ``[[sources]]`` table, as a config file would."""
    github: Adapter = stakeplug_github.GitHubAdapter.from_config(
        {"repo": "acme/apollo", "token_env": "GITHUB_TOKEN"}, env=ENV
    )
    jira: Adapter = stakeplug_jira.JiraAdapter.from_config(
        {"url": "https://acme.atlassian.net", "project": "APOLLO", "email_env": "JIRA_EMAIL"}
        | {"token_env": "JIRA_API_TOKEN"},
        env=ENV,
    )
    trello: Adapter = stakeplug_trello.TrelloAdapter.from_config({"board": "joJVJ2KP"}, env=ENV)
    return [github, jira, trello]


def main() -> None:
    """Check the installed adapters, their versions and an audit over the in-memory source."""
    installed = {info.name: info for info in stakeplug.list_adapters()}
    for name in ("file", "github", "jira", "trello", stakeplug_mbox.MboxAdapter.name):
        check(name in installed and installed[name].error is None, f"adapter {name!r} is not usable")
    for factory in FIRST_PARTY:
        check(isinstance(factory.capabilities, Capabilities), f"{factory.name}: no capabilities")
        check(installed[factory.name].version == stakeplug.__version__, f"{factory.name}: other version")
    sources = built_sources()
    check(
        [source.name for source in sources] == ["github", "jira", "trello"],
        "adapters built under other names",
    )
    check(stakeplug_github.mentions("thanks @maria and @lee") == ("maria", "lee"), "github mentions")
    check(stakeplug_trello.mentions("thanks @maria and @lee") == ("maria", "lee"), "trello mentions")

    memory = MemoryAdapter(sample_activities())
    seen = list(memory.collect(SAMPLE_START, SAMPLE_START + timedelta(days=21)))
    check(len(seen) > 0 and seen == sorted(seen, key=lambda a: a.timestamp), "memory source")
    for source in sources:
        source.close()
    print(f"as_a_user: stakeplug {stakeplug.__version__}, adapters {', '.join(sorted(installed))}")


if __name__ == "__main__":
    main()
