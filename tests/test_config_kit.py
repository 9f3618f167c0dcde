"""The validation kit, the secret helper and the read-only adapter base shared by every adapter."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

import stakeplug
from stakeplug.adapter import Checker, ReadOnlyAdapter, TaskDraft, config_place, secret_from_env
from stakeplug.errors import ConfigError

DOMAIN = Path(stakeplug.__file__).parent / "domain"
_IO_MODULES = {"os", "pathlib", "tomllib", "importlib", "io", "shutil", "sqlite3", "socket", "requests"}


def test_a_checker_of_a_file_names_the_file_and_the_dotted_place() -> None:
    """A file's checker puts the file and the dotted place before the message."""
    check = Checker("stakeplug.toml")
    with pytest.raises(ConfigError) as info:
        check.integer({"power": 9}, "power", "stakeholders[3]", 1, 5, 3)
    assert str(info.value) == "stakeplug.toml: stakeholders[3].power: must be an integer 1–5, got 9"
    assert info.value.location == "stakeholders[3].power"


def test_a_checker_bound_to_an_adapter_table_leads_with_the_key() -> None:
    """An adapter's checker names its table as the place and the key at the start of the message."""
    check = Checker(place=config_place("jira", "sources[1]"))
    error = check.fail("url", "must start with https://")
    assert str(error) == "sources[1] (jira): url: must start with https://"
    assert error.location == "sources[1] (jira)"
    assert str(check.fail("", "give a project")) == "sources[1] (jira): give a project"


def test_positive_refuses_zero_unless_allowed() -> None:
    """Zero is refused as a positive number unless zero is allowed, and the message says which."""
    check = Checker()
    assert check.positive(0, "rules.scoring.smoothing", zero=True) == 0
    with pytest.raises(ConfigError, match=r"rules\.windows\.answer_days: must be above zero, got 0"):
        check.positive(0, "rules.windows.answer_days")


def test_a_secret_is_read_from_the_variable_the_option_names() -> None:
    """The secret helper reads the named variable from the given environment and strips it."""
    env = {"MY_TOKEN": "  s3cr3t-value \n"}
    assert secret_from_env({"token_env": "MY_TOKEN"}, "token_env", place="x", what="a token", env=env) == (
        "s3cr3t-value"
    )


def test_an_unset_secret_names_the_variable_and_what_it_must_hold() -> None:
    """A missing or blank variable is a config error naming the variable and the place."""
    with pytest.raises(ConfigError) as info:
        secret_from_env(
            {"token_env": "MY_TOKEN"},
            "token_env",
            place="sources[0] (mytool)",
            what="the API token",
            env={"MY_TOKEN": "   "},
        )
    assert str(info.value) == (
        "sources[0] (mytool): environment variable MY_TOKEN is not set; it must hold the API token"
    )


def test_an_option_that_names_no_variable_asks_for_one() -> None:
    """An empty ``*_env`` option is refused, asking for the name of a variable."""
    with pytest.raises(ConfigError, match="token_env: name the environment variable that holds a token"):
        secret_from_env({"token_env": ""}, "token_env", place="x", what="a token", env={})


class _Notes(ReadOnlyAdapter):
    name = "notes"

    def collect(self, since: datetime, until: datetime) -> list[object]:
        self._requests += 1
        self._skipped.append("line 2: not JSON")
        return []


def test_a_read_only_source_has_no_tasks_refuses_to_post_and_reports_its_counts() -> None:
    """The read-only base supplies empty tasks, a refusal to post naming the source, and stats."""
    source = _Notes()
    source.collect(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
    assert source.find_tasks() == []
    draft = TaskDraft(title="t", body="b", labels=(), fingerprint="f", action="a", stakeholder="s")
    with pytest.raises(ConfigError, match="the notes source cannot post tasks"):
        source.post_task(draft, dry_run=True)
    assert source.stats.requests == 1
    assert source.stats.skipped == 1
    assert source.stats.skipped_reasons == ("line 2: not JSON",)
    source.close()


def test_the_domain_layer_imports_nothing_that_does_io() -> None:
    """No module under ``domain/`` imports a module that reads files, the network or the environment."""
    offenders = []
    for path in sorted(DOMAIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in _IO_MODULES]
    assert offenders == []
