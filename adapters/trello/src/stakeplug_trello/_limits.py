"""Trello's rate limits: pacing our own requests, and reading its 429 and 401 answers.

Trello allows 300 requests per 10 seconds per API key and 100 per 10 seconds
per token (and 100 per 900 seconds to ``/1/members/``, which the adapter never
calls).  It sends no rate-limit headers and documents no ``Retry-After``: a
429 with a JSON body naming the limit (``API_TOKEN_LIMIT_EXCEEDED`` or
``API_KEY_LIMIT_EXCEEDED``) is all it says.

So the adapter paces itself: :class:`Pacer` keeps the requests of the last 10
seconds and waits before one that would go over its share (90 by default,
under the per-token limit).  When Trello answers 429 all the same (another
program uses the same token or key), :class:`TrelloResponses` turns it into a
:class:`~stakeplug.errors.RateLimitedError` whose wait is the rest of the
10-second window, or the ``Retry-After`` Trello sends if it ever does; the
shared HTTP policy waits and retries within its budget.  The rest of the
window is reckoned from this adapter's own requests in it; when the retry is
refused again, others use the budget too, and the wait is the whole window
(after which every request that counted when it was refused has left it).
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable

import requests

from stakeplug.errors import AuthenticationError, RateLimitedError, TrackerError
from stakeplug.http import parse_retry_after, redact

__all__ = ["KEY_LIMIT", "TOKEN_LIMIT", "WINDOW_SECONDS", "Pacer", "TrelloResponses"]

WINDOW_SECONDS = 10.0
TOKEN_LIMIT = 100
"""Requests per token per 10 seconds."""
KEY_LIMIT = 300
"""Requests per API key per 10 seconds, over all its tokens."""

_LIMIT_NAMES = {
    "API_TOKEN_LIMIT_EXCEEDED": f"the per-token limit ({TOKEN_LIMIT} requests per 10 s)",
    "API_KEY_LIMIT_EXCEEDED": f"the per-key limit ({KEY_LIMIT} requests per 10 s)",
}


class Pacer:
    """Keeps at most ``limit`` requests in any ``window`` seconds, waiting with ``sleep`` when needed."""

    def __init__(
        self,
        limit: int,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        window: float = WINDOW_SECONDS,
    ):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self._refused = False
        self.waited = 0.0
        """Seconds spent waiting so far (tests and the benchmark read it)."""

    def _forget_old(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()

    def wait(self) -> None:
        """Wait until one more request fits in the window, then count it."""
        with self._lock:
            now = self._clock()
            self._forget_old(now)
            if len(self._sent) >= self.limit:
                pause = self._sent[0] + self.window - now
                if pause > 0:
                    self.waited += pause
                    self._sleep(pause)
                now = self._clock()
                self._forget_old(now)
            self._sent.append(now)

    def rest_of_window(self) -> float:
        """Seconds until the oldest request of the current window leaves it (the whole window if none)."""
        with self._lock:
            now = self._clock()
            self._forget_old(now)
            if not self._sent:
                return self.window
            return max(0.0, self._sent[0] + self.window - now)

    def after_refusal(self) -> float:
        """The wait after a 429 that named none: the rest of the window, the whole of it when refused again.

        A refusal that follows another with no answer in between means other
        programs spend the same budget, so this adapter's own requests do not
        tell when the window ends.
        """
        with self._lock:
            again, self._refused = self._refused, True
        return self.window if again else self.rest_of_window()

    def answered(self) -> None:
        """A request was served: the next refusal starts a new streak."""
        with self._lock:
            self._refused = False


class TrelloResponses:
    """The ``classify`` hook of the adapter's HTTP client: Trello's 429 and 401, said plainly."""

    def __init__(self, pacer: Pacer, *, key_env: str, token_env: str, clock: Callable[[], float]):
        self.pacer = pacer
        self.key_env = key_env
        self.token_env = token_env
        self._clock = clock

    def __call__(self, response: requests.Response) -> TrackerError | None:
        status = response.status_code
        if status == 429:
            code = _error_code(response)
            which = _LIMIT_NAMES.get(code or "", "a rate limit")
            wait = parse_retry_after(response.headers.get("retry-after"), now=self._clock())
            if wait is None:
                wait = self.pacer.after_refusal()
            shown = f" ({code})" if code else ""
            return RateLimitedError(
                f"Trello answered 429: {which} is used up{shown}; waiting {wait:.1f} s for the window",
                adapter="trello",
                status=status,
                retry_after=wait,
            )
        self.pacer.answered()
        if status == 401:
            said = redact(" ".join(response.text.split()))[:120] if response.content else ""
            detail = f" ({said})" if said else ""
            return AuthenticationError(
                f"Trello refused the credentials with HTTP 401{detail}: check the API key in "
                f"{self.key_env} and the token in {self.token_env} "
                "(the token must belong to a member who can read the board)",
                adapter="trello",
                status=status,
            )
        return None


def _error_code(response: requests.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None
