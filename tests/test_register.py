"""The register: loading a TOML file and refusing bad input with precise messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from stakeplug import load_register
from stakeplug.errors import ConfigError, SecretInConfigError

GOOD = """
[project]
name = "Apollo"
lookback_days = 120
status_report_labels = ["status-report", "weekly"]
own_projects = { jira = ["APOLLO"], github = ["acme/apollo"] }

[[team]]
name = "Dana Whitfield"
identities = { jira = "dana-id", github = "dana-w" }

[[stakeholders]]
name = "Maria Jensen"
power = 4
interest = 5
acceptance = 1.5
role = "sponsor"
owner = "Dana Whitfield"
reachable_via = "Olaf Berg"
ambassador_consent = true
identities = { jira = "maria-id", email = "maria@example.org" }

[[stakeholders]]
name = "Olaf Berg"
identities = { github = "OlafB" }
opted_out = true
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stakeplug.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_every_field(tmp_path: Path) -> None:
    """A complete register loads into typed, frozen domain objects."""
    reg = load_register(write(tmp_path, GOOD))
    assert reg.project.name == "Apollo"
    assert reg.project.lookback_days == 120
    assert reg.project.status_report_labels == ("status-report", "weekly")
    assert reg.is_own_project("jira", "apollo")
    maria = reg.stakeholder("maria jensen")
    assert maria is not None
    assert (maria.power, maria.interest, maria.prior_acceptance) == (4, 5, 1.5)
    assert maria.owner == "Dana Whitfield"
    assert maria.reachable_via == "Olaf Berg"
    assert maria.ambassador_consent is True
    assert maria.account("email") == "maria@example.org"
    olaf = reg.stakeholder("Olaf Berg")
    assert olaf is not None and olaf.opted_out and olaf.power == 3 and olaf.interest == 3


def test_identity_lookup_ignores_case_and_at_sign(tmp_path: Path) -> None:
    """Accounts match case-insensitively, with or without a leading @."""
    reg = load_register(write(tmp_path, GOOD))
    assert reg.lookup("github", "@olafb") == ("stakeholder", "Olaf Berg")
    assert reg.lookup("github", "DANA-W") == ("team", "Dana Whitfield")
    assert reg.lookup("github", "someone-else") is None
    assert reg.lookup("jira", None) is None


def replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (replace("power = 4", "power = 7"), "stakeholders[0].power: must be an integer 1–5, got 7"),
        (replace("power = 4", 'power = "high"'), "stakeholders[0].power: must be an integer 1–5, got 'high'"),
        (replace("interest = 5", "interest = 0"), "stakeholders[0].interest: must be an integer 1–5, got 0"),
        (
            replace("acceptance = 1.5", "acceptance = 4"),
            "stakeholders[0].acceptance: must be a number from -3 to 3, got 4",
        ),
        (
            replace("ambassador_consent = true", 'ambassador_consent = "yes"'),
            "stakeholders[0].ambassador_consent: must be true or false",
        ),
        (
            replace('owner = "Dana Whitfield"', 'owner = "Dana Whitfeld"'),
            "stakeholders[0].owner: 'Dana Whitfeld' is not a [[team]] member (did you mean 'Dana Whitfield'?)",
        ),
        (
            replace('reachable_via = "Olaf Berg"', 'reachable_via = "Nobody"'),
            "stakeholders[0].reachable_via: 'Nobody' is neither a stakeholder nor a team member",
        ),
        (
            replace('reachable_via = "Olaf Berg"', 'reachable_via = "Maria Jensen"'),
            "stakeholders[0].reachable_via: cannot be the stakeholder themselves",
        ),
        (
            replace("interest = 5", "intrest = 5"),
            "stakeholders[0].intrest: unknown key (did you mean 'interest'?)",
        ),
        (
            replace("lookback_days = 120", "lookback_days = 2"),
            "project.lookback_days: must be an integer 7–3650, got 2",
        ),
        (replace('name = "Apollo"', ""), "project.name: is required"),
        (
            replace('identities = { github = "OlafB" }', 'identities = { github = "dana-w" }'),
            "stakeholders[1].identities.github: account 'dana-w' is already given to 'Dana Whitfield'",
        ),
        (
            replace('name = "Olaf Berg"', 'name = "Maria Jensen"'),
            "stakeholders[1].name: 'Maria Jensen' appears twice",
        ),
        (GOOD + "\n[projekt]\nname = 'x'\n", "projekt: unknown key (did you mean 'project'?)"),
        (replace("power = 4", "power = 4\npower = 5"), "TOML syntax error"),
    ],
)
def test_bad_input_names_file_entry_and_field(tmp_path: Path, text: str, message: str) -> None:
    """Each invalid register is refused with the file, the entry, the field and what is allowed."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_register(path)
    assert message in str(info.value)
    assert str(info.value).startswith(str(path))


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    """A TOML syntax error points at the line and column."""
    path = write(tmp_path, "[project]\nname = \n")
    with pytest.raises(ConfigError, match=r"line 2, column 8"):
        load_register(path)


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    """A missing file is a ConfigError (also a ValueError) that suggests `stakeplug init`."""
    with pytest.raises(ValueError, match="file not found; create one with `stakeplug init`"):
        load_register(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "snippet",
    [
        '[[sources]]\nadapter = "jira"\ntoken = "abc"\n',
        '[[sources]]\nadapter = "jira"\napi_key = "abc"\n',
        '[[sources]]\nadapter = "jira"\npassword = "abc"\n',
        '[tasks]\nadapter = "github"\nnote = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"\n',
    ],
)
def test_secrets_are_refused_without_echoing_them(tmp_path: Path, snippet: str) -> None:
    """A secret in the file is refused; the message points to environment variables and hides the value."""
    path = write(tmp_path, GOOD + "\n" + snippet)
    with pytest.raises(SecretInConfigError) as info:
        load_register(path)
    text = str(info.value)
    assert "environment variable" in text
    assert "abc" not in text.split(":", 1)[1].replace("api_key", "").replace("MY_API_KEY", "")
    assert "ghp_" not in text


def test_env_variable_names_are_allowed(tmp_path: Path) -> None:
    """Naming the variable that holds a token (``token_env``) is how credentials are configured."""
    path = write(tmp_path, GOOD + '\n[[sources]]\nadapter = "jira"\ntoken_env = "JIRA_API_TOKEN"\n')
    assert load_register(path).project.name == "Apollo"
