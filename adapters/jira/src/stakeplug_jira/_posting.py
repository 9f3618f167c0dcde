"""The Jira adapter's write side: care tasks found by fingerprint, created, and converged on one.

**Idempotent tasks.**  Every care task carries the labels ``stakeplug`` and
``stakeplug-fp-<fingerprint>`` (a private target also ``care:<action>``); one JQL query
(``labels = stakeplug``) lists what exists before anything is created.

**Writes that converge.**  Jira Cloud's search is eventually consistent: an
issue created a moment ago may be missing from JQL results for seconds, unless
the search names its id in ``reconcileIssues`` (at most 50).  So, after
creating a task, the adapter searches its fingerprint *without* reconciling
until its own new issue shows up (waits of 0.25 s, doubling, within
``settle_seconds``): once the index shows it, it also shows any issue created
before it, by a concurrent run or by a run that died before it could record
what it made.  Of the open tasks with the fingerprint the oldest (lowest issue
id) is kept and the newer are closed as its duplicates, with a neutral
comment; every run applies the same rule, so concurrent runs agree.  A new
task a racing run has closed already counts as shown, and a duplicate whose
move to done is refused is read again (the other run may have closed it a
moment before).  The ids this run created are reconciled in its later searches.  Server and Data
Center search consistently: there one search verifies.

**Ambiguous failures.**  A create is retried only when Jira certainly did
nothing (429).  After a 5xx or a lost answer the fingerprint is searched
first; only when nothing shows is the task created again, and the check after
creating closes the second copy if the first turns up.

:class:`JiraTasks` holds no connection of its own: the adapter hands it the
``jira`` client, its one retry owner (``call``) and its search, so reads and
writes share one session, one policy and one request counter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from jira import JIRA

from stakeplug import (
    FINGERPRINT_LABEL_PREFIX,
    TASK_LABEL,
    PostResult,
    TaskDraft,
    TaskRef,
    fingerprint_from_labels,
    tasks_by_fingerprint,
)
from stakeplug.errors import ConfigError, PayloadError, TrackerError
from stakeplug.http import get_logger, write_may_have_acted
from stakeplug_jira._translate import Malformed, parse_timestamp
from stakeplug_jira._visibility import Visibility

__all__ = ["MAX_RECONCILE", "SETTLE_SECONDS", "TASK_FIELDS", "JiraTasks"]

T = TypeVar("T")

log = get_logger("stakeplug.jira")

TASK_FIELDS: tuple[str, ...] = ("labels", "status", "created", "resolutiondate")
"""The fields the task listing asks for: enough to tell a task's fingerprint and state."""
MAX_RECONCILE = 50
"""Issue ids one search may reconcile (Jira Cloud's limit)."""
SETTLE_SECONDS = 30.0
"""How long, at most, the check after creating waits for the search to show the new task."""
_FIRST_WAIT = 0.25


class Call(Protocol):
    """Runs one ``jira`` package call under the adapter's retry policy."""

    def __call__(self, fn: Callable[[], T], what: str, *, write: bool = False) -> T: ...


class Search(Protocol):
    """Yields the raw issues of a JQL query, page after page, reconciling the ids given."""

    def __call__(
        self, jql: str, fields: Sequence[str], expand: str | None, *, reconcile: Sequence[int] = ()
    ) -> Iterator[dict[str, Any]]: ...


class JiraTasks:
    """Finds, creates and converges the care tasks of one Jira project.

    ``cloud`` answers whether the site is Jira Cloud (asking ``serverInfo``
    once), which decides how an assignee is named and whether the search must
    be waited for.  ``sleep`` is the policy's, so tests never wait.
    """

    def __init__(
        self,
        *,
        jira: JIRA,
        call: Call,
        search: Search,
        cloud: Callable[[], bool],
        url: str,
        project: str | None,
        issue_type: str,
        api_version: int,
        sleep: Callable[[float], None],
        settle_seconds: float = SETTLE_SECONDS,
        allow_public: bool = False,
        name: str = "jira",
    ):
        self._jira = jira
        self._call = call
        self._search = search
        self._cloud = cloud
        self._sleep = sleep
        self.url = url
        self.project = project
        self.issue_type = issue_type
        self.api_version = api_version
        self.settle_seconds = settle_seconds
        self.name = name
        self._tasks: dict[str, TaskRef] | None = None
        self._ids: dict[str, int] = {}
        """Issue key to Jira's numeric id, for every task seen: the id orders tasks by age."""
        self._own: list[int] = []
        """The ids of the issues this run created, newest last: reconciled in later searches."""
        self._visibility = Visibility(
            jira=jira, call=call, url=url, project=project, api_version=api_version, allow_public=allow_public
        )

    def find_tasks(self) -> Sequence[TaskRef]:
        """Every stakeplug task in the project, open or closed: one JQL query."""
        return list(self._list_tasks().values())

    def _list_tasks(self) -> dict[str, TaskRef]:
        """The project's tasks by fingerprint (the oldest open one, else the oldest), remembered."""
        if not self.project:
            raise ConfigError("project: a project key is needed to find and create care tasks")
        jql = f'project = "{self.project}" AND labels = {TASK_LABEL} ORDER BY key ASC'
        tasks = tasks_by_fingerprint(sorted(self._refs(jql, reconcile=self._reconciled()), key=self._age))
        self._tasks = tasks
        return tasks

    def _reconciled(self) -> list[int]:
        return self._own[-MAX_RECONCILE:]

    def _refs(self, jql: str, *, reconcile: Sequence[int]) -> list[TaskRef]:
        refs = []
        for raw in self._search(jql, TASK_FIELDS, None, reconcile=reconcile):
            ref = self._task_ref(raw)
            if ref is not None:
                refs.append(ref)
                if str(raw.get("id", "")).isdigit():
                    self._ids[ref.id] = int(raw["id"])
        return refs

    def _age(self, ref: TaskRef) -> tuple[int, int, str]:
        """Oldest first: Jira's issue id grows with every issue created on the site."""
        number = ref.id.rpartition("-")[2]
        return (self._ids.get(ref.id, 1 << 62), int(number) if number.isdigit() else 0, ref.id)

    def _task_ref(self, raw: Mapping[str, Any]) -> TaskRef | None:
        key = raw.get("key")
        fields = raw.get("fields")
        if not isinstance(key, str) or not isinstance(fields, Mapping):
            return None
        labels = fields.get("labels") or []
        fingerprint = fingerprint_from_labels(label for label in labels if isinstance(label, str))
        if not fingerprint:
            return None
        status = fields.get("status")
        category = None
        if isinstance(status, Mapping) and isinstance(status.get("statusCategory"), Mapping):
            category = status["statusCategory"].get("key")
        try:
            created = parse_timestamp(fields.get("created"), f"{key}: created")
        except Malformed:
            created = None
        try:
            closed = (
                parse_timestamp(fields.get("resolutiondate"), f"{key}: resolutiondate")
                if fields.get("resolutiondate")
                else None
            )
        except Malformed:
            closed = None
        return TaskRef(
            fingerprint=fingerprint,
            id=key,
            url=f"{self.url}/browse/{key}",
            open=category != "done",
            created=created,
            closed=closed,
        )

    def _fields_for(self, draft: TaskDraft, *, cloud: bool) -> dict[str, Any]:
        labels = list(dict.fromkeys(re.sub(r"\s+", "-", label.strip()) for label in draft.labels))
        for needed in (TASK_LABEL, f"{FINGERPRINT_LABEL_PREFIX}{draft.fingerprint}"):
            if needed not in labels:
                labels.append(needed)
        fields: dict[str, Any] = {
            "project": {"key": self.project},
            "issuetype": {"name": self.issue_type},
            "summary": " ".join(draft.title.split())[:255],
            "description": _adf(draft.body) if self.api_version == 3 else draft.body,
            "labels": labels,
        }
        if draft.due is not None:
            fields["duedate"] = draft.due.astimezone(UTC).date().isoformat()
        if draft.assignee:
            fields["assignee"] = {"accountId": draft.assignee} if cloud else {"name": draft.assignee}
        return fields

    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        """Create ``draft`` as a Jira issue unless one with its fingerprint exists, and converge on one.

        The existing tasks are read once (one JQL query) and remembered.
        Before the first task the project's permission scheme is read once:
        a project anyone may browse gets no care task unless ``allow_public``,
        and one every user of the site may browse gets no private task (with
        scores or the category); see :class:`~stakeplug_jira._visibility.Visibility`.
        With ``dry_run`` nothing is written and the result says what would be
        (the privacy check applies all the same).  After creating, the
        fingerprint is searched until the new task shows (see the module's
        docstring); when another run created the same task, the newer ones are
        closed as duplicates of the oldest, which is the task reported.
        """
        if not self.project:
            raise ConfigError("project: a project key is needed to create care tasks")
        known = self._tasks if self._tasks is not None else self._list_tasks()
        found = known.get(draft.fingerprint)
        if found is not None:
            return PostResult(draft, created=False, dry_run=dry_run, task=found, reason="already exists")
        cloud = self._cloud()
        self._visibility.check(draft)
        fields = self._fields_for(draft, cloud=cloud)
        if dry_run:
            return PostResult(
                draft,
                created=False,
                dry_run=True,
                reason=f"dry run: would create a {self.issue_type} in {self.project} "
                f"labelled {', '.join(fields['labels'])}",
            )
        ours, reason = self._create(draft, fields)
        kept, note, closed = self._converge(draft.fingerprint, ours, cloud=cloud)
        known[draft.fingerprint] = kept
        created = kept.id == ours.id
        return PostResult(
            draft,
            created=created,
            dry_run=False,
            task=kept,
            reason=reason + note if created else note,
            closed_duplicates=closed,
        )

    def _create(self, draft: TaskDraft, fields: dict[str, Any]) -> tuple[TaskRef, str]:
        """POST the issue; after a failure that may have created it, look before posting again."""
        try:
            return self._create_issue(draft, fields), "created"
        except TrackerError as exc:
            if exc.status == 400 and "assignee" in str(exc) and "assignee" in fields:
                log.warning(
                    "jira: %s does not accept assignee %r; creating the task unassigned",
                    self.project,
                    draft.assignee,
                )
                fields.pop("assignee")
                return self._create_issue(draft, fields), "created"
            if not write_may_have_acted(exc):
                raise
            log.warning("jira: creating a task in %s may have failed (%s); looking first", self.project, exc)
        same = self._open_with(draft.fingerprint, reconcile=self._reconciled())
        if same:
            return same[0], "created (its answer was lost; found by its fingerprint)"
        return self._create_issue(draft, fields), "created at the second attempt"

    def _create_issue(self, draft: TaskDraft, fields: dict[str, Any]) -> TaskRef:
        what = f"POST {self.url}/rest/api/{self.api_version}/issue"
        issue = self._call(lambda: self._jira.create_issue(fields=fields, prefetch=False), what, write=True)
        key = getattr(issue, "key", None)
        if not isinstance(key, str):
            raise PayloadError(f"{what}: Jira created an issue but did not say its key", adapter=self.name)
        number = str(getattr(issue, "id", ""))
        if number.isdigit():
            self._ids[key] = int(number)
            self._own.append(int(number))
        return TaskRef(
            fingerprint=draft.fingerprint,
            id=key,
            url=f"{self.url}/browse/{key}",
            open=True,
            created=datetime.now(UTC),
        )

    def _with_fingerprint(self, fingerprint: str, *, reconcile: Sequence[int]) -> list[TaskRef]:
        """Every task labelled with ``fingerprint``, open or closed, oldest first: one search."""
        label = f"{FINGERPRINT_LABEL_PREFIX}{fingerprint}"
        jql = f'project = "{self.project}" AND labels = "{label}" ORDER BY key ASC'
        refs = self._refs(jql, reconcile=reconcile)
        return sorted((r for r in refs if r.fingerprint == fingerprint), key=self._age)

    def _open_with(self, fingerprint: str, *, reconcile: Sequence[int]) -> list[TaskRef]:
        """The open tasks labelled with ``fingerprint``, oldest first: one search."""
        return [r for r in self._with_fingerprint(fingerprint, reconcile=reconcile) if r.open]

    def _settled(self, fingerprint: str, ours: TaskRef, *, cloud: bool) -> list[TaskRef]:
        """The tasks with ``fingerprint``, once the search shows ``ours`` without being told of it.

        ``ours`` counts as shown open or closed: a concurrent run may have
        closed it as a duplicate already.
        """
        waited, wait = 0.0, _FIRST_WAIT
        while True:
            same = self._with_fingerprint(fingerprint, reconcile=())
            if not cloud or any(r.id == ours.id for r in same):
                return same
            if waited + wait > self.settle_seconds:
                break
            self._sleep(wait)
            waited, wait = waited + wait, wait * 2
        log.warning(
            "jira: the search did not show %s after %.1f s; a copy made at the same time by another run "
            "is closed by the next run",
            ours.id,
            waited,
        )
        return self._with_fingerprint(fingerprint, reconcile=self._reconciled())

    def _converge(
        self, fingerprint: str, ours: TaskRef, *, cloud: bool
    ) -> tuple[TaskRef, str, tuple[str, ...]]:
        """Keep the oldest open task with ``fingerprint``; close the other open ones as its duplicates."""
        same = self._settled(fingerprint, ours, cloud=cloud)
        if ours.id not in {r.id for r in same}:
            same.append(ours)
        opened = sorted((r for r in same if r.open), key=self._age)
        if not opened:
            return ours, "", ()
        keep, others = opened[0], opened[1:]
        closed = tuple(dup.id for dup in others if self._close_duplicate(dup, keep))
        shut = [r.id for r in same if r.id == ours.id and not r.open]
        if not others and not shut:
            return keep, "", ()
        note = f"; another task with the same fingerprint exists: kept {keep.id}"
        if shut:
            note += f"; another run closed this run's {shut[0]} as its duplicate"
        if closed:
            note += f", closed {', '.join(closed)} as its duplicate"
        left = [dup.id for dup in others if dup.id not in closed]
        if left:
            note += f"; could not close {', '.join(left)}"
        return keep, note, closed

    def _close_duplicate(self, dup: TaskRef, keep: TaskRef) -> bool:
        """Move ``dup`` to a done status with a neutral comment naming ``keep``; False when it stays open.

        When Jira offers no way to done or refuses the move, the issue is
        read once more: a concurrent run may have closed it a moment before.
        """
        log.warning("jira: closing %s as a duplicate of %s", dup.id, keep.id)
        base = f"{self.url}/rest/api/{self.api_version}/issue/{dup.id}/transitions"
        text = f"Closed as a duplicate of {keep.id}, which tracks the same task."
        try:
            offered = self._call(lambda: self._jira.transitions(dup.id), f"GET {base}")
            done = (
                next((t for t in offered if _leads_to_done(t)), None) if isinstance(offered, list) else None
            )
            if done is None:
                if self._is_done(dup.id):
                    return True
                log.warning("jira: %s offers no transition to a done status; left open", dup.id)
                return False
            body = {
                "transition": {"id": str(done["id"])},
                "update": {"comment": [{"add": {"body": _adf(text) if self.api_version == 3 else text}}]},
            }
            url = self._jira._get_url(f"issue/{dup.id}/transitions")
            self._call(
                lambda: self._jira._session.post(url, data=json.dumps(body)), f"POST {base}", write=True
            )
        except TrackerError as exc:
            if self._is_done(dup.id):
                return True
            log.warning("jira: could not close %s as a duplicate of %s: %s", dup.id, keep.id, exc)
            return False
        return True

    def _is_done(self, key: str) -> bool:
        """Whether issue ``key`` is in a done status now (a direct read, never the search)."""
        what = f"GET {self.url}/rest/api/{self.api_version}/issue/{key}"
        try:
            issue = self._call(lambda: self._jira.issue(key, fields="status"), what)
        except TrackerError:
            return False
        fields = getattr(issue, "raw", {}).get("fields")
        status = fields.get("status") if isinstance(fields, Mapping) else None
        category = status.get("statusCategory") if isinstance(status, Mapping) else None
        return isinstance(category, Mapping) and category.get("key") == "done"


def _leads_to_done(transition: Any) -> bool:
    to = transition.get("to") if isinstance(transition, Mapping) else None
    category = to.get("statusCategory") if isinstance(to, Mapping) else None
    return isinstance(category, Mapping) and category.get("key") == "done" and "id" in transition


def _adf(text: str) -> dict[str, Any]:
    """Plain text as an Atlassian Document Format document, one paragraph per line."""
    paragraphs: list[dict[str, Any]] = []
    for line in text.split("\n"):
        content = [{"type": "text", "text": line}] if line else []
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}
