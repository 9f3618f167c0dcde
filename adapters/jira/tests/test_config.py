"""Building the adapter from a table: precise errors, credentials only from the environment."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from stakeplug_jira import JiraAdapter

from stakeplug import build_adapter
from stakeplug.errors import ConfigError

BASE = {"url": "https://acme.atlassian.net", "project": "APOLLO", "token_env": "JIRA_API_TOKEN"}
ENV = {"JIRA_API_TOKEN": "s3cr3t-token-value", "JIRA_EMAIL": "bot@acme.org"}


def build(env: dict[str, str] | None = None, **changes: Any) -> JiraAdapter:
    config = {k: v for k, v in {**BASE, **changes}.items() if v is not None}
    return JiraAdapter.from_config(config, env=ENV if env is None else env, where="sources[1]")


@pytest.mark.parametrize(
    ("changes", "env", "message"),
    [
        ({}, {}, "sources[1] (jira): environment variable JIRA_API_TOKEN is not set"),
        ({"email_env": "JIRA_EMAIL"}, {"JIRA_API_TOKEN": "x"}, "environment variable JIRA_EMAIL is not set"),
        ({"project": None}, None, "give `project`"),
        ({"api_version": 4}, None, "api_version: must be 2 or 3"),
        ({"url": "acme.atlassian.net"}, None, "url: must be the Jira site's address"),
        ({"projct": "X"}, None, "unknown key 'projct'"),
        ({"token_env": None}, None, "missing required key 'token_env'"),
    ],
)
def test_bad_tables_are_config_errors_naming_the_place(
    changes: dict[str, Any], env: dict[str, str] | None, message: str
) -> None:
    """Each mistake names the table, the key or variable, and what is expected."""
    with pytest.raises(ConfigError) as info:
        build(env, **changes)
    assert message in str(info.value)
    assert "sources[1]" in str(info.value)


def test_credentials_come_from_the_environment_and_never_show() -> None:
    """The token is read from the named variable and appears in no repr."""
    adapter = build(email_env="JIRA_EMAIL", api_version="3")
    try:
        assert adapter.api_version == 3
        assert "s3cr3t-token-value" not in repr(adapter) + repr(adapter.stats)
        assert (
            repr(adapter) == "JiraAdapter(url='https://acme.atlassian.net', target='APOLLO', api_version=3)"
        )
    finally:
        adapter.close()


def test_the_tasks_table_builds_through_the_registry() -> None:
    """A [tasks] table (issue_type included) builds the same class through the entry point."""
    adapter = build_adapter("jira", {**BASE, "issue_type": "Story"}, env=ENV, where="tasks")
    try:
        assert isinstance(adapter, JiraAdapter) and adapter.issue_type == "Story"
    finally:
        adapter.close()


def test_building_makes_no_request() -> None:
    """Nothing is sent before the first collect or post (so validation works offline)."""
    adapter = build()
    try:
        assert adapter.stats.requests == 0
    finally:
        adapter.close()


@pytest.mark.parametrize("level", [logging.DEBUG, logging.WARNING, logging.NOTSET])
def test_building_the_adapter_leaves_the_jira_packages_log_level_alone(level: int) -> None:
    """The ``jira`` package's constructor sets its logger's level (critical, with logging off);
    the adapter puts back the application's, so ``--debug`` shows the package's records,
    redacted like every other library's, and a quieter level stays quiet."""
    jira_log = logging.getLogger("jira")
    before = jira_log.level
    jira_log.setLevel(level)
    try:
        build(email_env="JIRA_EMAIL")
        build()
        assert jira_log.level == level
    finally:
        jira_log.setLevel(before)
