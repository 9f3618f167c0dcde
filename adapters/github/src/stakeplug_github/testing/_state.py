"""The fake GitHub's in-memory repositories (their REST shapes are in ``_payloads``).

Records are plain mutable attrs classes; :class:`FakeRepo` offers one method
per kind of thing that can happen (open an issue, comment, review, assign...)
and keeps each issue's ``updated_at`` in step, because GitHub's ``since``
filters depend on it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import attrs

__all__ = [
    "GHOST",
    "FakeComment",
    "FakeEvent",
    "FakeIssue",
    "FakeRepo",
    "FakeReview",
    "FakeReviewComment",
    "iso",
]

GHOST = "ghost"
"""The login GitHub shows for deleted accounts."""

_ids = itertools.count(1_000_001)


def _next_id() -> int:
    return next(_ids)


def iso(value: datetime | None) -> str | None:
    """GitHub's timestamp format: ``2026-01-02T03:04:05Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.define
class FakeIssue:
    """An issue or pull request."""

    number: int
    title: str
    user: str | None
    created_at: datetime
    updated_at: datetime
    is_pr: bool = False
    body: str | None = None
    state: str = "open"
    closed_at: datetime | None = None
    closed_by: str | None = None
    state_reason: str | None = None
    """Why a closed issue is closed: ``completed``, ``not_planned`` or ``duplicate``."""
    merged_at: datetime | None = None
    labels: list[str] = attrs.Factory(list)
    assignees: list[str] = attrs.Factory(list)
    milestone_due: datetime | None = None
    reactions: int = 0
    comments: int = 0
    id: int = attrs.Factory(_next_id)


@attrs.define
class FakeComment:
    """A comment in an issue's or pull request's conversation."""

    issue_number: int
    user: str | None
    body: str
    created_at: datetime
    updated_at: datetime
    reactions: int = 0
    id: int = attrs.Factory(_next_id)


@attrs.define
class FakeReviewComment:
    """A comment on a line of a pull request's diff."""

    pr_number: int
    user: str | None
    body: str
    created_at: datetime
    updated_at: datetime
    review_id: int | None = None
    in_reply_to: int | None = None
    reactions: int = 0
    id: int = attrs.Factory(_next_id)


@attrs.define
class FakeReview:
    """A submitted (or pending) pull request review."""

    pr_number: int
    user: str | None
    state: str
    submitted_at: datetime | None
    body: str = ""
    id: int = attrs.Factory(_next_id)


@attrs.define
class FakeEvent:
    """A repository issue event (``assigned``, ``closed``, ``review_requested``, ...)."""

    issue_number: int
    event: str
    actor: str | None
    created_at: datetime
    assignee: str | None = None
    requested_reviewer: str | None = None
    review_requester: str | None = None
    commit_repo: str | None = None
    commit_id: str | None = None
    label: str | None = None
    state_reason: str | None = None
    id: int = attrs.Factory(_next_id)


@attrs.define
class FakeRepo:
    """One repository and everything in it.

    ``api`` and ``web`` are the base URLs the payloads point at; the server
    sets them when the repository is added.
    """

    owner: str
    name: str
    private: bool = True
    api: str = "https://api.github.com"
    web: str = "https://github.com"
    issues: dict[int, FakeIssue] = attrs.Factory(dict)
    comments: list[FakeComment] = attrs.Factory(list)
    review_comments: list[FakeReviewComment] = attrs.Factory(list)
    reviews: list[FakeReview] = attrs.Factory(list)
    events: list[FakeEvent] = attrs.Factory(list)
    labels: set[str] = attrs.Factory(set)
    collaborators: set[str] = attrs.Factory(set)
    """Logins that may be assigned; empty means anyone."""
    token_can_create_labels: bool = True
    """False drops unknown labels from created issues, as GitHub does for a token without push access."""
    id: int = attrs.Factory(_next_id)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def api_url(self) -> str:
        return f"{self.api}/repos/{self.full_name}"

    @property
    def html_url(self) -> str:
        return f"{self.web}/{self.full_name}"

    # -- seeding -------------------------------------------------------------

    def _touch(self, number: int, when: datetime) -> FakeIssue:
        issue = self.issues[number]
        issue.updated_at = max(issue.updated_at, when)
        return issue

    def open_issue(
        self,
        user: str | None,
        title: str,
        at: datetime,
        *,
        pr: bool = False,
        body: str | None = None,
        labels: list[str] | tuple[str, ...] = (),
        milestone_due: datetime | None = None,
        reactions: int = 0,
    ) -> FakeIssue:
        """Open an issue (or, with ``pr=True``, a pull request) and return it."""
        number = len(self.issues) + 1
        issue = FakeIssue(
            number=number,
            title=title,
            user=user,
            created_at=at,
            updated_at=at,
            is_pr=pr,
            body=body,
            labels=list(labels),
            milestone_due=milestone_due,
            reactions=reactions,
        )
        self.issues[number] = issue
        self.labels.update(labels)
        return issue

    def comment(
        self, number: int, user: str | None, body: str, at: datetime, *, reactions: int = 0
    ) -> FakeComment:
        """Comment on issue or pull request ``number``."""
        c = FakeComment(number, user, body, at, at, reactions=reactions)
        self.comments.append(c)
        self._touch(number, at).comments += 1
        return c

    def review_comment(
        self,
        number: int,
        user: str | None,
        body: str,
        at: datetime,
        *,
        review_id: int | None = None,
        in_reply_to: int | None = None,
    ) -> FakeReviewComment:
        """Comment on a line of pull request ``number``."""
        c = FakeReviewComment(number, user, body, at, at, review_id, in_reply_to)
        self.review_comments.append(c)
        self._touch(number, at)
        return c

    def review(
        self, number: int, user: str | None, state: str, at: datetime | None, *, body: str = ""
    ) -> FakeReview:
        """Submit a review: ``APPROVED``, ``CHANGES_REQUESTED``, ``COMMENTED``, ``DISMISSED``...

        ``PENDING`` reviews have no ``submitted_at`` (pass ``at=None``).
        """
        r = FakeReview(number, user, state, at, body)
        self.reviews.append(r)
        if at is not None:
            self._touch(number, at)
        return r

    def _event(self, number: int, event: str, actor: str | None, at: datetime, **kw: Any) -> FakeEvent:
        e = FakeEvent(number, event, actor, at, **kw)
        self.events.append(e)
        self._touch(number, at)
        return e

    def assign(self, number: int, actor: str | None, assignee: str, at: datetime) -> FakeEvent:
        """``actor`` assigns ``assignee``."""
        issue = self.issues[number]
        if assignee not in issue.assignees:
            issue.assignees.append(assignee)
        return self._event(number, "assigned", actor, at, assignee=assignee)

    def unassign(self, number: int, actor: str | None, assignee: str, at: datetime) -> FakeEvent:
        """``actor`` removes ``assignee``."""
        issue = self.issues[number]
        if assignee in issue.assignees:
            issue.assignees.remove(assignee)
        return self._event(number, "unassigned", actor, at, assignee=assignee)

    def request_review(self, number: int, requester: str | None, reviewer: str, at: datetime) -> FakeEvent:
        """``requester`` asks ``reviewer`` to review pull request ``number``."""
        return self._event(
            number,
            "review_requested",
            requester,
            at,
            requested_reviewer=reviewer,
            review_requester=requester,
        )

    def remove_review_request(
        self, number: int, requester: str | None, reviewer: str, at: datetime
    ) -> FakeEvent:
        """``requester`` takes back the request for ``reviewer``'s review (``review_request_removed``)."""
        return self._event(
            number,
            "review_request_removed",
            requester,
            at,
            requested_reviewer=reviewer,
            review_requester=requester,
        )

    def close(self, number: int, actor: str | None, at: datetime, *, reason: str = "completed") -> FakeEvent:
        """``actor`` closes the issue or pull request (``reason``: ``completed``, ``not_planned``...)."""
        issue = self.issues[number]
        issue.state, issue.closed_at, issue.closed_by = "closed", at, actor
        issue.state_reason = reason
        return self._event(number, "closed", actor, at, state_reason=reason)

    def merge(self, number: int, actor: str | None, at: datetime) -> FakeEvent:
        """``actor`` merges pull request ``number``: a ``merged`` and a ``closed`` event, as on GitHub."""
        issue = self.issues[number]
        issue.merged_at = at
        sha = f"{issue.id:040x}"
        merged = self._event(number, "merged", actor, at, commit_id=sha, commit_repo=self.full_name)
        self.close(number, actor, at)
        return merged

    def reopen(self, number: int, actor: str | None, at: datetime) -> FakeEvent:
        """``actor`` reopens the issue or pull request."""
        issue = self.issues[number]
        issue.state, issue.closed_at, issue.closed_by, issue.merged_at = "open", None, None, None
        issue.state_reason = None
        return self._event(number, "reopened", actor, at)

    def reference(self, number: int, actor: str | None, from_repo: str, at: datetime) -> FakeEvent:
        """A commit in ``from_repo`` mentions the issue (a ``referenced`` event)."""
        sha = f"{_next_id():040x}"
        return self._event(number, "referenced", actor, at, commit_id=sha, commit_repo=from_repo)

    def add_label(self, number: int, actor: str | None, label: str, at: datetime) -> FakeEvent:
        """``actor`` labels the issue."""
        issue = self.issues[number]
        if label not in issue.labels:
            issue.labels.append(label)
        self.labels.add(label)
        return self._event(number, "labeled", actor, at, label=label)
