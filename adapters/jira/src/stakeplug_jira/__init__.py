"""The Jira adapter for stakeplug, with a fake Jira server for offline tests.

It reads a Jira Cloud or Server/Data Center project with one search stream
(comments and changelog inline, extra pages only for issues that overflow)
and creates care tasks as Jira issues labelled ``stakeplug``, idempotently.
Install it with ``pip install "stakeplug[jira]"``; it registers itself under
the ``stakeplug.adapters`` entry point as ``jira``.

A source table in ``stakeplug.toml``::

    [[sources]]
    adapter = "jira"
    url = "https://acme.atlassian.net"
    project = "APOLLO"
    email_env = "JIRA_EMAIL"        # Cloud: basic auth with the account email ...
    token_env = "JIRA_API_TOKEN"    # ... and an API token; Server/DC: a personal access token

:mod:`stakeplug_jira.testing` holds the fake Jira.
"""

from __future__ import annotations

from stakeplug_jira._adapter import SEARCH_FIELDS, JiraAdapter
from stakeplug_jira._translate import mentions

__all__ = ["SEARCH_FIELDS", "JiraAdapter", "mentions"]
__version__ = JiraAdapter.version
