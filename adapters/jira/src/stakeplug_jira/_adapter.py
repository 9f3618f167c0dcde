"""The Jira adapter: one search stream in, care tasks out, on top of the ``jira`` package.

**Few requests.**  Collecting a window is one search stream with explicit
``fields`` and ``expand=changelog``, so comments and history come inline with
each page of 100 issues.  Only an issue whose inline comment page or
changelog was cut short (``total`` above what came back) costs extra requests,
for the rest of it.  Around the stream there is a small constant: ``serverInfo``
(Cloud or Server?), ``field`` (the ``jira`` package reads it once to translate
field names) and ``status`` (to know which statuses are *done*, asked only
when a changelog holds a status change).  For N issues without overflow that is ⌈N/100⌉ + 3 requests.

**Cloud and Server/Data Center.**  ``serverInfo`` says ``deploymentType:
Cloud``: the enhanced search with ``nextPageToken``, basic auth with an email
and API token, users by ``accountId``.  Otherwise the legacy search with
``startAt``/``total``, a bearer personal access token, users by name.  The
paging of both, and the extra pages of an issue that overflows, are
:class:`stakeplug_jira._search.JiraSearch`.

**One retry owner.**  The ``jira`` package's own retries are off
(``max_retries=0``); every call runs under :class:`stakeplug.http.HttpClient`
and its policy through :class:`stakeplug_jira._errors.JiraCalls`, which maps
``jira.JIRAError`` and ``requests`` errors to :mod:`stakeplug.errors`.

**Nothing partial reported as complete.**  A paging contradiction, an issue
that cannot be read, or a failure part-way (a page that keeps failing, the
time budget used up) keeps what was collected: the activities read so far have
been yielded, and the source is reported partial with the reason.

**Streamed, not held.**  Each issue's activities are yielded as its page is
translated, in the search's order; the adapter declares ``ordered=False`` and
keeps no window in memory (the store, or the engine without one, orders them),
so the progress line moves while the search pages come in.

**Incremental.**  The search asks only for issues updated since the window
start, written as a period back from now (``updated >= "-1442m"``): Jira counts
such a period from its own clock, so no time zone is involved (an absolute JQL
date is read in the searching user's zone), and the minute's precision is met
by asking :data:`JQL_SLACK` early.  Each activity is then filtered on its own
exact timestamp, so nothing before ``since`` comes back.  Every activity has a
stable id, so the adapter declares ``incremental``: the store asks it only from
its cursor, and a quiet night costs the fixed calls and one search page.

**Care tasks are not evidence.**  Issues labelled ``stakeplug`` are the
team's own care tasks; the read side passes over them.

**Care tasks** are found and created by :class:`stakeplug_jira._posting.JiraTasks`
over the same session, policy and request counter.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import requests
from jira import JIRA

from stakeplug import (
    TASK_LABEL,
    Activity,
    Capabilities,
    Option,
    PostResult,
    SourceStats,
    TaskDraft,
    TaskRef,
)
from stakeplug.adapter import Checker, config_place, parse_options, secret_from_env, utc_window
from stakeplug.errors import ConfigError, NotFoundError, PayloadError, TrackerError
from stakeplug.http import HttpClient, HttpPolicy, get_logger
from stakeplug_jira._errors import JiraCalls
from stakeplug_jira._posting import SETTLE_SECONDS, JiraTasks
from stakeplug_jira._search import JiraSearch
from stakeplug_jira._translate import Malformed, issue_activities

__all__ = ["SEARCH_FIELDS", "JiraAdapter"]

log = get_logger("stakeplug.jira")

SEARCH_FIELDS: tuple[str, ...] = (
    "summary",
    "status",
    "assignee",
    "reporter",
    "creator",
    "duedate",
    "resolutiondate",
    "labels",
    "issuelinks",
    "comment",
    "created",
    "updated",
    "project",
)
"""The fields the search asks for: what the activities need, nothing else."""

JQL_SLACK = timedelta(minutes=2)
"""How far before ``since`` the ``updated >=`` period reaches: a period has whole minutes,
and Jira's clock may run a little ahead of ours."""

_DONE_NAMES = frozenset({"done", "closed", "resolved", "complete", "completed"})
_ORDER_BY = re.compile(r"\s+ORDER\s+BY\s+.*$", re.IGNORECASE | re.DOTALL)
_VERSION = "0.1.0"


class JiraAdapter:
    """Reads activity from a Jira project and posts care tasks into one.

    Build it from a ``[[sources]]`` or ``[tasks]`` table with
    :meth:`from_config`, or directly::

        JiraAdapter(url="https://acme.atlassian.net", project="APOLLO",
                    email="bot@acme.org", token=os.environ["JIRA_TOKEN"])

    With ``email`` the token is a Cloud API token (basic auth); without, a
    Server/Data Center personal access token (bearer).  ``api_version`` 3 reads
    comment bodies as Atlassian Document Format and writes the task
    description as one.
    """

    name: ClassVar[str] = "jira"
    version: ClassVar[str] = _VERSION
    capabilities: ClassVar[Capabilities] = Capabilities(
        comments=True,
        mentions=True,
        assignments=True,
        due_dates=True,
        transitions=True,
        links=True,
        created=True,
        posts_tasks=True,
        incremental=True,
        ordered=False,
    )
    OPTIONS: ClassVar[Mapping[str, Option]] = {
        "url": Option(str, required=True, help="the Jira site, e.g. https://acme.atlassian.net"),
        "project": Option(str, help="the project key to audit, and to create care tasks in"),
        "jql": Option(str, help="a JQL filter to audit instead of (or within) the project"),
        "email_env": Option(
            str, help="environment variable with the Atlassian account email (Cloud, basic auth)"
        ),
        "token_env": Option(
            str,
            required=True,
            help="environment variable with the API token (Cloud) or personal access token "
            "(Server/Data Center)",
        ),
        "api_version": Option((int, str), default=2, help="REST API version, 2 or 3"),
        "issue_type": Option(str, default="Task", help="issue type of care tasks"),
        "settle_seconds": Option(
            (int, float),
            default=SETTLE_SECONDS,
            help="seconds to wait, at most, for Jira Cloud's search to show a task just created",
        ),
        "allow_public": Option(
            bool, default=False, help="post care tasks even into a project anyone may browse"
        ),
    }

    def __init__(
        self,
        *,
        url: str,
        token: str,
        project: str | None = None,
        jql: str | None = None,
        email: str | None = None,
        api_version: int = 2,
        issue_type: str = "Task",
        policy: HttpPolicy | None = None,
        credential_names: Sequence[str] = (),
        settle_seconds: float = SETTLE_SECONDS,
        allow_public: bool = False,
    ):
        if not project and not jql:
            raise ConfigError("give a project key (project) or a JQL filter (jql) to read")
        if api_version not in (2, 3):
            raise ConfigError(f"api_version must be 2 or 3, got {api_version!r}")
        self.url = url.rstrip("/")
        self.project = project
        self.jql = jql
        self.api_version = api_version
        self.issue_type = issue_type
        self._credential_names = tuple(credential_names) or (
            ("the email and API token",) if email else ("the personal access token",)
        )
        # The basic-auth pair is given so that its base64 form, which the jira package builds, is redacted.
        basic = (email, token) if email else None
        self._http = HttpClient("jira", self.url, policy=policy, secrets=[token], auth=basic)
        policy = self._http.policy
        auth: dict[str, Any] = {"basic_auth": (email, token)} if email else {"token_auth": token}
        # JIRA() sets the level of the process-wide ``jira`` logger; the application's level stands.
        jira_log = logging.getLogger("jira")
        jira_level = jira_log.level
        self._jira = JIRA(
            options={
                "server": self.url,
                "rest_api_version": str(api_version),
                "check_update": False,
            },
            get_server_info=False,
            max_retries=0,
            timeout=(policy.connect_timeout, policy.read_timeout),
            logging=False,
            **auth,
        )
        jira_log.setLevel(jira_level)
        self._jira._session.hooks["response"].append(self._count)
        self._http.adopt(self._jira._session)
        self._call = JiraCalls(
            self._http,
            url=self.url,
            api_version=api_version,
            target=f"Jira project {project!r}" if project else "the Jira filter",
            credential_names=self._credential_names,
            adapter=self.name,
        )
        self._search = JiraSearch(
            self._jira, self._call, url=self.url, api_version=api_version, gap=self._gap
        )
        self._categories: dict[str, str] | None = None
        self._tasks = JiraTasks(
            jira=self._jira,
            call=self._call,
            search=self._search.issues,
            cloud=self._search.is_cloud,
            url=self.url,
            project=project,
            issue_type=issue_type,
            api_version=api_version,
            sleep=policy.sleep,
            settle_seconds=settle_seconds,
            allow_public=allow_public,
            name=self.name,
        )
        self._items = 0
        self._activities = 0
        self._skipped: list[str] = []

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        where: str | None = None,
        policy: HttpPolicy | None = None,
    ) -> JiraAdapter:
        """Build the adapter from a ``[[sources]]`` or ``[tasks]`` table.

        Credentials come only from the environment variables named by
        ``email_env`` and ``token_env``; an unset variable is a
        :class:`~stakeplug.errors.ConfigError` naming it.
        """
        opts = parse_options(cls.name, config, cls.OPTIONS, where=where)
        place = config_place(cls.name, where)
        check = Checker(place=place)
        url = opts["url"].strip()
        if not re.match(r"^https?://[^/\s]+", url):
            raise check.fail("url", f"must be the Jira site's address starting with https://, got {url!r}")
        if not opts["project"] and not opts["jql"]:
            raise check.fail("", 'give `project` (a project key such as "APOLLO") or `jql` (a JQL filter)')
        try:
            api_version = int(opts["api_version"])
        except ValueError:
            api_version = 0
        if api_version not in (2, 3):
            raise check.fail("api_version", f"must be 2 or 3, got {opts['api_version']!r}")
        names: list[str] = []
        email = None
        if opts["email_env"]:
            names.append(opts["email_env"])
            email = secret_from_env(
                opts,
                "email_env",
                place=place,
                env=env,
                what="the email of the Atlassian account the API token belongs to",
            )
        names.append(opts["token_env"])
        kind = "API token" if email else "personal access token (or, with email_env, API token)"
        token = secret_from_env(opts, "token_env", place=place, env=env, what=f"the Jira {kind}")
        return cls(
            url=url,
            token=token,
            project=opts["project"],
            jql=opts["jql"],
            email=email,
            api_version=api_version,
            issue_type=opts["issue_type"],
            policy=policy,
            credential_names=names,
            settle_seconds=float(opts["settle_seconds"]),
            allow_public=bool(opts["allow_public"]),
        )

    def __repr__(self) -> str:
        target = self.project or self.jql
        return f"JiraAdapter(url={self.url!r}, target={target!r}, api_version={self.api_version})"

    # ------------------------------------------------------------------ plumbing

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        self._http.counter.record(request.method or "GET", response.url or request.url or "")

    @property
    def requests_made(self) -> int:
        """HTTP requests made so far (every attempt that got an answer)."""
        return self._http.counter.total

    @property
    def counter(self) -> Any:
        """The request counter, with counts by path."""
        return self._http.counter

    def _window_jql(self, since: datetime, now: datetime) -> str:
        """The search for issues updated since ``since``, as a period counted back from ``now``."""
        minutes = max(1, math.ceil((now - since + JQL_SLACK) / timedelta(minutes=1)))
        parts = []
        if self.project:
            parts.append(f'project = "{self.project}"')
        if self.jql:
            parts.append(f"({_ORDER_BY.sub('', self.jql).strip()})")
        parts.append(f'updated >= "-{minutes}m"')
        return " AND ".join(parts) + " ORDER BY updated ASC"

    # ------------------------------------------------------------------ read side

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        """Yield the activities with ``since <= timestamp < until``, issue by issue as the search answers.

        The adapter declares ``ordered=False``: each issue's activities are yielded
        as soon as its page is translated, in the search's order (least recently
        updated first), and nothing of the window is held; the store, or the engine
        in a stateless run, puts them in time order.  Issues whose payload cannot
        be read are skipped, counted in :attr:`stats` with the reason, and logged;
        the others go on.  When the search fails part-way (a later page that keeps
        failing, the time budget used up), the activities of the issues read
        before have been yielded already, and the error is raised, naming the
        page: the audit reports the source partial with it, and the store keeps
        its cursor.
        """
        since, until = utc_window(since, until)
        now = datetime.fromtimestamp(self._http.policy.clock(), UTC)
        read = 0
        try:
            for raw in self._search.issues(self._window_jql(since, now), SEARCH_FIELDS, "changelog"):
                read += 1
                self._items += 1
                for activity in self._read_issue(raw):
                    if since <= activity.timestamp < until:
                        self._activities += 1
                        yield activity
        except TrackerError as exc:
            if read:
                log.warning(
                    "jira: the collection stopped after %d issues, whose activities are kept: %s", read, exc
                )
            raise

    def _read_issue(self, raw: Mapping[str, Any]) -> list[Activity]:
        """The activities of one raw issue, or none when it is skipped (with the reason)."""
        if _is_care_task(raw):
            return []
        try:
            return self._translate(raw)
        except Malformed as exc:
            self._skip(str(exc))
        except PayloadError as exc:
            self._skip(f"{raw.get('key')}: {exc}")
        except NotFoundError as exc:
            self._skip(f"{raw.get('key')}: vanished while being read ({exc.status})")
        return []

    def _skip(self, reason: str) -> None:
        self._skipped.append(reason)
        log.warning("jira: skipped an issue whose payload cannot be read: %s", reason)

    def _gap(self, reason: str) -> None:
        """Jira's paging contradicted itself: keep what came, and mark the source partial with ``reason``."""
        self._skipped.append(reason)
        log.warning("jira: the collection is incomplete: %s", reason)

    def _translate(self, raw: Mapping[str, Any]) -> list[Activity]:
        if raw.get("_malformed"):
            raise Malformed("an issue in the search answer is not an object")
        key = raw.get("key")
        fields = raw.get("fields")
        comments: list[Any] | None = None
        histories: list[Any] | None = None
        if isinstance(key, str) and isinstance(fields, Mapping):
            page = fields.get("comment")
            if isinstance(page, Mapping) and isinstance(page.get("comments"), list):
                total = page.get("total")
                if isinstance(total, int) and total > len(page["comments"]):
                    comments = self._search.comments(key, total, page["comments"])
            log_page = raw.get("changelog")
            if isinstance(log_page, Mapping) and isinstance(log_page.get("histories"), list):
                total = log_page.get("total")
                if isinstance(total, int) and total > len(log_page["histories"]):
                    histories = self._search.histories(key, total)
                if self._categories is None and _has_status_change(histories or log_page["histories"]):
                    self._load_categories()
        _, acts = issue_activities(
            raw,
            base_url=self.url,
            comments=comments,
            histories=histories,
            category_of=self._category_of,
        )
        return acts

    def _load_categories(self) -> None:
        what = f"GET {self.url}/rest/api/{self.api_version}/status"
        statuses = self._call(self._jira.statuses, what)
        categories: dict[str, str] = {}
        for s in statuses:
            raw = s.raw if isinstance(s.raw, dict) else {}
            cat = raw.get("statusCategory")
            if isinstance(cat, dict) and isinstance(cat.get("key"), str):
                categories[str(raw.get("id"))] = cat["key"]
                if isinstance(raw.get("name"), str):
                    categories.setdefault("name:" + raw["name"].casefold(), cat["key"])
        self._categories = categories

    def _category_of(self, status_id: str | None, name: str | None) -> str | None:
        cats = self._categories or {}
        if status_id is not None and status_id in cats:
            return cats[status_id]
        if name:
            found = cats.get("name:" + name.casefold())
            if found:
                return found
            return "done" if name.casefold() in _DONE_NAMES else "indeterminate"
        return None

    @property
    def stats(self) -> SourceStats:
        """Requests made, issues seen, activities yielded, and issues skipped with the reasons."""
        return SourceStats(
            requests=self._http.counter.total,
            items=self._items,
            activities=self._activities,
            skipped=len(self._skipped),
            skipped_reasons=tuple(self._skipped),
        )

    # ------------------------------------------------------------------ write side

    def find_tasks(self) -> Sequence[TaskRef]:
        """Every stakeplug task in the project, open or closed: one JQL query."""
        return self._tasks.find_tasks()

    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        """Create ``draft`` as a Jira issue unless one with its fingerprint exists (:class:`JiraTasks`)."""
        return self._tasks.post_task(draft, dry_run=dry_run)

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the HTTP sessions."""
        try:
            self._jira.close()  # type: ignore[no-untyped-call]
        finally:
            self._http.close()

    def __enter__(self) -> JiraAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_care_task(raw: Mapping[str, Any]) -> bool:
    fields = raw.get("fields")
    labels = fields.get("labels") if isinstance(fields, Mapping) else None
    return isinstance(labels, list) and TASK_LABEL in labels


def _has_status_change(histories: Sequence[Any]) -> bool:
    for h in histories:
        if isinstance(h, Mapping) and isinstance(h.get("items"), list):
            for it in h["items"]:
                if isinstance(it, Mapping) and it.get("field") == "status":
                    return True
    return False
