"""Reading GitHub's answers: rate limits, and errors worded for the person who must fix them.

GitHub has two kinds of rate limit and signals both with 403 or 429:

* the **primary** limit (5,000 requests an hour for a token) answers with
  ``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset`` (epoch seconds);
  the only useful wait is until the reset;
* a **secondary** limit (too many requests at once, or too fast) answers with
  a message mentioning "secondary rate limit" (formerly "abuse detection"),
  sometimes with ``retry-after``.
  GitHub asks clients to wait at least a minute when no ``retry-after`` is
  given, and to back off further when it happens again.

:class:`GitHubLimits` is the ``classify`` hook given to
:class:`stakeplug.http.HttpClient`: it sees every response, keeps the latest
``x-ratelimit-*`` values (exposed for reports and logs) and turns GitHub's
error answers into :mod:`stakeplug.errors` classes with messages that say
what to do.  The retrying itself belongs to the HTTP client alone; the hook
only raises :class:`~stakeplug.http.NoRetry` for a used-up primary limit that
names no reset time, since no wait is known to help.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import attrs
import requests

from stakeplug.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    TrackerError,
    UnavailableError,
)
from stakeplug.http import NoRetry, get_logger, parse_retry_after, read_reset
from stakeplug.policy import HttpPolicy

__all__ = ["GitHubLimits", "RateLimitState", "utc_text"]

log: logging.Logger = get_logger("stakeplug.github")

SECONDARY_MIN_WAIT = 60.0
"""GitHub's advice when a secondary limit comes without ``retry-after``: wait at least a minute."""
_SECONDARY_MAX_WAIT = 900.0
_REPO_PATH = re.compile(r"/repos/([^/]+)/([^/]+)(/.*)?$")


def utc_text(epoch: float) -> str:
    """``2026-11-30 10:15:00 UTC`` for an epoch time; one beyond what a date holds says so."""
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return "an unknown time (the value is out of range)"


def _reset(value: str | None, now: float) -> tuple[float, str] | None:
    """The reset time (epoch seconds) a header gives, read as the core reads it (milliseconds
    recognised, a reset beyond the longest wait clamped to it), and the note saying how."""
    wait = read_reset(value, now=now)
    if wait is None:
        return None
    if wait.note:
        return now + wait.seconds, wait.note
    return float(value or 0), ""


@attrs.frozen
class RateLimitState:
    """The latest ``x-ratelimit-*`` values GitHub sent, or ``None`` before the first answer."""

    limit: int | None = None
    remaining: int | None = None
    used: int | None = None
    reset: float | None = None
    """Epoch seconds when the window resets."""
    resource: str | None = None


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def _message(response: requests.Response) -> str:
    """GitHub's own error message, with its validation details, or the HTTP reason."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return response.reason or f"HTTP {response.status_code}"
    text = str(body.get("message") or response.reason or "")
    details = []
    for error in body.get("errors") or ():
        if isinstance(error, dict):
            if error.get("message"):
                details.append(str(error["message"]))
                continue
            parts = [str(error[k]) for k in ("resource", "field") if error.get(k)]
            where = ".".join(parts)
            code = error.get("code", "invalid")
            value = f" {error['value']!r}" if "value" in error else ""
            details.append(f"{where} {code}{value}".strip())
        else:
            details.append(str(error))
    if details:
        text += f" ({'; '.join(details)})"
    return text


class GitHubLimits:
    """The ``classify`` hook for GitHub, and the keeper of the latest rate-limit values.

    ``token_env`` names the variable the token came from, for messages;
    ``clock`` is the policy's wall clock.
    """

    def __init__(self, *, adapter: str, token_env: str, clock: Callable[[], float]):
        self.adapter = adapter
        self.token_env = token_env
        self.clock = clock
        self._lock = threading.Lock()
        self._wait_lock = threading.Lock()
        self._state = RateLimitState()
        self._reset_note = ""
        """How the latest reset was read when it was not plain epoch seconds (milliseconds, clamped)."""
        self._secondary_hits = 0

    @property
    def state(self) -> RateLimitState:
        """The values from the latest answer that carried them."""
        return self._state

    def exhausted_until(self) -> float | None:
        """The reset time (epoch seconds) when the last answer said nothing is left and it is still ahead."""
        state = self._state
        if state.remaining != 0 or state.reset is None or state.reset <= self.clock():
            return None
        return state.reset

    def forget_exhaustion(self) -> None:
        """After waiting for the reset the old values no longer hold."""
        with self._lock:
            self._state = attrs.evolve(self._state, remaining=None)

    def wait_out(self, policy: HttpPolicy) -> None:
        """Before a request: when the last answer said the limit is used up, wait for its reset.

        A reset further away than the policy's retry budget stops the source instead, saying
        when to run it again, without spending a request on a certain refusal.  Threads that
        share these limits wait once, together.
        """
        if self.exhausted_until() is None:
            return
        with self._wait_lock:
            reset = self.exhausted_until()
            if reset is None:
                return
            wait = self.wait_for(reset)
            if wait > policy.budget_seconds:
                error = self.primary_exhausted(reset)
                raise RateLimitedError(
                    f"{error}; that is beyond the retry budget of {policy.budget_seconds:.0f} s, "
                    f"so this source stops here: run it again after {utc_text(reset)}",
                    adapter=self.adapter,
                    status=None,
                    retry_after=wait,
                )
            which = f"{self._state.resource} " if self._state.resource else ""
            log.info("github: %srate limit used up; waiting %.0f s for the reset", which, wait)
            policy.sleep(wait)
            self.forget_exhaustion()

    def record_points(self, remaining: int, reset: float | None, *, resource: str) -> None:
        """Note a budget an answer's body reported (GraphQL's ``rateLimit``), headers or not."""
        with self._lock:
            self._state = attrs.evolve(
                self._state,
                remaining=remaining,
                reset=reset if reset is not None else self._state.reset,
                resource=resource,
            )

    def wait_for(self, reset: float | None) -> float:
        """Seconds to wait for ``reset``, with a second's margin for clocks that disagree."""
        return 1.0 if reset is None else max(0.0, reset - self.clock()) + 1.0

    def primary_exhausted(
        self, reset: float | None, *, status: int | None = None, note: str | None = None
    ) -> RateLimitedError:
        """The error for a used-up primary limit that resets at ``reset`` (epoch seconds).

        ``note`` says how the reset was read when it was not plain epoch seconds; by default
        the note of the latest observed reset, when ``reset`` is that one."""
        wait = self.wait_for(reset)
        when = utc_text(reset if reset is not None else self.clock() + wait)
        if note is None:
            note = self._reset_note if reset is not None and reset == self._state.reset else ""
        return RateLimitedError(
            f"GitHub's rate limit for the token in {self.token_env} is used up; "
            f"it resets at {when} (in {wait:.0f} s{'; ' + note if note else ''})",
            adapter=self.adapter,
            status=status,
            retry_after=wait,
        )

    def reset_unknown(self, status: int) -> RateLimitedError:
        """A used-up primary limit whose reset GitHub did not give: no wait is known to help."""
        return RateLimitedError(
            f"GitHub's rate limit for the token in {self.token_env} is used up, and the answer did not "
            "say when it resets (no readable x-ratelimit-reset); this source stops here: run it again "
            "later (GitHub's primary limit resets within the hour)",
            adapter=self.adapter,
            status=status,
            retry_after=None,
        )

    def _record(self, response: requests.Response) -> None:
        headers = response.headers
        remaining = _int(headers.get("x-ratelimit-remaining"))
        if remaining is None:
            return
        reset, note = _reset(headers.get("x-ratelimit-reset"), self.clock()) or (None, "")
        with self._lock:
            self._state = RateLimitState(
                limit=_int(headers.get("x-ratelimit-limit")),
                remaining=remaining,
                used=_int(headers.get("x-ratelimit-used")),
                reset=reset,
                resource=headers.get("x-ratelimit-resource"),
            )
            self._reset_note = note

    def __call__(self, response: requests.Response) -> TrackerError | None:
        """Return the error ``response`` stands for, or ``None`` when it is a success."""
        self._record(response)
        status = response.status_code
        if status < 400:
            with self._lock:
                self._secondary_hits = 0
            return None
        message = _message(response)
        repo, rest = _repo_of(response)
        if status in (403, 429):
            lowered = message.lower()
            if "secondary rate limit" in lowered or "abuse detection" in lowered:
                return self._secondary(response, status)
            if response.headers.get("x-ratelimit-remaining") == "0":
                read = _reset(response.headers.get("x-ratelimit-reset"), self.clock())
                if read is None:
                    raise NoRetry(self.reset_unknown(status))
                return self.primary_exhausted(read[0], status=status, note=read[1])
            retry_after = parse_retry_after(response.headers.get("retry-after"), now=self.clock())
            if status == 429 or retry_after is not None:
                return RateLimitedError(
                    f"GitHub asked to slow down: {message}",
                    adapter=self.adapter,
                    status=status,
                    retry_after=retry_after,
                )
            return PermissionDeniedError(
                f"GitHub denied the token in {self.token_env} access to "
                f"{repo or urlsplit(response.url).path}: {message}",
                adapter=self.adapter,
                status=status,
            )
        if status == 401:
            return AuthenticationError(
                f"GitHub refused the token in {self.token_env} ({status} {message}); "
                f"set {self.token_env} to a valid, unexpired token",
                adapter=self.adapter,
                status=status,
            )
        if status == 404:
            where = f"repository {repo}" if repo else urlsplit(response.url).path
            if repo and rest.startswith("/pulls/"):
                where = f"pull request {repo}#{rest.split('/')[2]}"
            return NotFoundError(
                f"{where} not found, or the token in {self.token_env} cannot see it",
                adapter=self.adapter,
                status=status,
            )
        if status >= 500:
            return UnavailableError(
                f"GitHub is unavailable ({status} {message})", adapter=self.adapter, status=status
            )
        return TrackerError(
            f"GitHub refused the request to {repo or urlsplit(response.url).path}: {status} {message}",
            adapter=self.adapter,
            status=status,
        )

    def _secondary(self, response: requests.Response, status: int) -> RateLimitedError:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now=self.clock())
        with self._lock:
            self._secondary_hits += 1
            hits = self._secondary_hits
        if retry_after is None:
            retry_after = min(_SECONDARY_MAX_WAIT, SECONDARY_MIN_WAIT * 2 ** (hits - 1))
        return RateLimitedError(
            f"GitHub's secondary rate limit was hit; the next request is due after a pause of "
            f"{retry_after:.0f} s",
            adapter=self.adapter,
            status=status,
            retry_after=retry_after,
        )


def _repo_of(response: requests.Response) -> tuple[str | None, str]:
    """``("owner/name", "/rest/of/path")`` when the request was about a repository."""
    m = _REPO_PATH.search(urlsplit(response.url).path)
    if m is None:
        return None, ""
    return f"{m.group(1)}/{m.group(2)}", m.group(3) or ""
