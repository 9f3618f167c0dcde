"""The fake Jira's in-memory world: users, projects, issues, comments, changelogs, links.

The state knows nothing about HTTP; :mod:`._server` renders it as Jira's JSON.
Users are referred to by their Cloud ``accountId`` everywhere in here; in
Server mode the server renders them by user name instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import attrs

__all__ = [
    "CATEGORIES",
    "DELETE",
    "LINK_TYPES",
    "STATUSES",
    "FakeComment",
    "FakeHistory",
    "FakeIssue",
    "FakeLink",
    "FakeUser",
    "State",
]

STATUSES: dict[str, tuple[str, str]] = {
    "To Do": ("10000", "new"),
    "In Progress": ("3", "indeterminate"),
    "In Review": ("10001", "indeterminate"),
    "Done": ("10002", "done"),
}
"""Status name → (id, status category key)."""

CATEGORIES: dict[str, tuple[int, str, str]] = {
    "new": (2, "To Do", "blue-gray"),
    "indeterminate": (4, "In Progress", "yellow"),
    "done": (3, "Done", "green"),
}
"""Status category key → (id, name, colour)."""

LINK_TYPES: dict[str, tuple[str, str, str]] = {
    "Blocks": ("10000", "blocks", "is blocked by"),
    "Relates": ("10003", "relates to", "relates to"),
    "Duplicate": ("10002", "duplicates", "is duplicated by"),
    "Dependent": ("10004", "is depended by", "depends on"),
}
"""Link type name → (id, outward phrase, inward phrase)."""

ISSUE_TYPES: dict[str, str] = {"Task": "10001", "Bug": "10004", "Story": "10002", "Epic": "10000"}

MENTION = re.compile(r"\[~accountid:([^\]]+)\]")


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()
"""Pass as a value to :meth:`FakeJira.corrupt` to remove a field from the payload."""


def utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give timestamps as aware datetimes")
    return value.astimezone(UTC)


@attrs.define
class FakeUser:
    account_id: str
    display_name: str
    name: str
    """The Server/Data Center user name."""
    email: str
    active: bool = True


@attrs.define
class FakeComment:
    id: int
    author: str | None
    body: str
    """Wiki text; mentions are written ``[~accountid:<id>]``."""
    created: datetime


@attrs.define
class FakeHistory:
    id: int
    author: str | None
    created: datetime
    items: list[dict[str, Any]]


@attrs.define
class FakeLink:
    id: int
    type_name: str
    other_key: str
    outward: bool
    """True when this issue is the link's source (``this issue blocks other``)."""


@attrs.define
class FakeIssue:
    id: int
    key: str
    project: str
    summary: str
    issuetype: str
    status: str
    creator: str | None
    reporter: str | None
    assignee: str | None
    created: datetime
    updated: datetime
    description: str = ""
    duedate: date | None = None
    resolutiondate: datetime | None = None
    labels: list[str] = attrs.Factory(list)
    comments: list[FakeComment] = attrs.Factory(list)
    histories: list[FakeHistory] = attrs.Factory(list)
    links: list[FakeLink] = attrs.Factory(list)
    corrupt: dict[str, Any] = attrs.Factory(dict)
    unindexed: int = 0
    """Searches still to come that do not see this issue (the search index lags behind writes)."""

    def touch(self, at: datetime) -> None:
        self.updated = max(self.updated, at)


class State:
    """Everything the fake Jira holds, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, FakeUser] = {}
        self.projects: dict[str, str] = {}
        self.issues: dict[str, FakeIssue] = {}
        self.created: list[dict[str, Any]] = []
        self._next_issue = 10000
        self._next_comment = 10000
        self._next_history = 10000
        self._next_link = 10000
        self._next_number: dict[str, int] = {}

    # ------------------------------------------------------------------ people and projects

    def add_user(
        self,
        account_id: str,
        display_name: str | None = None,
        *,
        name: str | None = None,
        email: str | None = None,
        active: bool = True,
    ) -> FakeUser:
        with self.lock:
            slug = name or re.sub(r"[^a-z0-9]+", ".", (display_name or account_id).lower()).strip(".")
            user = FakeUser(
                account_id=account_id,
                display_name=display_name or account_id,
                name=slug,
                email=email or f"{slug}@example.org",
                active=active,
            )
            self.users[account_id] = user
            return user

    def user_by_name(self, name: str) -> FakeUser | None:
        return next((u for u in self.users.values() if u.name == name), None)

    def user_by_email(self, email: str) -> FakeUser | None:
        return next((u for u in self.users.values() if u.email == email), None)

    def add_project(self, key: str, name: str | None = None) -> None:
        with self.lock:
            self.projects[key] = name or key.title()
            self._next_number.setdefault(key, 1)

    def _known(self, account: str | None) -> str | None:
        if account is not None and account not in self.users:
            raise KeyError(f"unknown user {account!r}; add it with add_user() first")
        return account

    # ------------------------------------------------------------------ issues

    def add_issue(
        self,
        project: str,
        summary: str,
        *,
        creator: str | None,
        created: datetime,
        reporter: str | None = None,
        assignee: str | None = None,
        status: str = "To Do",
        duedate: date | None = None,
        labels: Iterable[str] = (),
        description: str = "",
        issuetype: str = "Task",
        resolutiondate: datetime | None = None,
    ) -> FakeIssue:
        with self.lock:
            if project not in self.projects:
                self.add_project(project)
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}; known: {', '.join(STATUSES)}")
            number = self._next_number[project]
            self._next_number[project] = number + 1
            created = utc(created)
            if resolutiondate is None and STATUSES[status][1] == "done":
                resolutiondate = created
            issue = FakeIssue(
                id=self._next_issue,
                key=f"{project}-{number}",
                project=project,
                summary=summary,
                issuetype=issuetype,
                status=status,
                creator=self._known(creator),
                reporter=self._known(reporter if reporter is not None else creator),
                assignee=self._known(assignee),
                created=created,
                updated=created,
                description=description,
                duedate=duedate,
                resolutiondate=resolutiondate,
                labels=list(labels),
            )
            self._next_issue += 1
            self.issues[issue.key] = issue
            return issue

    def issue(self, key: str) -> FakeIssue:
        try:
            return self.issues[key]
        except KeyError:
            raise KeyError(f"no issue {key!r} in the fake Jira") from None

    def comment(self, key: str, author: str | None, body: str, *, at: datetime) -> FakeComment:
        with self.lock:
            issue = self.issue(key)
            for mentioned in MENTION.findall(body):
                self._known(mentioned)
            c = FakeComment(self._next_comment, self._known(author), body, utc(at))
            self._next_comment += 1
            issue.comments.append(c)
            issue.comments.sort(key=lambda x: (x.created, x.id))
            issue.touch(c.created)
            return c

    def _history(
        self, issue: FakeIssue, author: str | None, at: datetime, items: list[dict[str, Any]]
    ) -> FakeHistory:
        h = FakeHistory(self._next_history, self._known(author), utc(at), items)
        self._next_history += 1
        issue.histories.append(h)
        issue.histories.sort(key=lambda x: (x.created, x.id))
        issue.touch(h.created)
        return h

    def assign(self, key: str, to: str | None, *, by: str | None, at: datetime) -> FakeHistory:
        with self.lock:
            issue = self.issue(key)
            old = issue.assignee
            issue.assignee = self._known(to)
            item = {"field": "assignee", "fieldtype": "jira", "fieldId": "assignee", "from": old, "to": to}
            return self._history(issue, by, at, [item])

    def transition(self, key: str, status: str, *, by: str | None, at: datetime) -> FakeHistory:
        with self.lock:
            issue = self.issue(key)
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}; known: {', '.join(STATUSES)}")
            old = issue.status
            items: list[dict[str, Any]] = [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "fieldId": "status",
                    "from": STATUSES[old][0],
                    "fromString": old,
                    "to": STATUSES[status][0],
                    "toString": status,
                }
            ]
            was_done = STATUSES[old][1] == "done"
            now_done = STATUSES[status][1] == "done"
            if now_done and not was_done:
                issue.resolutiondate = utc(at)
                items.append(
                    {
                        "field": "resolution",
                        "fieldtype": "jira",
                        "fieldId": "resolution",
                        "from": None,
                        "fromString": None,
                        "to": "10000",
                        "toString": "Done",
                    }
                )
            elif was_done and not now_done:
                issue.resolutiondate = None
                items.append(
                    {
                        "field": "resolution",
                        "fieldtype": "jira",
                        "fieldId": "resolution",
                        "from": "10000",
                        "fromString": "Done",
                        "to": None,
                        "toString": None,
                    }
                )
            issue.status = status
            return self._history(issue, by, at, items)

    def link(
        self,
        key: str,
        other_key: str,
        link_type: str = "Blocks",
        *,
        outward: bool = True,
        by: str | None = None,
        at: datetime | None = None,
    ) -> FakeLink:
        with self.lock:
            issue = self.issue(key)
            if link_type not in LINK_TYPES:
                raise ValueError(f"unknown link type {link_type!r}; known: {', '.join(LINK_TYPES)}")
            link = FakeLink(self._next_link, link_type, other_key, outward)
            self._next_link += 1
            issue.links.append(link)
            other = self.issues.get(other_key)
            if other is not None:
                other.links.append(FakeLink(link.id, link_type, key, not outward))
            if at is not None:
                _, out_phrase, in_phrase = LINK_TYPES[link_type]
                phrase = out_phrase if outward else in_phrase
                item = {
                    "field": "Link",
                    "fieldtype": "jira",
                    "from": None,
                    "fromString": None,
                    "to": other_key,
                    "toString": f"This issue {phrase} {other_key}",
                }
                self._history(issue, by, at, [item])
            return link

    def create_from_api(
        self, fields: dict[str, Any], creator: str | None, now: datetime, *, unindexed: int = 0
    ) -> FakeIssue:
        """Create an issue as ``POST /issue`` does; the next ``unindexed`` searches do not see it."""
        with self.lock:
            issue = self.add_issue(
                fields["project"],
                fields["summary"],
                creator=creator,
                created=now,
                assignee=fields.get("assignee"),
                duedate=fields.get("duedate"),
                labels=fields.get("labels", ()),
                description=fields.get("description", ""),
                issuetype=fields.get("issuetype", "Task"),
            )
            issue.unindexed = unindexed
            self.created.append(
                {
                    "key": issue.key,
                    "project": issue.project,
                    "summary": issue.summary,
                    "labels": list(issue.labels),
                    "assignee": issue.assignee,
                    "duedate": issue.duedate.isoformat() if issue.duedate else None,
                    "issuetype": issue.issuetype,
                }
            )
            return issue
