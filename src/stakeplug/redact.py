"""Redaction: credentials never reach a log line, an error message or a report.

:func:`redact` hides ``Authorization`` values, ``token=``/``access_token``-style
values, ``key=`` in query strings, ``user:password@`` in URLs, and every
secret registered with :func:`register_secret` in every form a client
library may send or a tracker may echo: as it is, URL-encoded (in a path, a
query string or with every character quoted), and (for a
user and password given to :func:`register_basic_auth`) the base64 of
``user:password`` that HTTP basic authentication puts in a header, itself
URL-encoded too.

Importing this module changes nothing outside it.  The logging filter is
installed by :func:`install_redaction`: the command line and the pipeline call
it, and :func:`register_secret` calls it, so once a secret is known every
stakeplug logger, ``urllib3`` and the ``jira`` package hide it.  The command
line also puts a redacting handler on the root logger, so a record of any
other library, at any level, is redacted before it is shown.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

__all__ = [
    "RedactingFilter",
    "basic_auth_forms",
    "get_logger",
    "install_redaction",
    "redact",
    "register_basic_auth",
    "register_secret",
]

_MIN_SECRET = 4
_REDACTED = "***"
_AUTH_RE = re.compile(r"""((?:proxy-)?authorization['"]?\s*[:=]\s*['"]?)([^'"\r\n,}]+)""", re.IGNORECASE)
_TOKEN_RE = re.compile(
    r"""(\b(?:access_|api_|private_|auth_|refresh_|id_|oauth_)?token|\bpassword|\bpasswd"""
    r"""|\bclient_secret|\bsecret|\bapi_?key)(['"]?\s*[=:]\s*['"]?)([^&\s'",;}\]]+)""",
    re.IGNORECASE,
)
_QUERY_KEY_RE = re.compile(r"([?&](?:key|sig|signature)=)([^&\s'\"#]+)", re.IGNORECASE)
_URL_USERINFO_RE = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s:@'\"]+:[^/\s@'\"]*@", re.IGNORECASE)

_LOGGERS = ("stakeplug", "urllib3.connectionpool", "jira")
"""Loggers that may echo a request: ours, the request lines of urllib3 (Trello's key and
token travel in the query string), and the ``jira`` package's own."""


class _Secrets:
    """The process's registered secrets, longest first, each with its URL-encoded forms."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.known: set[str] = set()
        self.pairs: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def add(self, values: Iterable[str]) -> None:
        with self.lock:
            self.known.update(v for v in values if v and len(v) >= _MIN_SECRET)
            self.pairs = _pairs(self.known)


_secrets = _Secrets()


def _pairs(secrets: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each secret, longest first (so a secret inside another is not cut in two), with the
    URL-encoded forms that differ from it: every character quoted, ``/`` kept (a path), and
    spaces as ``+`` (a form or query string)."""
    pairs = []
    for secret in sorted(secrets, key=len, reverse=True):
        forms = (quote(secret, safe=""), quote(secret), quote_plus(secret, safe=""))
        pairs.append((secret, tuple(f for f in dict.fromkeys(forms) if f != secret)))
    return tuple(pairs)


def register_secret(value: str | None) -> None:
    """Hide ``value`` from now on in :func:`redact` and in every redacted logger.

    Values shorter than four characters are ignored: hiding them would mangle
    ordinary text, and no real credential is that short.  Registering installs
    the logging filter (:func:`install_redaction`).
    """
    if value and len(value) >= _MIN_SECRET:
        _secrets.add([value])
        install_redaction()


def register_basic_auth(user: str, password: str) -> None:
    """Hide ``password`` and the base64 credential HTTP basic authentication builds from the pair.

    A client library (``requests``, the ``jira`` package) sends
    ``Authorization: Basic base64(user:password)``; a tracker that repeats the
    header in an error body would otherwise show a credential that was never
    registered.  Both encodings a library may use (UTF-8, Latin-1) are hidden.
    """
    register_secret(password)
    for form in basic_auth_forms(user, password):
        register_secret(form)


def basic_auth_forms(user: str, password: str) -> tuple[str, ...]:
    """The base64 credentials basic authentication builds from ``user`` and ``password``."""
    pair = f"{user}:{password}"
    forms = [base64.b64encode(pair.encode("utf-8")).decode("ascii")]
    with contextlib.suppress(UnicodeEncodeError):
        forms.append(base64.b64encode(pair.encode("latin-1")).decode("ascii"))
    return tuple(dict.fromkeys(forms))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with credentials replaced by ``***``.

    Hides ``Authorization`` header values (also in a dict's repr),
    ``token=``, ``access_token``, ``password`` and ``api_key`` style values,
    ``key=`` in query strings, ``user:password@`` in URLs, every value in
    ``secrets`` and every registered secret (also in their URL-encoded form).
    """
    if not text:
        return text
    with _secrets.lock:
        replacements = _secrets.pairs
        extra = {s for s in secrets if s and len(s) >= _MIN_SECRET} - _secrets.known
    if extra:
        replacements = _pairs(extra.union(s for s, _ in replacements))
    for secret, encoded in replacements:
        text = text.replace(secret, _REDACTED)
        for form in encoded:
            text = text.replace(form, _REDACTED)
    text = _AUTH_RE.sub(lambda m: m.group(1) + _REDACTED, text)
    text = _TOKEN_RE.sub(lambda m: m.group(1) + m.group(2) + _REDACTED, text)
    text = _QUERY_KEY_RE.sub(lambda m: m.group(1) + _REDACTED, text)
    return _URL_USERINFO_RE.sub(lambda m: m.group(1) + _REDACTED + "@", text)


class RedactingFilter(logging.Filter):
    """A logging filter that applies :func:`redact` to each record's message.

    The message is formatted with its arguments first, so a token passed as an
    argument is hidden too; an argument in bytes (a response body) is decoded
    first, so a secret outside ASCII is not hidden behind its escapes.  Exception
    text attached to the record is redacted as well.  The filter never drops a record.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_text(a) for a in record.args)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.secrets)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def _text(value: object) -> object:
    """Bytes as text (a response body the ``jira`` package logs), so a secret in them is found."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return value


_filter = RedactingFilter()


class _Loggers:
    """The names of the loggers to redact, and whether redaction is installed yet."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.names: set[str] = set(_LOGGERS)
        self.installed = False


_loggers = _Loggers()


def _attach(logger: logging.Logger) -> None:
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(_filter)


def _ours(name: str) -> bool:
    return name == "stakeplug" or name.startswith(("stakeplug.", "stakeplug_"))


def install_redaction(*names: str) -> None:
    """Put the redacting filter on every logger that may echo a credential; safe to call again.

    A filter on a logger sees only the records logged on that very logger, so
    it goes on ``stakeplug``, ``urllib3.connectionpool``, ``jira``, each logger
    made by :func:`get_logger`, every ``stakeplug``/``stakeplug_*`` logger that
    exists, the handlers of the root logger, and the loggers in ``names``.
    """
    with _loggers.lock:
        _loggers.names.update(names)
        _loggers.installed = True
        wanted = set(_loggers.names)
    wanted.update(n for n in list(logging.root.manager.loggerDict) if _ours(n))
    for name in sorted(wanted):
        _attach(logging.getLogger(name))
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(_filter)


def get_logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)``, redacted once :func:`install_redaction` has run.

    Every stakeplug module that logs something that may echo a request takes
    its logger from here; before redaction is installed the name is only
    remembered, so importing a module changes no logger.
    """
    logger = logging.getLogger(name)
    with _loggers.lock:
        _loggers.names.add(name)
        installed = _loggers.installed
    if installed:
        _attach(logger)
    return logger
