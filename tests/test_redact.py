"""Redaction: every form of a credential hidden, and nothing installed by importing stakeplug."""

from __future__ import annotations

import base64
import logging
import subprocess
import sys
from urllib.parse import quote, quote_plus

import pytest

from stakeplug.redact import (
    RedactingFilter,
    basic_auth_forms,
    get_logger,
    install_redaction,
    redact,
    register_basic_auth,
    register_secret,
)

EMAIL = "bot@acme.example"
TOKEN = "ATATT3xFfGF0-canary-basic-auth-token"  # noqa: S105 - a fake credential the tests hunt for


def test_importing_stakeplug_and_its_adapters_installs_no_logging_filter() -> None:
    """After importing every stakeplug module and adapter, no logger or handler carries a filter."""
    code = (
        "import logging, stakeplug, stakeplug.http, stakeplug.redact, stakeplug.adapter, stakeplug.reports\n"
        "import stakeplug.sources.file, stakeplug_jira, stakeplug_github\n"
        "loggers = [logging.getLogger()] + [l for l in logging.root.manager.loggerDict.values()"
        " if isinstance(l, logging.Logger)]\n"
        "print(sum(len(l.filters) for l in loggers))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0", out.stderr


def test_the_basic_auth_credential_is_hidden_raw_and_url_encoded() -> None:
    """The base64 of ``email:token`` that basic authentication sends is redacted, also URL-encoded."""
    register_basic_auth(EMAIL, TOKEN)
    [encoded] = basic_auth_forms(EMAIL, TOKEN)
    assert encoded == base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    text = f"echo: Authorisation was Basic {encoded}; in a link ?c={quote(encoded, safe='')}; raw {TOKEN}"
    hidden = redact(text)
    assert encoded not in hidden
    assert quote(encoded, safe="") not in hidden
    assert TOKEN not in hidden
    assert hidden.count("***") == 3


def test_a_secret_is_hidden_in_every_url_encoded_form() -> None:
    """Quoted whole, quoted with ``/`` kept (a path) and with spaces as ``+`` (a query string)."""
    secret = "s3cret/with+signs=and space"  # noqa: S105 - a made-up canary
    register_secret(secret)
    forms = [quote(secret, safe=""), quote(secret), quote_plus(secret)]
    assert len(set(forms)) == 3
    hidden = redact(" | ".join([secret, *forms]))
    assert hidden == " | ".join(["***"] * 4)


def test_a_password_outside_latin_1_still_gives_its_utf_8_form() -> None:
    """A credential that Latin-1 cannot encode has one basic-auth form, the UTF-8 one."""
    assert basic_auth_forms("zoë", "pässwörd€") == (base64.b64encode("zoë:pässwörd€".encode()).decode(),)


def test_install_redaction_covers_loggers_made_before_and_after(caplog: pytest.LogCaptureFixture) -> None:
    """A logger taken from get_logger is redacted whether it was made before or after installing."""
    before = get_logger("stakeplug_fixture_before")
    install_redaction()
    after = get_logger("stakeplug_fixture_after")
    caplog.set_level(logging.INFO)
    before.info("token=%s", "abcdef123456")
    after.info("password=%s", "hunter2222")
    assert [r.getMessage() for r in caplog.records[-2:]] == ["token=***", "password=***"]
    assert any(isinstance(f, RedactingFilter) for f in logging.getLogger("jira").filters)


def test_a_body_logged_as_bytes_is_decoded_before_it_is_redacted() -> None:
    """The ``jira`` package logs a response body as bytes; a secret outside ASCII would hide
    behind the escapes of the bytes' repr, so the filter decodes the body first."""
    secret = "zürich-canary-secret-in-a-body"  # noqa: S105 - a fake credential the test hunts for
    record = logging.LogRecord("jira.resilientsession", logging.DEBUG, __file__, 1, "body:\n%s", None, None)
    record.args = (f'{{"echo": "{secret}"}}'.encode(),)
    RedactingFilter([secret]).filter(record)
    assert record.getMessage() == 'body:\n{"echo": "***"}'


def test_the_command_redacts_every_other_logger_and_warnings_too() -> None:
    """After ``stakeplug`` set up its logging, a record of a library it does not name (which
    Python would otherwise print unredacted as a last resort) and a warning are redacted."""
    secret = "canary-other-library-secret"  # noqa: S105 - a fake credential the test hunts for
    code = (
        "import logging, warnings\n"
        "from stakeplug.cli.main import main\n"
        "from stakeplug.redact import register_secret\n"
        f"register_secret({secret!r})\n"
        "main(['--debug', 'adapters'])\n"
        f"logging.getLogger('some_transitive_library').warning('sent %s', {secret!r})\n"
        f"warnings.warn('sent {secret}', stacklevel=1)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "stakeplug: WARNING: some_transitive_library: sent ***" in out.stderr, out.stderr
    assert "stakeplug: WARNING: py.warnings:" in out.stderr, out.stderr
    assert "canary-other" not in out.stderr + out.stdout
