"""The fake GitHub's in-memory repositories and how they render as REST payloads.

Records are plain mutable attrs classes; :class:`FakeRepo` offers one method
per kind of thing that can happen (open an issue, comment, review, assign...)
and keeps each issue's ``updated_at`` in step, because GitHub's ``since``
filters depend on it.  Rendering follows the shapes of GitHub's REST API v3
(as recorded in octokit's fixtures): user objects, issues with a
``pull_request`` key for pull requests, ``reactions`` rollups on issues and
comments, repository issue events that embed their issue.
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


def _user_id(login: str) -> int:
    if login == GHOST:
        return 10137
    return 1000 + sum((i + 1) * ord(c) for i, c in enumerate(login)) % 9_000_000


def user_payload(login: str | None, web: str) -> dict[str, Any] | None:
    """A user object; ``None`` stays ``None`` (GitHub sends ``"user": null`` for some deleted accounts)."""
    if login is None:
        return None
    uid = _user_id(login)
    return {
        "login": login,
        "id": uid,
        "node_id": f"MDQ6VXNlcj{uid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": f"{web}/users/{login}",
        "html_url": f"{web}/{login}",
        "type": "User",
        "site_admin": False,
    }


def _reactions(url: str, total: int) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url, "total_count": total, "+1": total}
    body.update({k: 0 for k in ("-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")})
    return body


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

    def close(self, number: int, actor: str | None, at: datetime) -> FakeEvent:
        """``actor`` closes the issue or pull request."""
        issue = self.issues[number]
        issue.state, issue.closed_at, issue.closed_by = "closed", at, actor
        return self._event(number, "closed", actor, at)

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

    # -- rendering -----------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.api}/repos/{self.full_name}"

    @property
    def html_url(self) -> str:
        return f"{self.web}/{self.full_name}"

    def repo_payload(self) -> dict[str, Any]:
        """``GET /repos/{owner}/{repo}``."""
        return {
            "id": self.id,
            "node_id": f"R_kgDO{self.id}",
            "name": self.name,
            "full_name": self.full_name,
            "private": self.private,
            "visibility": "private" if self.private else "public",
            "owner": user_payload(self.owner, self.web),
            "html_url": self.html_url,
            "url": self.api_url,
            "issue_events_url": f"{self.api_url}/issues/events{{/number}}",
            "has_issues": True,
            "default_branch": "main",
        }

    def issue_payload(self, issue: FakeIssue) -> dict[str, Any]:
        """An issue as the issues listing shows it."""
        url = f"{self.api_url}/issues/{issue.number}"
        kind = "pull" if issue.is_pr else "issues"
        body: dict[str, Any] = {
            "url": url,
            "repository_url": self.api_url,
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{self.html_url}/{kind}/{issue.number}",
            "id": issue.id,
            "node_id": f"I_kwDO{issue.id}",
            "number": issue.number,
            "title": issue.title,
            "user": user_payload(issue.user, self.web),
            "labels": [
                {
                    "id": 5000 + sum(map(ord, name)),
                    "url": f"{self.api_url}/labels/{name}",
                    "name": name,
                    "color": "ededed",
                    "default": False,
                    "description": None,
                }
                for name in issue.labels
            ],
            "state": issue.state,
            "locked": False,
            "assignee": user_payload(issue.assignees[0], self.web) if issue.assignees else None,
            "assignees": [user_payload(a, self.web) for a in issue.assignees],
            "milestone": None
            if issue.milestone_due is None
            else {
                "number": 1,
                "title": f"due {issue.milestone_due:%Y-%m-%d}",
                "state": "open",
                "due_on": iso(issue.milestone_due),
            },
            "comments": issue.comments,
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at),
            "author_association": "MEMBER",
            "active_lock_reason": None,
            "body": issue.body,
            "closed_by": user_payload(issue.closed_by, self.web),
            "reactions": _reactions(f"{url}/reactions", issue.reactions),
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "state_reason": "completed" if issue.state == "closed" else None,
        }
        if issue.is_pr:
            pulls = f"{self.api_url}/pulls/{issue.number}"
            body["draft"] = False
            body["pull_request"] = {
                "url": pulls,
                "html_url": f"{self.html_url}/pull/{issue.number}",
                "diff_url": f"{self.html_url}/pull/{issue.number}.diff",
                "patch_url": f"{self.html_url}/pull/{issue.number}.patch",
                "merged_at": iso(issue.merged_at),
            }
        return body

    def comment_payload(self, c: FakeComment) -> dict[str, Any]:
        """A comment as ``/issues/comments`` shows it."""
        issue = self.issues[c.issue_number]
        kind = "pull" if issue.is_pr else "issues"
        url = f"{self.api_url}/issues/comments/{c.id}"
        return {
            "url": url,
            "html_url": f"{self.html_url}/{kind}/{c.issue_number}#issuecomment-{c.id}",
            "issue_url": f"{self.api_url}/issues/{c.issue_number}",
            "id": c.id,
            "node_id": f"IC_kwDO{c.id}",
            "user": user_payload(c.user, self.web),
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "author_association": "CONTRIBUTOR",
            "body": c.body,
            "reactions": _reactions(f"{url}/reactions", c.reactions),
            "performed_via_github_app": None,
        }

    def review_comment_payload(self, c: FakeReviewComment) -> dict[str, Any]:
        """A review comment as ``/pulls/comments`` shows it."""
        url = f"{self.api_url}/pulls/comments/{c.id}"
        body: dict[str, Any] = {
            "url": url,
            "pull_request_review_id": c.review_id,
            "id": c.id,
            "node_id": f"PRRC_kwDO{c.id}",
            "diff_hunk": "@@ -1,3 +1,4 @@",
            "path": "README.md",
            "commit_id": f"{c.pr_number:040x}",
            "original_commit_id": f"{c.pr_number:040x}",
            "user": user_payload(c.user, self.web),
            "body": c.body,
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "html_url": f"{self.html_url}/pull/{c.pr_number}#discussion_r{c.id}",
            "pull_request_url": f"{self.api_url}/pulls/{c.pr_number}",
            "author_association": "MEMBER",
            "reactions": _reactions(f"{url}/reactions", c.reactions),
            "line": 2,
            "side": "RIGHT",
        }
        if c.in_reply_to is not None:
            body["in_reply_to_id"] = c.in_reply_to
        return body

    def review_payload(self, r: FakeReview) -> dict[str, Any]:
        """A review as ``/pulls/{n}/reviews`` shows it."""
        body: dict[str, Any] = {
            "id": r.id,
            "node_id": f"PRR_kwDO{r.id}",
            "user": user_payload(r.user, self.web),
            "body": r.body,
            "state": r.state,
            "html_url": f"{self.html_url}/pull/{r.pr_number}#pullrequestreview-{r.id}",
            "pull_request_url": f"{self.api_url}/pulls/{r.pr_number}",
            "author_association": "MEMBER",
            "commit_id": f"{r.pr_number:040x}",
        }
        if r.submitted_at is not None:
            body["submitted_at"] = iso(r.submitted_at)
        return body

    def event_payload(self, e: FakeEvent) -> dict[str, Any]:
        """An event as ``/issues/events`` shows it, with its issue embedded."""
        body: dict[str, Any] = {
            "id": e.id,
            "node_id": f"E_{e.id}",
            "url": f"{self.api_url}/issues/events/{e.id}",
            "actor": user_payload(e.actor, self.web),
            "event": e.event,
            "commit_id": e.commit_id,
            "commit_url": None
            if e.commit_id is None
            else f"{self.api}/repos/{e.commit_repo or self.full_name}/commits/{e.commit_id}",
            "created_at": iso(e.created_at),
            "performed_via_github_app": None,
            "issue": self.issue_payload(self.issues[e.issue_number]),
        }
        if e.event in ("assigned", "unassigned"):
            body["assignee"] = user_payload(e.assignee, self.web)
            body["assigner"] = user_payload(e.actor, self.web)
        if e.event in ("review_requested", "review_request_removed"):
            body["review_requester"] = user_payload(e.review_requester, self.web)
            body["requested_reviewer"] = user_payload(e.requested_reviewer, self.web)
        if e.event in ("labeled", "unlabeled"):
            body["label"] = {"name": e.label, "color": "ededed"}
        return body
