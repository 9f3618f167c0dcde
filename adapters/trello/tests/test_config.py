"""Building the API adapter from a [[sources]] table: keys, credentials and precise errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from stakeplug_trello import TrelloAdapter

from stakeplug.errors import ConfigError

ENV = {"TRELLO_API_KEY": "k" * 32, "TRELLO_TOKEN": "t" * 64}


def test_a_board_by_short_link_or_id_builds_the_api_adapter():
    """board takes a short link or a 24-digit id; boards adds more, without repeats."""
    adapter = TrelloAdapter.from_config(
        {"board": "joJVJ2KP", "boards": ["5ca3d99a0378a65090e676ca", "joJVJ2KP"]}, env=ENV
    )
    assert isinstance(adapter, TrelloAdapter)
    assert adapter.boards == ("joJVJ2KP", "5ca3d99a0378a65090e676ca")
    adapter.close()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "set board ="),
        (
            {"board": "https://trello.com/b/joJVJ2KP"},
            "board: 'https://trello.com/b/joJVJ2KP' is not a Trello board id",
        ),
        ({"boards": ["joJVJ2KP", "nope"]}, "boards: 'nope' is not a Trello board id"),
        ({"boards": ["joJVJ2KP", 7]}, "boards: each entry must be"),
        ({"board": "joJVJ2KP", "base_url": "ftp://x"}, "base_url: 'ftp://x' is not an http"),
        ({"board": "joJVJ2KP", "base_url": "https://api.trello.com/1?key=abc"}, "credentials do not belong"),
        ({"board": "joJVJ2KP", "requests_per_10s": 500}, "requests_per_10s: must be between 1 and 100"),
        ({"board": "joJVJ2KP", "done_lists": ["Done", 3]}, "done_lists: must be a list of non-empty strings"),
        ({"board": "joJVJ2KP", "boardd": "x"}, "unknown key 'boardd'"),
    ],
)
def test_bad_keys_are_config_errors_naming_the_place_and_key(config, message):
    """Each mistake in the table is a ConfigError that names sources[N] and the key."""
    with pytest.raises(ConfigError) as info:
        TrelloAdapter.from_config(config, env=ENV, where="sources[3]")
    assert message in str(info.value)
    assert "sources[3]" in str(info.value)


@pytest.mark.parametrize(
    ("missing", "what"), [("TRELLO_API_KEY", "the Trello API key"), ("TRELLO_TOKEN", "a Trello token")]
)
def test_a_missing_credential_names_its_variable(missing, what):
    """An unset key or token variable is named, with what belongs in it."""
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(ConfigError, match=f"environment variable {missing} is not set; it must hold {what}"):
        TrelloAdapter.from_config({"board": "joJVJ2KP"}, env=env)


def test_credentials_go_in_the_authorization_header_only():
    """The key and token are in the OAuth header, never in the base URL, and not in the repr."""
    adapter = TrelloAdapter.from_config(
        {"board": "joJVJ2KP", "key_env": "K", "token_env": "T"}, env={"K": "key-123456", "T": "tok-654321"}
    )
    header = adapter.http.session.headers["Authorization"]
    assert header == 'OAuth oauth_consumer_key="key-123456", oauth_token="tok-654321"'
    shown = repr(adapter) + repr(adapter.http)
    assert "key-123456" not in shown and "tok-654321" not in shown
    assert "key-123456" not in adapter.http.base_url
    assert adapter.http.redact(header).count("***") >= 1 and "tok-654321" not in adapter.http.redact(header)
    adapter.close()


def test_the_readme_documents_every_key():
    """adapters/trello/README.md has a row for each key the adapter accepts, with its default."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`"): line for line in readme.splitlines() if line.startswith("| `")
    }
    assert set(TrelloAdapter.OPTIONS) <= set(rows)
    for key, option in TrelloAdapter.OPTIONS.items():
        if isinstance(option.default, str | int) and not isinstance(option.default, bool):
            assert str(option.default) in rows[key], key
