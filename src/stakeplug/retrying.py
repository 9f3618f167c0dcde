"""The bookkeeping of one call retried under the shared :class:`~stakeplug.policy.HttpPolicy`.

tenacity asks for the wait first and then whether to stop; :class:`RetryRun`
remembers between the two what the tracker asked for, so that the message on
giving up can say why (attempts used, a wait beyond the retry budget with the
time to retry after, or a wait that would pass the run's deadline).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import tenacity

from stakeplug.errors import RateLimitedError, TrackerError, TransientError, UnavailableError
from stakeplug.limits import utc_text
from stakeplug.policy import HttpPolicy
from stakeplug.redact import get_logger

log = get_logger("stakeplug.http")


def _failure(rs: tenacity.RetryCallState) -> BaseException | None:
    """The exception of the attempt that just failed."""
    return rs.outcome.exception() if rs.outcome else None


def _retry_after(exc: BaseException | None) -> float | None:
    value = getattr(exc, "retry_after", None)
    return float(value) if isinstance(value, int | float) else None


def with_message(exc: TrackerError, message: str) -> TrackerError:
    """A copy of ``exc`` (same class, adapter and status) with a new message."""
    new: TrackerError
    try:
        if isinstance(exc, RateLimitedError):
            new = type(exc)(message, adapter=exc.adapter, status=exc.status, retry_after=exc.retry_after)
        else:
            new = type(exc)(message, adapter=exc.adapter, status=exc.status)
    except TypeError:  # an adapter's own subclass with another signature
        new = UnavailableError(message, adapter=exc.adapter, status=exc.status)
    return new


class RetryRun:
    """Waits, stops and gives up for one call; build a fresh one per call."""

    def __init__(
        self,
        policy: HttpPolicy,
        *,
        adapter: str,
        what: str,
        time_left: Callable[[], tuple[float, str]],
        redact: Callable[[str], str],
        rng: random.Random,
    ) -> None:
        self.policy = policy
        self.adapter = adapter
        self.what = what
        self.time_left = time_left
        self.redact = redact
        self.rng = rng
        self.asked: float | None = None
        """The wait the tracker asked for after the last failure."""
        self.beyond_budget: float | None = None
        """That wait, when it went beyond the retry budget."""
        self.beyond_time: str | None = None
        """The run's or source's budget that the next wait would pass."""
        self.started = policy.clock()
        """When the call began, on the policy's wall clock: the attempts' own time counts too."""

    def retrying(self) -> tenacity.Retrying:
        return tenacity.Retrying(
            sleep=self.policy.sleep,
            stop=self.stop,
            wait=self.wait,
            retry=tenacity.retry_if_exception_type(TransientError),
            before_sleep=self.before_sleep,
            retry_error_callback=self.give_up,
        )

    def wait(self, rs: tenacity.RetryCallState) -> float:
        self.asked = _retry_after(_failure(rs))
        if self.asked is not None:
            return max(0.0, self.asked)
        return self.policy.backoff(rs.attempt_number, self.rng)

    def stop(self, rs: tenacity.RetryCallState) -> bool:
        if rs.attempt_number >= self.policy.max_attempts:
            return True
        if rs.idle_for + rs.upcoming_sleep > self.policy.budget_seconds:
            if self.asked is not None:
                self.beyond_budget = rs.upcoming_sleep
            return True
        left, budget = self.time_left()
        if rs.upcoming_sleep >= left:
            self.beyond_time = budget
            return True
        return False

    def before_sleep(self, rs: tenacity.RetryCallState) -> None:
        log.info(
            "%s: %s; retrying in %.1f s (attempt %d of %d)",
            self.adapter,
            _failure(rs),
            rs.upcoming_sleep,
            rs.attempt_number + 1,
            self.policy.max_attempts,
        )

    def give_up(self, rs: tenacity.RetryCallState) -> Any:
        exc = _failure(rs)
        if not isinstance(exc, TrackerError):  # pragma: no cover - only TrackerErrors retry
            raise RuntimeError(f"{self.what}: retrying ended without an error")
        n = rs.attempt_number
        spent = max(rs.idle_for, self.policy.clock() - self.started)
        message = f"gave up after {n} attempt{'s' if n != 1 else ''} over {spent:.1f} s: {exc}"
        if self.beyond_time is not None:
            message += f"; waiting {rs.upcoming_sleep:.0f} s more would pass {self.beyond_time}"
        elif self.beyond_budget is not None:
            message += (
                f"; the tracker asks to wait {self.beyond_budget:.0f} s, beyond the retry budget of "
                f"{self.policy.budget_seconds:.0f} s: retry after "
                f"{utc_text(self.policy.clock() + self.beyond_budget)}"
            )
        else:
            message += f" (limits: {self.policy.max_attempts} attempts, "
            message += f"{self.policy.budget_seconds:.0f} s of waiting)"
        raise with_message(exc, self.redact(message)) from exc
