"""Every error stakeplug raises, in one place.

Each error also subclasses the builtin it really is, so callers can catch either
the stakeplug class or the familiar builtin::

    StakeplugError
    ├── ConfigError (ValueError)              bad register, config, source keys or arguments
    │   └── SecretInConfigError               a secret written into a file instead of the environment
    ├── AdapterNotFoundError (LookupError)    no adapter of that name is installed
    ├── AdapterLoadError (ImportError)        an installed adapter failed to import or build
    ├── PrivacyError (PermissionError)        posting refused: the target is public
    └── TrackerError                          a tracker answered badly; carries ``adapter`` and ``status``
        ├── AuthenticationError (PermissionError)   401: credentials missing or wrong
        ├── PermissionDeniedError (PermissionError) 403: the account may not see or do this
        ├── NotFoundError (LookupError)             404: project, repository or board not found
        ├── PayloadError (ValueError)               a payload that cannot be understood
        ├── BudgetExhaustedError (TimeoutError)     a source's or the run's time budget is used up
        ├── PostingInterruptedError                 posting stopped part-way; carries what was done
        └── TransientError (ConnectionError)        worth retrying later
            ├── RateLimitedError                    429 or a rate-limit answer; carries ``retry_after``
            └── UnavailableError                    5xx, connection reset, timeout

Adapters map the errors of their HTTP or client library at their edge with
``raise ... from exc``; nothing else escapes an adapter.  Messages never contain
credentials: :func:`stakeplug.redact.redact` is applied to anything that echoes a
request.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AdapterLoadError",
    "AdapterNotFoundError",
    "AuthenticationError",
    "BudgetExhaustedError",
    "ConfigError",
    "NotFoundError",
    "PayloadError",
    "PermissionDeniedError",
    "PostingInterruptedError",
    "PrivacyError",
    "RateLimitedError",
    "SecretInConfigError",
    "StakeplugError",
    "TrackerError",
    "TransientError",
    "UnavailableError",
]


def _restore(cls: type[StakeplugError], args: tuple[object, ...], state: dict[str, object]) -> StakeplugError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class StakeplugError(Exception):
    """The root of every error stakeplug raises on purpose.

    Errors survive pickling (a process pool handing them back, a test runner
    reporting them): they are rebuilt from their message and attributes, not by
    calling the constructor again, whose keyword-only arguments pickle would not pass.
    """

    def __reduce__(self) -> tuple[object, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class ConfigError(StakeplugError, ValueError):
    """A register, config file, source mapping or argument is invalid.

    ``location`` is the dotted path of the offending entry (``stakeholders[3].power``)
    and ``path`` the file it came from, when there is one.  ``str()`` gives the
    whole message, starting with the place.
    """

    def __init__(self, message: str, *, path: str | None = None, location: str | None = None):
        self.path = path
        self.location = location
        self.detail = message
        prefix = ": ".join(p for p in (path, location) if p)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class SecretInConfigError(ConfigError):
    """A value that looks like a credential was written into a file.

    The message names the key and the environment-variable alternative; it never
    repeats the value.
    """


class AdapterNotFoundError(StakeplugError, LookupError):
    """No adapter with the requested name is installed or registered."""

    def __init__(self, message: str, *, name: str, installed: tuple[str, ...] = ()):
        self.name = name
        self.installed = installed
        super().__init__(message)


class AdapterLoadError(StakeplugError, ImportError):
    """An installed adapter exists but could not be imported or built."""


class PrivacyError(StakeplugError, PermissionError):
    """Posting was refused because the target could be read by the public."""


class TrackerError(StakeplugError):
    """A tracker (Jira, GitHub, Trello, ...) answered with an error.

    ``adapter`` names the adapter that talked to it and ``status`` is the HTTP
    status code, or ``None`` when no response arrived.
    """

    def __init__(self, message: str, *, adapter: str, status: int | None = None):
        self.adapter = adapter
        self.status = status
        super().__init__(message)


class AuthenticationError(TrackerError, PermissionError):
    """The tracker refused the credentials (HTTP 401)."""


class PermissionDeniedError(TrackerError, PermissionError):
    """The credentials are valid but may not see or change this (HTTP 403)."""


class NotFoundError(TrackerError, LookupError):
    """The project, repository, board or item does not exist, or is hidden (HTTP 404)."""


class PayloadError(TrackerError, ValueError):
    """A payload is missing fields or has fields of the wrong shape."""


class BudgetExhaustedError(TrackerError, TimeoutError):
    """A source's or the run's time budget is used up; what was collected so far is kept.

    Not retried: the source is reported partial, and the message names the
    ``[limits]`` key that allows more time.
    """


class PostingInterruptedError(TrackerError):
    """Posting care tasks stopped part-way through on a tracker error.

    ``results`` are the results of the drafts handled before the failure (the
    tasks that exist, with their ids), as :class:`stakeplug.PostResult`, in
    order.  The error that stopped it is the ``__cause__``; ``adapter`` and
    ``status`` are its.
    """

    def __init__(
        self, message: str, *, adapter: str, status: int | None = None, results: tuple[Any, ...] = ()
    ):
        self.results = results
        super().__init__(message, adapter=adapter, status=status)


class TransientError(TrackerError, ConnectionError):
    """An error that may go away when retried later."""


class RateLimitedError(TransientError):
    """The tracker asked us to slow down.

    ``retry_after`` is the number of seconds the tracker asked us to wait, when
    it said so (``Retry-After``, a rate-limit reset header), else ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        adapter: str,
        status: int | None = 429,
        retry_after: float | None = None,
    ):
        self.retry_after = retry_after
        super().__init__(message, adapter=adapter, status=status)


class UnavailableError(TransientError):
    """The tracker is unavailable: a 5xx answer, a reset connection or a timeout."""
