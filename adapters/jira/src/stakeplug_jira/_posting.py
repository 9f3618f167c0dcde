"""The Jira adapter's write side: care tasks found by fingerprint and created as issues.

**Idempotent tasks.**  Every care task carries the labels ``stakeplug`` and
``stakeplug-fp-<fingerprint>`` (a private target also ``care:<action>``); one JQL query
(``labels = stakeplug``) lists what exists before anything is created, so a
rerun after a crash creates no duplicate.

:class:`JiraTasks` holds no connection of its own: the adapter hands it the
``jira`` client, its one retry owner (``call``) and its search, so reads and
writes share one session, one policy and one request counter.
"""

from __future__ import annotations

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
)
from stakeplug.errors import ConfigError, PayloadError, TrackerError
from stakeplug.http import get_logger
from stakeplug_jira._translate import Malformed, parse_timestamp

__all__ = ["TASK_FIELDS", "JiraTasks"]

T = TypeVar("T")

log = get_logger("stakeplug.jira")

TASK_FIELDS: tuple[str, ...] = ("labels", "status", "created", "resolutiondate")
"""The fields the task listing asks for: enough to tell a task's fingerprint and state."""


class Call(Protocol):
    """Runs one ``jira`` package call under the adapter's retry policy."""

    def __call__(self, fn: Callable[[], T], what: str, *, write: bool = False) -> T: ...


Search = Callable[[str, Sequence[str], "str | None"], Iterator[dict[str, Any]]]
"""Yields the raw issues of a JQL query, page after page."""


class JiraTasks:
    """Finds and creates the care tasks of one Jira project.

    ``cloud`` answers whether the site is Jira Cloud (asking ``serverInfo``
    once), which decides how an assignee is named.
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
        name: str = "jira",
    ):
        self._jira = jira
        self._call = call
        self._search = search
        self._cloud = cloud
        self.url = url
        self.project = project
        self.issue_type = issue_type
        self.api_version = api_version
        self.name = name
        self._tasks: dict[str, TaskRef] | None = None

    def find_tasks(self) -> Sequence[TaskRef]:
        """Every stakeplug task in the project, open or closed: one JQL query."""
        return list(self._list_tasks().values())

    def _list_tasks(self) -> dict[str, TaskRef]:
        """The project's tasks by fingerprint, remembered for :meth:`post_task`."""
        if not self.project:
            raise ConfigError("project: a project key is needed to find and create care tasks")
        jql = f'project = "{self.project}" AND labels = {TASK_LABEL} ORDER BY key ASC'
        tasks: dict[str, TaskRef] = {}
        for raw in self._search(jql, TASK_FIELDS, None):
            ref = self._task_ref(raw)
            if ref is not None:
                tasks.setdefault(ref.fingerprint, ref)
        self._tasks = tasks
        return tasks

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
        """Create ``draft`` as a Jira issue unless one with its fingerprint exists.

        The existing tasks are read once (one JQL query) and remembered, so
        posting many drafts costs that query plus one request per new task.
        With ``dry_run`` nothing is written and the result says what would be.
        Jira cannot tell who may read a project, so the draft's ``body`` (the
        text for the target as the user declared it) is posted as it is.
        """
        if not self.project:
            raise ConfigError("project: a project key is needed to create care tasks")
        known = self._tasks if self._tasks is not None else self._list_tasks()
        found = known.get(draft.fingerprint)
        if found is not None:
            return PostResult(draft, created=False, dry_run=dry_run, task=found, reason="already exists")
        cloud = self._cloud()
        fields = self._fields_for(draft, cloud=cloud)
        if dry_run:
            return PostResult(
                draft,
                created=False,
                dry_run=True,
                reason=f"dry run: would create a {self.issue_type} in {self.project} "
                f"labelled {', '.join(fields['labels'])}",
            )
        what = f"POST {self.url}/rest/api/{self.api_version}/issue"
        try:
            issue = self._call(
                lambda: self._jira.create_issue(fields=fields, prefetch=False), what, write=True
            )
        except TrackerError as exc:
            if exc.status != 400 or "assignee" not in str(exc) or "assignee" not in fields:
                raise
            log.warning(
                "jira: %s does not accept assignee %r; creating the task unassigned",
                self.project,
                draft.assignee,
            )
            fields.pop("assignee")
            issue = self._call(
                lambda: self._jira.create_issue(fields=fields, prefetch=False), what, write=True
            )
        key = getattr(issue, "key", None)
        if not isinstance(key, str):
            raise PayloadError(f"{what}: Jira created an issue but did not say its key", adapter=self.name)
        ref = TaskRef(
            fingerprint=draft.fingerprint,
            id=key,
            url=f"{self.url}/browse/{key}",
            open=True,
            created=datetime.now(UTC),
        )
        known[draft.fingerprint] = ref
        return PostResult(draft, created=True, dry_run=False, task=ref, reason="created")


def _adf(text: str) -> dict[str, Any]:
    """Plain text as an Atlassian Document Format document, one paragraph per line."""
    paragraphs: list[dict[str, Any]] = []
    for line in text.split("\n"):
        content = [{"type": "text", "text": line}] if line else []
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}
