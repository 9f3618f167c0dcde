"""stakeplug's GitHub adapter: reviews, comments, assignments and care tasks as issues.

Install with ``pip install "stakeplug[github]"`` and name it in a config::

    [[sources]]
    adapter = "github"
    repo = "acme/apollo"
    token_env = "GITHUB_TOKEN"        # the variable's name, never the token

It registers through the ``stakeplug.adapters`` entry point like any plugin.
:mod:`stakeplug_github.testing` holds a fake GitHub server for offline tests.
"""

from __future__ import annotations

from stakeplug_github._adapter import DEFAULT_BASE_URL, GitHubAdapter
from stakeplug_github._limits import RateLimitState
from stakeplug_github._mapping import mentions

__all__ = ["DEFAULT_BASE_URL", "GitHubAdapter", "RateLimitState", "mentions"]
