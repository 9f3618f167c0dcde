"""The Jira adapter's one retry owner and its error mapping, at the edge of the ``jira`` package.

Every call into the ``jira`` package runs through :class:`JiraCalls`: under
:class:`stakeplug.http.HttpClient` and its policy (the package's own retries
are off), with ``jira.JIRAError`` and ``requests`` errors turned into
:mod:`stakeplug.errors` here and nowhere else:

==========================================  =============================================
Jira answered                               raised
==========================================  =============================================
401                                         AuthenticationError naming the variables
403 (not a rate limit)                      PermissionDeniedError asking for Browse
404 on ``serverInfo``                       NotFoundError: no REST API at this url
404 elsewhere, 400 on an unknown project    NotFoundError naming the project
410 on the legacy search                    :class:`Gone` (the caller switches to Cloud)
429, 5xx, a lost or cut-off answer          RateLimitedError / UnavailableError (retried)
an answer that cannot be read               PayloadError saying what is wrong with it
==========================================  =============================================

A write is retried only when Jira certainly did nothing
(:func:`stakeplug.http.write_may_retry`: a 429, a refused connection); any
other failure of a write comes back at once, for the caller to look before it
tries again.  Messages are redacted by the client and carry
Jira's own ``errorMessages``, never a credential.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import requests
from jira import JIRAError

from stakeplug.errors import (
    AuthenticationError,
    NotFoundError,
    PayloadError,
    PermissionDeniedError,
    RateLimitedError,
    StakeplugError,
    TrackerError,
    TransientError,
    UnavailableError,
)
from stakeplug.http import HttpClient, NoRetry, RedactedCause, redact, write_may_retry

__all__ = ["Gone", "JiraCalls"]

T = TypeVar("T")


class Gone(Exception):
    """The legacy search answered 410: this is Jira Cloud."""


class JiraCalls:
    """Runs ``jira`` package calls under the shared retry policy, with their errors mapped.

    ``target`` names what the adapter reads in messages ("Jira project
    'APOLLO'"), ``credential_names`` the environment variables a 401 should
    send the reader to check.  Calling the object runs one call.
    """

    def __init__(
        self,
        http: HttpClient,
        *,
        url: str,
        api_version: int,
        target: str,
        credential_names: Sequence[str],
        adapter: str = "jira",
    ):
        self._http = http
        self.url = url
        self.api_version = api_version
        self.target = target
        self.credential_names = tuple(credential_names)
        self.adapter = adapter

    def __call__(self, fn: Callable[[], T], what: str, *, write: bool = False, site: bool = False) -> T:
        """Run ``fn`` (one ``jira`` package call, described by ``what``) under the shared retry policy.

        ``write`` marks a call that changes Jira, retried only when Jira surely
        did nothing; ``site`` marks the first call to the site, whose 404 means
        there is no REST API at the url.
        """

        def attempt() -> T:
            try:
                return fn()
            except JIRAError as exc:
                if exc.status_code == 410:
                    raise Gone() from None
                error = self.map(exc, what, site=site)
                cause = _cause(exc, self._http.redact)
                if write and isinstance(error, TransientError) and not write_may_retry(error):
                    raise NoRetry(error) from cause
                raise error from cause
            except requests.RequestException as exc:
                if exc.request is not None and exc.response is None:
                    self._http.counter.record(exc.request.method or "GET", exc.request.url or "")
                raise self._http.transport_error(exc, what, write=write) from self._http.safe_cause(exc)
            except (ValueError, KeyError, TypeError) as exc:
                if isinstance(exc, StakeplugError):
                    raise
                raise PayloadError(
                    self._http.redact(f"{what}: Jira gave an answer that cannot be read: {reason(exc)}"),
                    adapter=self.adapter,
                ) from exc

        return self._http.call(attempt, what=what)

    def map(self, exc: JIRAError, what: str, *, site: bool = False) -> TrackerError:
        """The :mod:`stakeplug.errors` error for a ``JIRAError`` of the call described by ``what``."""
        response = exc.response if isinstance(exc.response, requests.Response) else None
        status = exc.status_code if isinstance(exc.status_code, int) else None
        if response is None:
            if status is not None and status >= 500:
                return UnavailableError(f"{what}: HTTP {status}", adapter=self.adapter, status=status)
            unreadable = f"{what}: Jira gave an answer that cannot be read (HTTP {status})"
            return self._unreadable(unreadable, status)
        error = self._http.default_error(response, what)
        status = response.status_code
        if error is None:
            return self._unreadable(f"{what}: Jira gave an answer that cannot be read", status)
        text = self._http.redact(" ".join(messages(response)))
        if status == 401:
            return AuthenticationError(
                f"authentication failed for {self.url}: check {' and '.join(self.credential_names)}"
                " (Cloud: the account email and an API token; Server/Data Center: a personal "
                "access token)",
                adapter=self.adapter,
                status=status,
            )
        if status == 403 and not isinstance(error, RateLimitedError):
            return PermissionDeniedError(
                f"{self.target} at {self.url}: this account may not see or change it "
                f"(HTTP 403{': ' + text if text else ''}); ask a Jira admin for Browse (and Create) "
                "permission",
                adapter=self.adapter,
                status=status,
            )
        if status == 404:
            return self._not_found(text, site=site)
        if status == 400 and "does not exist for the field 'project'" in text:
            return NotFoundError(
                f"{self.target} at {self.url}: no such project, or this account cannot see it "
                f"({text}); check the project key",
                adapter=self.adapter,
                status=status,
            )
        return error

    def _not_found(self, text: str, *, site: bool) -> NotFoundError:
        if site:
            hint = " (API version 3 exists on Jira Cloud only)" if self.api_version == 3 else ""
            return NotFoundError(
                f"no Jira REST API at {self.url}/rest/api/{self.api_version}: check the url{hint}",
                adapter=self.adapter,
                status=404,
            )
        return NotFoundError(
            f"{self.target} at {self.url}: not found (HTTP 404{': ' + text if text else ''}); "
            "check the url and the project key",
            adapter=self.adapter,
            status=404,
        )

    def _unreadable(self, message: str, status: int | None) -> PayloadError:
        return PayloadError(self._http.redact(message), adapter=self.adapter, status=status)


def _cause(exc: JIRAError, hide: Callable[[str], str]) -> RedactedCause:
    """What the ``jira`` package's error says (status, URL, text), redacted, to chain in its place.

    The package's error keeps the request with its ``Authorization`` header and, made into text,
    shows it with the whole answer (and writes both to a temporary file when
    ``PYJIRA_LOG_TO_TEMPFILE`` is set), so it is never chained nor made into text itself.
    """
    text = " ".join(str(exc.text or "").split())[:500]
    cause = RedactedCause(hide(f"jira.exceptions.JIRAError: HTTP {exc.status_code} {exc.url or ''}: {text}"))
    cause.__traceback__ = exc.__traceback__
    cause.__suppress_context__ = True
    return cause


def reason(exc: Exception) -> str:
    """What went wrong in words: the exception's own message, redacted and then cut short, else its kind."""
    text = redact(" ".join(str(exc).split()))[:200]
    return f"{text} ({type(exc).__name__})" if text else f"unexpected {type(exc).__name__}"


def messages(response: requests.Response) -> list[str]:
    """Jira's ``errorMessages`` and field ``errors`` in an error answer, as lines; none if it has no JSON."""
    try:
        body = response.json()
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    out = [str(m) for m in body.get("errorMessages") or [] if m]
    errors = body.get("errors")
    if isinstance(errors, dict):
        out += [f"{k}: {v}" for k, v in errors.items()]
    return out
