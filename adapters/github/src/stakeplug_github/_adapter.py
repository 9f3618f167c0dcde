"""The GitHub adapter: repository-level listings in, care-task issues out.

Reading takes few requests because GitHub offers repository-wide listings
that return 100 records a page and accept ``since``:

* ``/repos/{o}/{r}/issues`` (pull requests included, told apart by their
  ``pull_request`` key), sorted by update time, ``since`` the window start;
* ``/repos/{o}/{r}/issues/comments`` and ``/repos/{o}/{r}/pulls/comments``,
  ``since`` the window start;
* ``/repos/{o}/{r}/issues/events``, which has no ``since`` and comes newest
  first: paging stops at the first page that reaches before the window;
* reviews only for the pull requests the issues listing returned (those
  updated since the window start), read while the other listings are:
  through GraphQL, 50 pull requests a query, or with ``reviews_via = "rest"``
  from ``/repos/{o}/{r}/pulls/{n}/reviews`` by a small thread pool
  (:mod:`stakeplug_github._reviews`).

For I issues and pull requests, C comments, R review comments, E events in
the window and P pull requests that is ⌈I/100⌉ + ⌈C/100⌉ + ⌈R/100⌉ +
⌈E/100⌉ + ⌈P/50⌉ requests (P with REST reviews; each listing costs at least one, and the events
listing one more page when it has to look past the window); comments are
never fetched issue by issue.  One repository is read by
:mod:`stakeplug_github._collect`, through the paging, rate-limit waits and
tally of skipped records of :mod:`stakeplug_github._listing`.

Activities leave as each page is translated (``ordered=False``), so a repository
stopped part-way keeps what it read; :mod:`stakeplug_github._postpass` holds only
what the end of the run settles.

Every activity carries the id GitHub gave its record and every listing starts
at ``since``, so the adapter declares ``incremental``: through the store a quiet
night costs one page of each listing and no review reads.  One thing only a
full refresh mends: a review request taken back after the run that stored it.

Writing creates an issue in the ``repo`` of the task target, labelled
``stakeplug`` and ``stakeplug-fp-<fingerprint>`` (and ``care:<action>`` for a private target), with the
fingerprint also hidden in the body as an HTML comment, assigned to the
relationship owner's login when the draft names one.  One listing by the
``stakeplug`` label finds the existing tasks first.  Posting into a public
repository is refused unless ``allow_public = true``; even then only the
draft's neutral body is posted (its wording and marker, never its
explanation or evidence), so no score or category is written where anyone
can read it.  What a task issue carries is :mod:`stakeplug_github._tasks`'s.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from stakeplug import (
    TASK_LABEL,
    Activity,
    Capabilities,
    Option,
    PostResult,
    SourceStats,
    TaskDraft,
    TaskRef,
    tasks_by_fingerprint,
)
from stakeplug.adapter import Checker, config_place, parse_options, secret_from_env, utc_window
from stakeplug.errors import (
    ConfigError,
    PayloadError,
    PermissionDeniedError,
    PrivacyError,
    TrackerError,
)
from stakeplug.http import HttpClient, HttpPolicy, get_logger, write_may_have_acted
from stakeplug_github._collect import RepositoryReader
from stakeplug_github._limits import GitHubLimits, RateLimitState
from stakeplug_github._listing import Listings, Tally
from stakeplug_github._reviews import REVIEWS_VIA
from stakeplug_github._tasks import (
    converge_note,
    fingerprint_label,
    issue_number,
    issue_payload,
    task_ref,
)

__all__ = ["DEFAULT_BASE_URL", "GitHubAdapter"]

log: logging.Logger = get_logger("stakeplug.github")

DEFAULT_BASE_URL = "https://api.github.com"
_REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_MAX_WORKERS = 8
"""More would outgrow the HTTP connection pool and invite GitHub's secondary limits."""

try:
    _VERSION = _dist_version("stakeplug-github")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    _VERSION = "0.0.0"


class GitHubAdapter:
    """Reads GitHub repositories and posts care tasks as GitHub issues.

    Build it with :meth:`from_config`; the token is read from the environment
    variable named by ``token_env`` and never appears in reprs, logs or errors.
    """

    name: ClassVar[str] = "github"
    version: ClassVar[str] = _VERSION
    capabilities: ClassVar[Capabilities] = Capabilities(
        comments=True,
        mentions=True,
        reviews=True,
        requests=True,
        assignments=True,
        due_dates=True,
        transitions=True,
        links=True,
        reactions=False,
        membership=False,
        created=True,
        posts_tasks=True,
        incremental=True,
        ordered=False,
    )
    OPTIONS: ClassVar[Mapping[str, Option]] = {
        "repo": Option(str, help="the repository, owner/name (also where care tasks are posted)"),
        "repos": Option(list, help="several repositories to read, each owner/name"),
        "token_env": Option(
            str, default="GITHUB_TOKEN", help="the environment variable that holds the token"
        ),
        "base_url": Option(
            str,
            default=DEFAULT_BASE_URL,
            help="the API root; GitHub Enterprise Server: https://HOST/api/v3",
        ),
        "allow_public": Option(bool, default=False, help="allow posting care tasks into a public repository"),
        "reviews_via": Option(
            str,
            default="graphql",
            help='how reviews are read: "graphql" (50 pull requests a query) or "rest" (one request each)',
        ),
        "review_workers": Option(
            int, default=4, help="pull requests whose reviews are fetched at once (1–8)"
        ),
        "status_labels": Option(
            list,
            default=["status report", "status-report"],
            help="labels that mark an issue as a status report",
        ),
        "input_labels": Option(
            list,
            default=["input needed", "input-needed", "needs input"],
            help="labels that mark an issue as a request for input",
        ),
    }

    def __init__(
        self,
        repos: Sequence[str],
        *,
        token: str,
        token_env: str = "GITHUB_TOKEN",  # noqa: S107  (the variable's name, not a secret)
        base_url: str = DEFAULT_BASE_URL,
        task_repo: str | None = None,
        allow_public: bool = False,
        review_workers: int = 4,
        reviews_via: str = "graphql",
        status_labels: Sequence[str] = ("status report", "status-report"),
        input_labels: Sequence[str] = ("input needed", "input-needed", "needs input"),
        policy: HttpPolicy | None = None,
        session: requests.Session | None = None,
    ):
        self.repos = tuple(repos)
        self.token_env = token_env
        self.base_url = base_url.rstrip("/")
        self.task_repo = task_repo
        self.allow_public = allow_public
        self.review_workers = review_workers
        self.status_labels = tuple(status_labels)
        self.input_labels = tuple(input_labels)
        policy = policy or HttpPolicy()
        self._limits = GitHubLimits(adapter=self.name, token_env=token_env, clock=policy.clock)
        self._http = HttpClient(
            self.name,
            self.base_url,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": f"stakeplug-github/{self.version}",
            },
            policy=policy,
            secrets=(token,),
            classify=self._limits,
            session=session,
        )
        self._listings = Listings(self._http, self._limits, adapter=self.name)
        self._tally = Tally()
        self._reader = RepositoryReader(
            self._http,
            self._listings,
            self._tally,
            reviews_via=reviews_via,
            token_env=token_env,
            review_workers=review_workers,
            status_labels=self.status_labels,
            input_labels=self.input_labels,
        )
        self._known: dict[str, TaskRef] | None = None
        self._public: dict[str, bool] = {}
        self._label_rights: set[str] = set()

    # -- building --------------------------------------------------------------------

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        where: str | None = None,
        policy: HttpPolicy | None = None,
        session: requests.Session | None = None,
    ) -> GitHubAdapter:
        """Build the adapter from a ``[[sources]]`` or ``[tasks]`` table.

        ``env`` replaces ``os.environ`` for the token; ``policy`` replaces the
        default :class:`~stakeplug.http.HttpPolicy` (tests inject a clock and
        a sleep that never sleeps).
        """
        opts = parse_options(cls.name, config, cls.OPTIONS, where=where)
        place = config_place(cls.name, where)
        check = Checker(place=place)

        repos: list[str] = []
        if opts["repo"] is not None:
            repos.append(opts["repo"])
        for value in opts["repos"] or ():
            if not isinstance(value, str):
                raise check.fail("repos", f"each entry must be a string 'owner/name', got {value!r}")
            if value not in repos:
                repos.append(value)
        if not repos:
            raise check.fail("", "set repo = 'owner/name' (or repos = ['owner/name', ...])")
        for value in repos:
            if not _REPO_NAME.match(value):
                raise check.fail("", f"repository {value!r} must be written 'owner/name'")
        base_url = str(opts["base_url"]).rstrip("/")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise check.fail(
                "base_url",
                f"{base_url!r} is not an http(s) URL; GitHub Enterprise Server "
                "looks like https://HOST/api/v3",
            )
        if parts.username or parts.password:
            raise check.fail("base_url", "credentials do not belong in the URL; use token_env")
        workers = opts["review_workers"]
        if not 1 <= workers <= _MAX_WORKERS:
            raise check.fail("review_workers", f"must be between 1 and {_MAX_WORKERS}, got {workers}")
        if opts["reviews_via"] not in REVIEWS_VIA:
            raise check.fail("reviews_via", f'must be "graphql" or "rest", got {opts["reviews_via"]!r}')
        for key in ("status_labels", "input_labels"):
            if not all(isinstance(x, str) for x in opts[key]):
                raise check.fail(key, "must be a list of strings")
        token_env = opts["token_env"]
        token = secret_from_env(
            opts,
            "token_env",
            place=place,
            env=env,
            what="a GitHub token (the config names the variable, never the token)",
        )
        return cls(
            repos,
            token=token,
            token_env=token_env,
            base_url=base_url,
            task_repo=opts["repo"] if opts["repo"] is not None else (repos[0] if len(repos) == 1 else None),
            allow_public=opts["allow_public"],
            review_workers=workers,
            reviews_via=opts["reviews_via"],
            status_labels=opts["status_labels"],
            input_labels=opts["input_labels"],
            policy=policy,
            session=session,
        )

    def __repr__(self) -> str:
        return (
            f"GitHubAdapter(repos={list(self.repos)!r}, base_url={self.base_url!r}, "
            f"token_env={self.token_env!r})"
        )

    # -- reading ---------------------------------------------------------------------

    @property
    def stats(self) -> SourceStats:
        """Requests made, items and activities seen, and what had to be skipped."""
        return self._tally.stats(self._http.counter.total)

    @property
    def rate_limit(self) -> RateLimitState:
        """The latest ``x-ratelimit-*`` values GitHub sent (limit, remaining, reset...)."""
        return self._limits.state

    @property
    def http(self) -> HttpClient:
        """The HTTP client, with its request counter."""
        return self._http

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        """Yield the activities with ``since <= timestamp < until`` in every repository, page by page."""
        since, until = utc_window(since, until)
        if since >= until:
            return
        for repo in self.repos:
            for activity in self._reader.read(repo, since, until):
                self._tally.count(activities=1)
                yield activity

    # -- writing ---------------------------------------------------------------------

    def _target(self) -> str:
        if self.task_repo is None:
            raise ConfigError(
                f"this adapter reads {len(self.repos)} repositories; set repo = 'owner/name' "
                "to say which one receives care tasks",
                location="tasks (github)",
            )
        return self.task_repo

    def find_tasks(self) -> list[TaskRef]:
        """Every issue labelled ``stakeplug`` in the task repository that carries a fingerprint."""
        repo = self._target()
        tasks: list[TaskRef] = []
        params = {"labels": TASK_LABEL, "state": "all"}
        for page in self._listings.pages(f"repos/{repo}/issues", params):
            for issue in page:
                ref = self._tally.guard(f"{repo} task", issue, partial(task_ref, repo))
                if ref is not None:
                    tasks.append(ref)
        self._known = tasks_by_fingerprint(sorted(tasks, key=issue_number))
        return tasks

    def is_public(self, repo: str | None = None) -> bool:
        """Whether anyone can read ``repo`` (default: the task repository); asked once, then cached."""
        repo = repo or self._target()
        if repo not in self._public:
            data = self._http.get_json(f"repos/{repo}")
            if not isinstance(data, Mapping):
                raise PayloadError(
                    f"GitHub described {repo} with something that is not an object", adapter=self.name
                )
            visibility = data.get("visibility")
            if isinstance(visibility, str):
                self._public[repo] = visibility.lower() == "public"
            else:
                self._public[repo] = data.get("private") is False
        return self._public[repo]

    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        """Create ``draft`` as an issue unless one with its fingerprint exists, and converge on one.

        With ``dry_run`` (the default) nothing is written; the privacy guard
        still applies, so a dry run shows a refusal before a real run meets it.
        Before the first issue of a run, the fingerprint label is created: a
        token that cannot create labels would make every later run create the
        tasks again, so then nothing is posted at all.  After creating, the
        open issues with the fingerprint label are listed; when a concurrent
        run created one too, the newer ones are closed as duplicates of the
        oldest, which is the task reported.
        """
        repo = self._target()
        if self._known is None:
            self.find_tasks()  # sets _known: the oldest open task of each fingerprint, as _converge keeps
        known = self._known if self._known is not None else {}
        found = known.get(draft.fingerprint)
        if found is not None:
            return PostResult(draft, created=False, dry_run=dry_run, task=found, reason="already exists")
        public = self.is_public(repo)
        if public and not self.allow_public:
            raise PrivacyError(
                f"{repo} is a public repository: stakeplug does not post care tasks where anyone can "
                "read them about people; allow_public = true in the task target permits it"
            )
        payload = issue_payload(draft, public=public)
        if dry_run:
            return PostResult(
                draft, created=False, dry_run=True, reason=f"dry run: would create an issue in {repo}"
            )
        self._ensure_label_rights(repo, fingerprint_label(draft.fingerprint))
        issue, reason = self._create_issue(repo, draft, payload)
        try:
            ref = task_ref(repo, issue, fingerprint=draft.fingerprint)
            if ref is None:
                raise ValueError("no fingerprint")
            kept = {x["name"] if isinstance(x, Mapping) else str(x) for x in issue.get("labels") or ()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PayloadError(
                f"GitHub's answer to creating an issue in {repo} cannot be read", adapter=self.name
            ) from exc
        if TASK_LABEL in payload["labels"] and TASK_LABEL not in kept:
            warning = (
                f"GitHub dropped the {TASK_LABEL!r} label from {ref.id} (the token may not create "
                f"labels): create the label in {repo} once, or later runs cannot find this task"
            )
            log.warning("github: %s", warning)
            reason = f"{reason}; {warning}"
        kept_ref, note, closed = self._converge(repo, draft.fingerprint, ref)
        known[draft.fingerprint] = kept_ref
        created = kept_ref.id == ref.id
        text = reason + note if created else note
        return PostResult(draft, created, False, task=kept_ref, reason=text, closed_duplicates=closed)

    def _ensure_label_rights(self, repo: str, label: str) -> None:
        """Create ``label`` once per run; refuse to post when the token may not create labels."""
        if repo in self._label_rights:
            return
        try:
            self._http.request(
                "POST",
                f"repos/{repo}/labels",
                json={"name": label, "color": "c5def5", "description": "stakeplug care task"},
            )
        except TrackerError as exc:
            if exc.status != 422 or "already_exists" not in str(exc):
                raise PermissionDeniedError(
                    f"the token cannot create labels in {repo} ({exc}); stakeplug finds its tasks by "
                    "their fingerprint label, so every later run would create them again: nothing was "
                    "posted. Give the token write access to the repository's issues and labels",
                    adapter=self.name,
                    status=exc.status,
                ) from exc
        self._label_rights.add(repo)

    def _create_issue(self, repo: str, draft: TaskDraft, payload: dict[str, Any]) -> tuple[Any, str]:
        """POST the issue; after a failure that may have created it, look before posting again."""
        try:
            return self._post_issue(repo, payload), f"created in {repo}"
        except TrackerError as exc:
            if exc.status == 422 and "assignees" in str(exc) and "assignees" in payload:
                log.warning(
                    "github: %s cannot be assigned in %s; creating the task unassigned", draft.assignee, repo
                )
                del payload["assignees"]
                reason = f"created in {repo} without an assignee: GitHub refused {draft.assignee!r}"
                return self._post_issue(repo, payload), reason
            if not write_may_have_acted(exc):
                raise
            log.warning("github: creating an issue in %s may have failed (%s); looking first", repo, exc)
        same = self._open_with_fingerprint(repo, draft.fingerprint)
        if same:
            return same[0], f"created in {repo} (its answer was lost; found by its fingerprint)"
        return self._post_issue(repo, payload), f"created in {repo} at the second attempt"

    def _post_issue(self, repo: str, payload: dict[str, Any]) -> Any:
        response = self._http.request("POST", f"repos/{repo}/issues", json=payload)
        try:
            return response.json()
        except ValueError as exc:
            raise PayloadError(
                f"GitHub's answer to creating an issue in {repo} is not JSON", adapter=self.name
            ) from exc

    def _open_with_fingerprint(self, repo: str, fingerprint: str, *, state: str = "open") -> list[Any]:
        """The issues labelled with ``fingerprint`` (``state`` open or all), lowest number first."""
        params = {"labels": fingerprint_label(fingerprint), "state": state}
        found = [
            issue
            for page in self._listings.pages(f"repos/{repo}/issues", params)
            for issue in page
            if isinstance(issue, Mapping) and isinstance(issue.get("number"), int)
        ]
        return sorted(found, key=lambda issue: issue["number"])

    def _converge(self, repo: str, fingerprint: str, ours: TaskRef) -> tuple[TaskRef, str, tuple[str, ...]]:
        """Keep the oldest open task with ``fingerprint``; close the other open ones as its duplicates.

        Closed issues are listed too: one a racing run closed a moment ago is not closed again.
        """
        same = self._open_with_fingerprint(repo, fingerprint, state="all")
        refs = {r.id: r for r in (task_ref(repo, i, fingerprint=fingerprint) for i in same) if r is not None}
        refs.setdefault(ours.id, ours)
        opened = sorted((r for r in refs.values() if r.open), key=issue_number)
        if not opened:
            return ours, "", ()
        for dup in opened[1:]:
            self._close_duplicate(repo, dup, opened[0])
        note = converge_note(opened[0], opened[1:], shut=not refs[ours.id].open, ours=ours)
        return opened[0], note, tuple(dup.id for dup in opened[1:])

    def _close_duplicate(self, repo: str, dup: TaskRef, keep: TaskRef) -> None:
        number = issue_number(dup)
        log.warning("github: closing %s as a duplicate of %s", dup.id, keep.id)
        self._http.request(
            "POST",
            f"repos/{repo}/issues/{number}/comments",
            json={"body": f"Closed as a duplicate of #{issue_number(keep)}, which tracks the same task."},
        )
        self._http.request(
            "PATCH", f"repos/{repo}/issues/{number}", json={"state": "closed", "state_reason": "not_planned"}
        )

    def close(self) -> None:
        """Close the HTTP session."""
        self._http.close()

    def __enter__(self) -> GitHubAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
