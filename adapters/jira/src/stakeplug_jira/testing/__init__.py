"""A fake Jira for offline tests: :class:`FakeJira`, and a generated project to fill it.

The fake is a real HTTP server on a loopback port, so anything that talks to
Jira over HTTP (stakeplug, the ``jira`` package, your own scripts) can be
tested against it without a network::

    from stakeplug_jira.testing import FakeJira, generate_project

    with FakeJira(mode="cloud") as jira:
        generate_project(jira, issues=250, comments=1000, overflow=3)
        print(jira.url)            # http://127.0.0.1:<port>
        ...
        print(jira.stats())        # requests by path, issues created through the API

From the command line::

    python -m stakeplug_jira.testing --port 8080 --issues 2000

Cloud mode authenticates ``email`` + ``token`` with basic auth; Server mode
takes ``token`` as a bearer personal access token.
"""

from __future__ import annotations

from stakeplug_jira.testing._example import seed_example
from stakeplug_jira.testing._generate import GeneratedProject, generate_project
from stakeplug_jira.testing._jql import JqlError, parse_jql
from stakeplug_jira.testing._server import DELETE, FakeJira, Fault

__all__ = [
    "DELETE",
    "FakeJira",
    "Fault",
    "GeneratedProject",
    "JqlError",
    "generate_project",
    "parse_jql",
    "seed_example",
]
