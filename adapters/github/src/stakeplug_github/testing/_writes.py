"""The fake GitHub's writes: issues created, closed and reopened, comments added, labels created.

``POST /repos/{owner}/{repo}/issues`` creates an issue (422 without a title or
with an assignee who is not a collaborator; labels that do not exist are
dropped when the token may not create labels, as on GitHub), ``PATCH
…/issues/{number}`` closes or reopens it with its ``state_reason``, ``POST
…/issues/{number}/comments`` comments, and ``POST …/labels`` creates a label
(403 when the token may not, 422 when it exists already).  Every write needs a
token (401 without) and a JSON object body (400 otherwise).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import stakeplug_github.testing._payloads as payloads
from stakeplug.testing import Reply, ReplyNow, Request
from stakeplug_github.testing._state import FakeRepo, iso

__all__ = ["GitHubWrites"]

DOCS = "https://docs.github.com/rest"
_LABEL_DOC = f"{DOCS}/issues/labels#create-a-label"
_NO_PUSH = "Resource not accessible by personal access token"


class _Fake(Protocol):
    """What the writes need of the fake GitHub, without importing the server that builds them."""

    login: str
    lock: threading.RLock
    created_issues: list[dict[str, Any]]

    @property
    def clock(self) -> Callable[[], float]: ...

    def visible_repo(self, request: Request) -> FakeRepo: ...

    def token_of(self, request: Request) -> str | None: ...

    def numbered(self, repo: FakeRepo, request: Request, *, pull: bool = False) -> int: ...

    def error(self, status: int, message: str | None = None) -> Reply: ...


class GitHubWrites:
    """The write endpoints of one :class:`~stakeplug_github.testing.FakeGitHub`."""

    def __init__(self, fake: _Fake):
        self.fake = fake

    def create_issue(self, request: Request) -> Reply:
        repo = self.fake.visible_repo(request)
        if self.fake.token_of(request) is None:
            raise ReplyNow(self.fake.error(401, "Requires authentication"))
        try:
            data = request.json() or {}
        except ValueError:
            raise ReplyNow(Reply(400, {"message": "Problems parsing JSON"})) from None
        doc = f"{DOCS}/issues/issues#create-an-issue"
        title = data.get("title") if isinstance(data, dict) else None
        if not isinstance(title, str) or not title.strip():
            errors = [{"resource": "Issue", "code": "missing_field", "field": "title"}]
            raise ReplyNow(
                Reply(422, {"message": "Validation Failed", "errors": errors, "documentation_url": doc})
            )
        labels = [x["name"] if isinstance(x, dict) else str(x) for x in data.get("labels") or []]
        if not repo.token_can_create_labels:
            labels = [x for x in labels if x in repo.labels]
        assignees = [str(a) for a in data.get("assignees") or []]
        if data.get("assignee"):
            assignees.append(str(data["assignee"]))
        bad = [a for a in assignees if repo.collaborators and a not in repo.collaborators]
        if bad:
            errors = [{"value": a, "resource": "Issue", "field": "assignees", "code": "invalid"} for a in bad]
            raise ReplyNow(
                Reply(422, {"message": "Validation Failed", "errors": errors, "documentation_url": doc})
            )
        with self.fake.lock:
            now = datetime.fromtimestamp(self.fake.clock(), UTC).replace(microsecond=0)
            issue = repo.open_issue(self.fake.login, title, now, body=data.get("body"), labels=labels)
            issue.assignees = list(dict.fromkeys(assignees))
            self.fake.created_issues.append(
                {
                    "repo": repo.full_name,
                    "number": issue.number,
                    "title": title,
                    "labels": labels,
                    "assignees": issue.assignees,
                    "body": issue.body,
                    "created_at": iso(now),
                }
            )
            payload = payloads.issue_payload(repo, issue)
        return Reply(201, payload, {"location": payload["url"]})

    def _writer(self, request: Request) -> tuple[FakeRepo, str, Any]:
        """The repository, token and JSON body of a write; 401 without a token, 400 on bad JSON."""
        repo = self.fake.visible_repo(request)
        token = self.fake.token_of(request)
        if token is None:
            raise ReplyNow(self.fake.error(401, "Requires authentication"))
        try:
            data = request.json() or {}
        except ValueError:
            raise ReplyNow(Reply(400, {"message": "Problems parsing JSON"})) from None
        if not isinstance(data, dict):
            raise ReplyNow(Reply(400, {"message": "Problems parsing JSON"}))
        return repo, token, data

    def create_label(self, request: Request) -> Reply:
        repo, _, data = self._writer(request)
        name = data.get("name")
        if not repo.token_can_create_labels:
            raise ReplyNow(Reply(403, {"message": _NO_PUSH, "documentation_url": _LABEL_DOC}))
        if not isinstance(name, str) or not name.strip():
            errors = [{"resource": "Label", "code": "missing_field", "field": "name"}]
            raise ReplyNow(Reply(422, {"message": "Validation Failed", "errors": errors}))
        with self.fake.lock:
            if name in repo.labels:
                errors = [{"resource": "Label", "code": "already_exists", "field": "name"}]
                return Reply(
                    422, {"message": "Validation Failed", "errors": errors, "documentation_url": _LABEL_DOC}
                )
            repo.labels.add(name)
        body = {
            "name": name,
            "color": str(data.get("color") or "ededed"),
            "url": f"{repo.api_url}/labels/{name}",
        }
        return Reply(201, body)

    def update_issue(self, request: Request) -> Reply:
        repo, _, data = self._writer(request)
        with self.fake.lock:
            number = self.fake.numbered(repo, request)
            now = datetime.fromtimestamp(self.fake.clock(), UTC).replace(microsecond=0)
            if data.get("state") == "closed" and repo.issues[number].state != "closed":
                repo.close(number, self.fake.login, now, reason=str(data.get("state_reason") or "completed"))
            elif data.get("state") == "open" and repo.issues[number].state != "open":
                repo.reopen(number, self.fake.login, now)
            return Reply(200, payloads.issue_payload(repo, repo.issues[number]))

    def add_comment(self, request: Request) -> Reply:
        repo, _, data = self._writer(request)
        text = data.get("body")
        if not isinstance(text, str) or not text.strip():
            errors = [{"resource": "IssueComment", "code": "missing_field", "field": "body"}]
            raise ReplyNow(Reply(422, {"message": "Validation Failed", "errors": errors}))
        with self.fake.lock:
            number = self.fake.numbered(repo, request)
            now = datetime.fromtimestamp(self.fake.clock(), UTC).replace(microsecond=0)
            comment = repo.comment(number, self.fake.login, text, now)
            return Reply(201, payloads.comment_payload(repo, comment))
