"""The full config loader: sources, tasks and rules on top of the register."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import stakeplug
from stakeplug import load_config
from stakeplug.errors import AdapterNotFoundError, ConfigError, SecretInConfigError
from stakeplug.testing import MemoryAdapter

REGISTER = """
[project]
name = "Apollo"

[[team]]
name = "Dana Whitfield"
identities = { github = "dana-w" }

[[stakeholders]]
name = "Maria Jensen"
owner = "Dana Whitfield"
identities = { github = "maria-j" }
"""


def write(tmp_path: Path, extra: str, name: str = "stakeplug.toml") -> Path:
    path = tmp_path / name
    path.write_text(REGISTER + textwrap.dedent(extra), "utf-8")
    return path


@pytest.fixture
def memory_adapter():
    stakeplug.register_adapter("memory", MemoryAdapter, clobber=True)
    yield
    stakeplug.unregister_adapter("memory")


def test_a_full_config_loads_every_table(tmp_path: Path) -> None:
    """Sources, the task target and rule overrides are read with their own keys."""
    path = write(
        tmp_path,
        """
        [[sources]]
        adapter = "file"
        path = "data/jira.jsonl"

        [[sources]]
        adapter = "file"
        name = "mail"
        path = "/srv/mail.jsonl"
        tool = "email"

        [tasks]
        adapter = "memory"
        private = true
        token_env = "TASKS_TOKEN"

        [rules.windows]
        answer_days = 5
        """,
    )
    config = load_config(path)
    assert config.register.project.name == "Apollo"
    assert [(s.index, s.adapter, s.name) for s in config.sources] == [
        (0, "file", "file"),
        (1, "file", "mail"),
    ]
    assert config.sources[0].options["path"] == str(tmp_path.resolve() / "data" / "jira.jsonl")
    assert config.sources[1].options == {"path": "/srv/mail.jsonl", "tool": "email"}
    assert config.sources[1].where == "sources[1]"
    assert config.tasks is not None
    assert (config.tasks.adapter, config.tasks.private, config.tasks.allow_public) == (
        "memory",
        True,
        False,
    )
    assert config.tasks.options == {"token_env": "TASKS_TOKEN"}
    assert config.load_rules().answer_days == 5
    assert config.path == str(path)


def test_relative_paths_resolve_against_the_config_folder_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A config run from another folder still finds its activity files."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.jsonl").write_text("", "utf-8")
    write(project, '[[sources]]\nadapter = "file"\npath = "a.jsonl"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(Path("..") / "project" / "stakeplug.toml")
    [(name, adapter)] = config.build_sources()
    assert name == "file"
    assert list(adapter.collect(*_window())) == []


def _window():
    from datetime import UTC, datetime

    return datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)


def test_a_config_without_sources_or_tasks_is_valid(tmp_path: Path) -> None:
    """The register alone is a config: nothing to collect yet, nowhere to post."""
    config = load_config(write(tmp_path, ""))
    assert config.sources == ()
    assert config.tasks is None
    assert config.rules == {}
    with pytest.raises(ConfigError, match=r"no \[tasks\] table"):
        config.build_tasks_adapter()


@pytest.mark.parametrize(
    ("extra", "location", "message"),
    [
        ("[[sources]]\nname = 'x'\n", "sources[0].adapter", "is required"),
        ("[[sources]]\nadaptr = 'file'\n", "sources[0].adapter", "'adaptr' a misspelling"),
        ("[[sources]]\nadapter = 3\n", "sources[0].adapter", "adapter name as a string"),
        ("[sources]\nadapter = 'file'\n", "sources", "[[sources]]"),
        (
            "[[sources]]\nadapter = 'file'\npath = 'a'\n[[sources]]\nadapter = 'file'\npath = 'b'\n",
            "sources[1].name",
            "already called 'file'",
        ),
        ("[tasks]\nadapter = 'github'\nprivate = 'yes'\n", "tasks.private", "true or false"),
        ("[[tasks]]\nadapter = 'github'\n", "tasks", "must be a table"),
        ("[source]\nadapter = 'file'\n", "source", "did you mean 'sources'"),
    ],
)
def test_bad_tables_name_the_place_and_the_fix(
    tmp_path: Path, extra: str, location: str, message: str
) -> None:
    """Each mistake in sources, tasks or rules is a ConfigError naming the file and the entry."""
    path = write(tmp_path, extra)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.path == str(path)
    assert caught.value.location == location
    assert message in caught.value.detail


def test_a_secret_in_a_source_table_is_refused_without_echoing_it(tmp_path: Path) -> None:
    """A token written into [[sources]] is refused; the message names the key, never the value."""
    secret = "ghp_" + "A1b2C3d4" * 5
    path = write(tmp_path, f'[[sources]]\nadapter = "github"\nrepo = "a/b"\ntoken = "{secret}"\n')
    with pytest.raises(SecretInConfigError) as caught:
        load_config(path)
    assert caught.value.location == "sources[0].token"
    assert "token_env" in str(caught.value)
    assert secret not in str(caught.value)


def test_a_secret_value_under_an_innocent_key_is_refused_too(tmp_path: Path) -> None:
    """The shape of a credential is recognised whatever the key is called."""
    secret = "ghp_" + "Z9y8X7w6" * 5
    path = write(tmp_path, f'[tasks]\nadapter = "github"\nrepo = "{secret}"\n')
    with pytest.raises(SecretInConfigError) as caught:
        load_config(path)
    assert caught.value.location == "tasks.repo"
    assert secret not in str(caught.value)


def test_bad_rule_overrides_are_a_config_error_naming_the_file(tmp_path: Path) -> None:
    """Rules are checked by the rules loader; its error carries this config's path."""
    path = write(tmp_path, "[rules.windows]\nanswr_days = 5\n")
    config = load_config(path)
    with pytest.raises(ConfigError) as caught:
        config.load_rules()
    assert caught.value.path == str(path)
    assert "answr_days" in str(caught.value)


def test_an_unknown_adapter_lists_the_installed_ones(tmp_path: Path) -> None:
    """Building a source of an adapter that is not installed names what is."""
    config = load_config(write(tmp_path, '[[sources]]\nadapter = "gitlab"\n'))
    with pytest.raises(AdapterNotFoundError) as caught:
        config.build_sources()
    assert "gitlab" in str(caught.value)
    assert "file" in caught.value.installed


def test_adapter_key_errors_carry_the_config_path_and_table(tmp_path: Path) -> None:
    """A key the adapter does not know is reported at sources[i] of this file."""
    path = write(tmp_path, '[[sources]]\nadapter = "file"\npath = "a.jsonl"\npaht = "b"\n')
    (tmp_path / "a.jsonl").write_text("", "utf-8")
    config = load_config(path)
    with pytest.raises(ConfigError) as caught:
        config.build_sources()
    assert caught.value.path == str(path)
    assert "sources[0]" in (caught.value.location or "")
    assert "did you mean 'path'" in caught.value.detail


def test_an_unset_environment_variable_is_named(tmp_path: Path, memory_adapter: None) -> None:
    """Credentials come from the environment; an unset variable is named in the error."""
    path = write(tmp_path, '[[sources]]\nadapter = "memory"\ntoken_env = "APOLLO_TOKEN"\n')
    config = load_config(path)
    with pytest.raises(ConfigError) as caught:
        config.build_sources(env={})
    assert "APOLLO_TOKEN" in str(caught.value)
    assert caught.value.path == str(path)
    [(name, adapter)] = config.build_sources(env={"APOLLO_TOKEN": "s3cr3t-value"})
    assert name == "memory"
    assert "s3cr3t-value" not in repr(adapter)


def test_sources_built_before_a_failure_are_closed(tmp_path: Path, memory_adapter: None) -> None:
    """When the second source cannot be built, the first one is closed, not leaked."""
    built: list[MemoryAdapter] = []

    class Recording(MemoryAdapter):
        @classmethod
        def from_config(cls, config, *, env=None, where=None):  # type: ignore[no-untyped-def]
            adapter = MemoryAdapter.from_config(config, env=env, where=where)
            built.append(adapter)
            return adapter

    stakeplug.register_adapter("memory", Recording, clobber=True)
    path = write(
        tmp_path,
        '[[sources]]\nadapter = "memory"\n[[sources]]\nadapter = "memory"\nname = "b"\n'
        'token_env = "UNSET_FOR_SURE"\n',
    )
    with pytest.raises(ConfigError, match="UNSET_FOR_SURE"):
        load_config(path).build_sources(env={})
    assert len(built) == 1
    assert built[0].closed
