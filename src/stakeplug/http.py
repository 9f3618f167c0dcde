"""One HTTP policy for every tool adapter: timeouts, retries, rate limits, transport errors.

Trackers fail in the same few ways: they ask us to slow down (``429``, a
``Retry-After`` header, a rate-limit reset time), they are briefly unavailable
(``5xx``, a reset connection, a timeout), or they refuse us for good (``401``,
``403``, ``404``).  Only the first two are worth retrying, and only one layer of
the stack may own the retries, otherwise a 429 is retried five times five
times.  :class:`HttpClient` is that owner: the ``requests`` transport below it
is mounted with ``max_retries=0`` and adapters above it do not loop.

The policy (:class:`HttpPolicy`):

* every request has a connect and a read timeout, and a deadline for the
  whole answer; each source and the whole run have a time budget
  (:mod:`stakeplug.limits`), and a source whose budget is used up stops with
  :class:`~stakeplug.errors.BudgetExhaustedError`, keeping what it collected;
* a call makes at most ``max_attempts`` attempts, and waits at most
  ``budget_seconds`` in total between them;
* the wait honours the tracker's ``Retry-After`` (seconds or an HTTP date) or
  rate-limit reset header; otherwise it backs off exponentially from
  ``backoff_base``, capped at ``backoff_max``, with ``jitter`` (a fraction of
  the delay) so parallel jobs do not retry in step;
* when the tracker asks for a wait longer than the budget left, the call gives
  up at once, saying when to retry, instead of sleeping for an hour; an
  absurd ``Retry-After`` or reset (``inf``, milliseconds) is clamped and the
  clamp named in the message;
* after giving up, the last error is raised again, same class, with a message
  like ``gave up after 5 attempts over 12.0 s: <last error>`` (the time of the
  attempts and of the waits between them);
* writes (``POST``, ``PATCH``) are retried only when the tracker certainly did
  not act on them (a rate limit, a refused connection), so a care task is
  never created twice by a retry.

``sleep`` and ``clock`` are injectable: tests record the waits and never
sleep.  Every real attempt is counted in :attr:`HttpClient.counter`, which
tests and benchmarks read.

Transport failures (no answer, a refused or dropped connection, a body cut
off before its ``Content-Length``) are mapped to stakeplug errors in one place,
:meth:`HttpClient.transport_error`, which adapters wrapping a client library
(``jira``) reuse.

Credentials never reach a log, a repr or an exception message: an
:class:`HttpClient` registers its credentials, basic-auth form included, with
:mod:`stakeplug.redact`, whose :func:`redact`, :func:`register_secret`,
:class:`RedactingFilter` and :func:`get_logger` are re-exported here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
import tenacity

from stakeplug.errors import (
    AuthenticationError,
    BudgetExhaustedError,
    NotFoundError,
    PayloadError,
    PermissionDeniedError,
    RateLimitedError,
    TrackerError,
    TransientError,
    UnavailableError,
)
from stakeplug.limits import (
    Limits,
    RunClock,
    current_limits,
    parse_retry_after,
    read_reset,
    read_wait,
    use_limits,
    utc_text,
)
from stakeplug.policy import (
    IDEMPOTENT_METHODS,
    HttpPolicy,
    RequestCounter,
    write_may_have_acted,
    write_may_retry,
)
from stakeplug.redact import RedactingFilter, basic_auth_forms, get_logger, redact, register_secret
from stakeplug.retrying import RetryRun
from stakeplug.transport import DeadlineAdapter, NoRetry, request_deadline, transport_error

__all__ = [
    "HttpClient",
    "HttpPolicy",
    "Limits",
    "NoRetry",
    "RedactedCause",
    "RedactingFilter",
    "RequestCounter",
    "get_logger",
    "parse_retry_after",
    "read_reset",
    "read_wait",
    "redact",
    "register_secret",
    "use_limits",
    "utc_text",
    "write_may_have_acted",
    "write_may_retry",
]

T = TypeVar("T")

_BODY_SNIPPET = 200


log = get_logger("stakeplug.http")


# --------------------------------------------------------------------------- client


class RedactedCause(Exception):
    """Stands in for a library exception whose message held a credential.

    It keeps the original's class name, redacted message and traceback (code
    lines, not values), so ``raise ... from`` still tells the story without
    printing the token.
    """


def _safe_cause(exc: BaseException, secrets: Sequence[str]) -> BaseException:
    text = str(exc)
    hidden = redact(text, secrets)
    chained = exc.__cause__ or exc.__context__
    if hidden == text and (chained is None or redact(str(chained), secrets) == str(chained)):
        return exc
    cause = RedactedCause(f"{type(exc).__module__}.{type(exc).__name__}: {hidden}")
    cause.__traceback__ = exc.__traceback__
    cause.__suppress_context__ = True
    return cause


class HttpClient:
    """A ``requests`` session for one adapter, under the shared :class:`HttpPolicy`.

    ``base_url`` is joined with relative paths; absolute URLs (pagination
    links) are used as they are.  ``headers`` and ``auth`` go on the session;
    their credential values, and every value in ``secrets``, are registered
    for redaction.  ``classify`` lets an adapter read a response its own way
    (GitHub's secondary rate limit is a 403 with a message): it is called on
    every response and returns the error to raise, or ``None`` to let the
    default mapping decide (2xx/3xx accepted; 429 and 403/429 with an exhausted
    rate-limit header → :class:`RateLimitedError`; 5xx and 408 →
    :class:`UnavailableError`; 401, 403, 404 →
    :class:`AuthenticationError`, :class:`PermissionDeniedError`,
    :class:`NotFoundError`; other 4xx → :class:`TrackerError`).
    """

    def __init__(
        self,
        adapter: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: Any = None,
        policy: HttpPolicy | None = None,
        secrets: Sequence[str] = (),
        classify: Callable[[requests.Response], TrackerError | None] | None = None,
        session: requests.Session | None = None,
    ):
        self.adapter = adapter
        self.base_url = base_url.rstrip("/") + "/"
        self.policy = policy or HttpPolicy()
        self.counter = RequestCounter()
        self.classify = classify
        secret_values = [s for s in secrets if s]
        for key, value in (headers or {}).items():
            if key.lower() in ("authorization", "proxy-authorization", "private-token"):
                secret_values.append(value)
                secret_values.extend(value.split()[1:])
        if isinstance(auth, tuple) and len(auth) == 2 and isinstance(auth[1], str):
            secret_values.append(auth[1])
            secret_values.extend(basic_auth_forms(str(auth[0]), auth[1]))
        self._secrets = tuple(secret_values)
        for value in self._secrets:
            register_secret(value)
        self.run: RunClock = current_limits()
        self.limits = self.run.limits
        self._source_started: float | None = None
        self.session = session or requests.Session()
        self.adopt(self.session)
        if headers:
            self.session.headers.update(headers)
        if auth is not None:
            self.session.auth = auth
        self._rng = random.Random()

    def __repr__(self) -> str:
        base = self.redact(self.base_url)
        count = self.counter.total
        return f"HttpClient(adapter={self.adapter!r}, base_url={base!r}, requests={count})"

    # ------------------------------------------------------------------ helpers

    def adopt(self, session: requests.Session) -> None:
        """Send ``session``'s requests without retries and under this client's deadline of one request.

        An adapter wrapping a client library (``jira``) hands the library's session here.
        """
        transport = DeadlineAdapter()
        session.mount("https://", transport)
        session.mount("http://", transport)

    def time_left(self) -> tuple[float, str]:
        """Seconds this source may still spend, and which budget is the nearer one."""
        limits = self.limits
        source_left = limits.source_seconds
        if self._source_started is not None:
            source_left -= limits.clock() - self._source_started
        run_left = self.run.remaining()
        if run_left < source_left:
            return run_left, f"the run's time budget of {limits.run_seconds:g} s ([limits] run_minutes)"
        return (
            source_left,
            f"this source's time budget of {limits.source_seconds:g} s ([limits] source_minutes)",
        )

    def _check_budget(self, what: str) -> float:
        """Start the budgets' clocks; the seconds left for one request, or a :class:`BudgetExhaustedError`."""
        if self._source_started is None:
            self._source_started = self.limits.clock()
        self.run.start()
        left, budget = self.time_left()
        if left <= 0:
            raise BudgetExhaustedError(
                f"{what}: stopped: {budget} is used up; what was collected so far is kept, "
                "raise the limit to read more",
                adapter=self.adapter,
            )
        return min(self.limits.request_seconds, left)

    def url(self, path_or_url: str) -> str:
        """The absolute URL for ``path_or_url``."""
        if "://" in path_or_url:
            return path_or_url
        return urljoin(self.base_url, path_or_url.lstrip("/"))

    def redact(self, text: str) -> str:
        """:func:`redact` with this client's secrets."""
        return redact(text, self._secrets)

    def _describe(self, method: str, url: str) -> str:
        parts = urlsplit(url)
        shown = f"{parts.scheme}://{parts.hostname or ''}"
        if parts.port:
            shown += f":{parts.port}"
        return self.redact(f"{method} {shown}{parts.path}")

    def default_error(self, response: requests.Response, what: str) -> TrackerError | None:
        """The error the default mapping gives ``response``, or ``None`` when it is a success."""
        status = response.status_code
        if status < 400:
            return None
        reason = response.reason or ""
        # The body is redacted whole before it is cut, so no credential is left half shown.
        snippet = self.redact(" ".join(response.text.split()))[:_BODY_SNIPPET] if response.content else ""
        message = self.redact(f"{what}: HTTP {status} {reason}".rstrip())
        if snippet:
            message += f": {snippet}"
        headers = response.headers
        now = self.policy.clock()
        exhausted = headers.get("x-ratelimit-remaining") == "0"
        if status == 429 or (status == 403 and (exhausted or "retry-after" in headers)):
            wait = read_wait(headers.get("retry-after"), now=now)
            if wait is None:
                wait = read_reset(headers.get("x-ratelimit-reset"), now=now)
            if wait is not None and wait.note:
                message += f" ({wait.note})"
            retry_after = None if wait is None else wait.seconds
            return RateLimitedError(message, adapter=self.adapter, status=status, retry_after=retry_after)
        if status >= 500 or status == 408:
            return UnavailableError(message, adapter=self.adapter, status=status)
        if status == 401:
            return AuthenticationError(message, adapter=self.adapter, status=status)
        if status == 403:
            return PermissionDeniedError(message, adapter=self.adapter, status=status)
        if status == 404:
            return NotFoundError(message, adapter=self.adapter, status=status)
        return TrackerError(message, adapter=self.adapter, status=status)

    def safe_cause(self, exc: BaseException) -> BaseException:
        """``exc``, or a :class:`RedactedCause` standing in for it when its text holds a credential."""
        return _safe_cause(exc, self._secrets)

    def transport_error(self, exc: requests.RequestException, what: str, *, write: bool) -> Exception:
        """:func:`stakeplug.transport.transport_error` for this client.

        Raise the result ``from`` :meth:`safe_cause`.
        """
        return transport_error(
            exc,
            what,
            adapter=self.adapter,
            write=write,
            read_timeout=self.policy.read_timeout,
            redact=self.redact,
        )

    # ------------------------------------------------------------------ retry engine

    def _retrying(self, what: str) -> tenacity.Retrying:
        return RetryRun(
            self.policy,
            adapter=self.adapter,
            what=what,
            time_left=self.time_left,
            redact=self.redact,
            rng=self._rng,
        ).retrying()

    def call(self, fn: Callable[[], T], *, what: str) -> T:
        """Run ``fn`` under the retry policy.

        ``fn`` raises a :class:`~stakeplug.errors.TransientError` subclass for
        failures worth retrying (this is how a client library such as ``jira``
        runs under the one policy), or :class:`NoRetry` around one that must not
        be retried; any other error is raised at once.
        """

        def bounded() -> T:
            with request_deadline(self._check_budget(what)):
                return fn()

        try:
            result: T = self._retrying(what)(bounded)
        except NoRetry as wrapped:
            raise wrapped.error from wrapped.__cause__
        return result

    def together(self, *calls: Callable[[], T]) -> list[T]:
        """Run ``calls``, each making its requests through this client, at the same time; their results.

        For the few fixed requests of a collection that do not depend on each other, so they
        cost the latency of one.  The first call runs on this thread, each other on one of its
        own (the session, the counter, the budgets and the deadline of a request are safe to
        share); every call is waited for, and when some raised, the error of the first of them
        in the order given is raised, as if they had run one after another.
        """
        if len(calls) < 2:
            return [call() for call in calls]
        with ThreadPoolExecutor(len(calls) - 1, thread_name_prefix=f"stakeplug-{self.adapter}") as pool:
            others = [pool.submit(call) for call in calls[1:]]
            try:
                first = calls[0]()
            finally:
                wait_all(others)
        return [first, *(future.result() for future in others)]

    # ------------------------------------------------------------------ requests

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        json: Any = None,
        read_only: bool = False,
        classify: Callable[[requests.Response], TrackerError | None] | None = None,
    ) -> requests.Response:
        """Send one request under the policy and return the accepted response.

        ``read_only`` marks a request that changes nothing whatever its method
        (a GraphQL query is a ``POST``): it is retried as a ``GET`` is.
        ``classify`` reads this request's responses instead of the client's own
        classifier (an API beside the main one, with limits of its own).
        """
        method = method.upper()
        url = self.url(path_or_url)
        what = self._describe(method, url)
        idempotent = read_only or method in IDEMPOTENT_METHODS
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        classify = classify or self.classify

        def attempt() -> requests.Response:
            self.counter.record(method, url)
            try:
                response = self.session.request(method, url, params=params, json=json, timeout=timeout)
            except requests.RequestException as exc:
                raise self.transport_error(exc, what, write=not idempotent) from self.safe_cause(exc)
            found = classify(response) if classify is not None else None
            if found is None:
                found = self.default_error(response, what)
            if found is None:
                return response
            if not idempotent and isinstance(found, TransientError) and not write_may_retry(found):
                raise NoRetry(found)
            raise found

        return self.call(attempt, what=what)

    def get_json(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
    ) -> Any:
        """``GET`` and decode the JSON body; a body that is not JSON is a :class:`PayloadError`."""
        response = self.request("GET", path_or_url, params=params)
        return self._json(response)

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise PayloadError(
                self.redact(f"{self._describe('GET', response.url)}: the answer is not JSON"),
                adapter=self.adapter,
                status=response.status_code,
            ) from exc

    def paginate(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        before_each: Callable[[], None] | None = None,
    ) -> Iterator[requests.Response]:
        """Yield each page, following ``Link: <...>; rel="next"`` until there is none.

        ``params`` go with the first request only: a next link carries its own
        query string.  ``before_each`` runs before every page is asked for (an
        adapter waits out a used-up rate limit there).
        """
        next_url: str | None = path_or_url
        first = True
        seen: set[str] = set()
        while next_url is not None:
            if before_each is not None:
                before_each()
            response = self.request("GET", next_url, params=params if first else None)
            first = False
            yield response
            link = response.links.get("next", {}).get("url")
            if not link or link in seen:
                break
            seen.add(link)
            next_url = urljoin(response.url, link)
            if urlsplit(next_url).netloc != urlsplit(response.url).netloc:
                # Credentials travel with every request: never follow a link to another host.
                raise PayloadError(
                    f"the next page link points to another host ({urlsplit(next_url).hostname}); "
                    "not following it with the credentials of this source",
                    adapter=self.adapter,
                    status=response.status_code,
                )

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
