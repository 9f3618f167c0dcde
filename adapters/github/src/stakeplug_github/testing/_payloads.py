"""How the fake GitHub's records render as REST payloads.

The shapes follow GitHub's REST API v3 as recorded in octokit's fixtures and
described in GitHub's REST reference: user objects, issues with a
``pull_request`` key for pull requests, ``reactions`` rollups on issues and
comments, repository issue events that embed their issue, and the pull request
object of ``GET /pulls/{n}`` (base, head, ``merged_by``, counts).
"""

from __future__ import annotations

from typing import Any

from stakeplug_github.testing._state import (
    GHOST,
    FakeComment,
    FakeEvent,
    FakeIssue,
    FakeRepo,
    FakeReview,
    FakeReviewComment,
    iso,
)

__all__ = [
    "comment_payload",
    "event_payload",
    "issue_payload",
    "pull_payload",
    "repo_payload",
    "review_comment_payload",
    "review_payload",
    "user_payload",
]


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


def repo_payload(repo: FakeRepo) -> dict[str, Any]:
    """``GET /repos/{owner}/{repo}``."""
    return {
        "id": repo.id,
        "node_id": f"R_kgDO{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "owner": user_payload(repo.owner, repo.web),
        "html_url": repo.html_url,
        "url": repo.api_url,
        "issue_events_url": f"{repo.api_url}/issues/events{{/number}}",
        "has_issues": True,
        "default_branch": "main",
    }


def issue_payload(repo: FakeRepo, issue: FakeIssue) -> dict[str, Any]:
    """An issue as the issues listing shows it."""
    url = f"{repo.api_url}/issues/{issue.number}"
    kind = "pull" if issue.is_pr else "issues"
    body: dict[str, Any] = {
        "url": url,
        "repository_url": repo.api_url,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{repo.html_url}/{kind}/{issue.number}",
        "id": issue.id,
        "node_id": f"I_kwDO{issue.id}",
        "number": issue.number,
        "title": issue.title,
        "user": user_payload(issue.user, repo.web),
        "labels": [
            {
                "id": 5000 + sum(map(ord, name)),
                "url": f"{repo.api_url}/labels/{name}",
                "name": name,
                "color": "ededed",
                "default": False,
                "description": None,
            }
            for name in issue.labels
        ],
        "state": issue.state,
        "locked": False,
        "assignee": user_payload(issue.assignees[0], repo.web) if issue.assignees else None,
        "assignees": [user_payload(a, repo.web) for a in issue.assignees],
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
        "closed_by": user_payload(issue.closed_by, repo.web),
        "reactions": _reactions(f"{url}/reactions", issue.reactions),
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
        "state_reason": issue.state_reason if issue.state == "closed" else None,
    }
    if issue.is_pr:
        pulls = f"{repo.api_url}/pulls/{issue.number}"
        body["draft"] = False
        body["pull_request"] = {
            "url": pulls,
            "html_url": f"{repo.html_url}/pull/{issue.number}",
            "diff_url": f"{repo.html_url}/pull/{issue.number}.diff",
            "patch_url": f"{repo.html_url}/pull/{issue.number}.patch",
            "merged_at": iso(issue.merged_at),
        }
    return body


def comment_payload(repo: FakeRepo, c: FakeComment) -> dict[str, Any]:
    """A comment as ``/issues/comments`` shows it."""
    issue = repo.issues[c.issue_number]
    kind = "pull" if issue.is_pr else "issues"
    url = f"{repo.api_url}/issues/comments/{c.id}"
    return {
        "url": url,
        "html_url": f"{repo.html_url}/{kind}/{c.issue_number}#issuecomment-{c.id}",
        "issue_url": f"{repo.api_url}/issues/{c.issue_number}",
        "id": c.id,
        "node_id": f"IC_kwDO{c.id}",
        "user": user_payload(c.user, repo.web),
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "author_association": "CONTRIBUTOR",
        "body": c.body,
        "reactions": _reactions(f"{url}/reactions", c.reactions),
        "performed_via_github_app": None,
    }


def review_comment_payload(repo: FakeRepo, c: FakeReviewComment) -> dict[str, Any]:
    """A review comment as ``/pulls/comments`` shows it."""
    url = f"{repo.api_url}/pulls/comments/{c.id}"
    body: dict[str, Any] = {
        "url": url,
        "pull_request_review_id": c.review_id,
        "id": c.id,
        "node_id": f"PRRC_kwDO{c.id}",
        "diff_hunk": "@@ -1,3 +1,4 @@",
        "path": "README.md",
        "commit_id": f"{c.pr_number:040x}",
        "original_commit_id": f"{c.pr_number:040x}",
        "user": user_payload(c.user, repo.web),
        "body": c.body,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "html_url": f"{repo.html_url}/pull/{c.pr_number}#discussion_r{c.id}",
        "pull_request_url": f"{repo.api_url}/pulls/{c.pr_number}",
        "author_association": "MEMBER",
        "_links": {
            "self": {"href": url},
            "html": {"href": f"{repo.html_url}/pull/{c.pr_number}#discussion_r{c.id}"},
            "pull_request": {"href": f"{repo.api_url}/pulls/{c.pr_number}"},
        },
        "reactions": _reactions(f"{url}/reactions", c.reactions),
        "line": 2,
        "side": "RIGHT",
    }
    if c.in_reply_to is not None:
        body["in_reply_to_id"] = c.in_reply_to
    return body


def review_payload(repo: FakeRepo, r: FakeReview) -> dict[str, Any]:
    """A review as ``/pulls/{n}/reviews`` shows it."""
    body: dict[str, Any] = {
        "id": r.id,
        "node_id": f"PRR_kwDO{r.id}",
        "user": user_payload(r.user, repo.web),
        "body": r.body,
        "state": r.state,
        "html_url": f"{repo.html_url}/pull/{r.pr_number}#pullrequestreview-{r.id}",
        "pull_request_url": f"{repo.api_url}/pulls/{r.pr_number}",
        "author_association": "MEMBER",
        "commit_id": f"{r.pr_number:040x}",
    }
    if r.submitted_at is not None:
        body["submitted_at"] = iso(r.submitted_at)
    return body


def event_payload(repo: FakeRepo, e: FakeEvent) -> dict[str, Any]:
    """An event as ``/issues/events`` shows it, with its issue embedded."""
    body: dict[str, Any] = {
        "id": e.id,
        "node_id": f"E_{e.id}",
        "url": f"{repo.api_url}/issues/events/{e.id}",
        "actor": user_payload(e.actor, repo.web),
        "event": e.event,
        "commit_id": e.commit_id,
        "commit_url": None
        if e.commit_id is None
        else f"{repo.api}/repos/{e.commit_repo or repo.full_name}/commits/{e.commit_id}",
        "created_at": iso(e.created_at),
        "performed_via_github_app": None,
        "issue": issue_payload(repo, repo.issues[e.issue_number]),
    }
    if e.event in ("assigned", "unassigned"):
        body["assignee"] = user_payload(e.assignee, repo.web)
        body["assigner"] = user_payload(e.actor, repo.web)
    if e.event in ("review_requested", "review_request_removed"):
        body["review_requester"] = user_payload(e.review_requester, repo.web)
        body["requested_reviewer"] = user_payload(e.requested_reviewer, repo.web)
    if e.event in ("labeled", "unlabeled"):
        body["label"] = {"name": e.label, "color": "ededed"}
    if e.event == "closed":
        body["state_reason"] = e.state_reason
    return body


def _branch(repo: FakeRepo, ref: str, sha: str) -> dict[str, Any]:
    owner = user_payload(repo.owner, repo.web)
    return {
        "label": f"{repo.owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": owner,
        "repo": repo_payload(repo),
    }


def pull_payload(repo: FakeRepo, issue: FakeIssue) -> dict[str, Any]:
    """A pull request as ``GET /repos/{o}/{r}/pulls/{n}`` shows it: branches, merge state and counts."""
    url = f"{repo.api_url}/pulls/{issue.number}"
    html = f"{repo.html_url}/pull/{issue.number}"
    shown = issue_payload(repo, issue)
    requested: dict[str, None] = {}
    for e in sorted((e for e in repo.events if e.issue_number == issue.number), key=lambda e: e.created_at):
        if e.event == "review_requested" and e.requested_reviewer:
            requested[e.requested_reviewer] = None
        elif e.event == "review_request_removed" and e.requested_reviewer:
            requested.pop(e.requested_reviewer, None)
    merged = issue.merged_at is not None
    return {
        "url": url,
        "id": issue.id,
        "node_id": f"PR_kwDO{issue.id}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{repo.api_url}/issues/{issue.number}",
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "comments_url": f"{repo.api_url}/issues/{issue.number}/comments",
        "number": issue.number,
        "state": issue.state,
        "locked": False,
        "title": issue.title,
        "user": shown["user"],
        "body": issue.body,
        "labels": shown["labels"],
        "milestone": shown["milestone"],
        "active_lock_reason": None,
        "created_at": shown["created_at"],
        "updated_at": shown["updated_at"],
        "closed_at": shown["closed_at"],
        "merged_at": iso(issue.merged_at),
        "merge_commit_sha": f"{issue.id:040x}" if merged else None,
        "assignee": shown["assignee"],
        "assignees": shown["assignees"],
        "requested_reviewers": [user_payload(login, repo.web) for login in requested],
        "requested_teams": [],
        "head": _branch(repo, f"change-{issue.number}", f"{issue.number:040x}"),
        "base": _branch(repo, "main", f"{issue.id + 1:040x}"),
        "_links": {
            "self": {"href": url},
            "html": {"href": html},
            "issue": {"href": f"{repo.api_url}/issues/{issue.number}"},
            "comments": {"href": f"{repo.api_url}/issues/{issue.number}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "commits": {"href": f"{url}/commits"},
        },
        "author_association": "MEMBER",
        "auto_merge": None,
        "draft": False,
        "merged": merged,
        "mergeable": None if merged or issue.state == "closed" else True,
        "rebaseable": None if merged or issue.state == "closed" else True,
        "mergeable_state": "unknown" if merged or issue.state == "closed" else "clean",
        "merged_by": user_payload(issue.closed_by, repo.web) if merged else None,
        "comments": issue.comments,
        "review_comments": sum(1 for c in repo.review_comments if c.pr_number == issue.number),
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": 10 + issue.number % 90,
        "deletions": issue.number % 30,
        "changed_files": 1 + issue.number % 7,
    }
