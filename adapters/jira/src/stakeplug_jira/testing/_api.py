"""The fake Jira's endpoints: search (enhanced on Cloud, paged by ``startAt`` on Server), issues, writes.

Each method takes the API version (``"2"`` or ``"3"``) and the parsed query or
body and returns the JSON payload; a refusal raises :class:`ApiError`, which
answers with Jira's ``errorMessages``/``errors`` body.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from stakeplug.testing import Reply, ReplyNow
from stakeplug_jira.testing._jql import JqlError, parse_jql
from stakeplug_jira.testing._payloads import JiraShapes, adf_text
from stakeplug_jira.testing._site import FakeSite
from stakeplug_jira.testing._state import ISSUE_TYPES, FakeIssue

__all__ = ["MAX_RECONCILE", "ApiError", "JiraApi", "body_params"]

MAX_RECONCILE = 50
"""Issue ids one search may reconcile (Jira Cloud's limit)."""


class ApiError(ReplyNow):
    """Answers at once with Jira's error body: ``errorMessages`` and ``errors`` by field."""

    def __init__(self, status: int, messages: Iterable[str] = (), errors: Mapping[str, str] | None = None):
        super().__init__(Reply(status, {"errorMessages": list(messages), "errors": dict(errors or {})}))


class JiraApi:
    """The endpoints of one :class:`~stakeplug_jira.testing.FakeJira`, over its state and shapes."""

    def __init__(self, fake: FakeSite, shapes: JiraShapes):
        self.fake = fake
        self.shapes = shapes

    def search(self, v: str, params: Mapping[str, list[str]], *, cloud: bool) -> dict[str, Any]:
        jql = _one(params, "jql") or ""
        try:
            query = parse_jql(jql, now=self.fake.clock())
        except JqlError as exc:
            raise ApiError(400, [str(exc)]) from None
        for key in query.projects():
            if key not in self.fake.state.projects:
                raise ApiError(400, [f"The value '{key}' does not exist for the field 'project'."])
        wanted = _fields_param(params)
        expand = {e.strip() for e in ",".join(params.get("expand", [])).split(",") if e.strip()}
        max_results = _int(params, "maxResults", 50)
        max_results = max(0, min(max_results, self.fake.page_cap))
        reconcile = _reconcile(params) if cloud else set()
        with self.fake.state.lock:
            found = [
                i
                for i in self.fake.state.issues.values()
                if (i.unindexed <= 0 or i.id in reconcile)
                and query.matches(functools.partial(_get, i, shapes=self.shapes))
            ]
            if cloud:
                for i in self.fake.state.issues.values():
                    i.unindexed -= i.unindexed > 0
            order = query.order or (("key", False),)
            for field, desc in reversed(order):
                found.sort(key=functools.partial(_sort_key, field=field), reverse=desc)
            if cloud:
                token = _one(params, "nextPageToken")
                start = _decode_token(token, jql) if token else 0
            else:
                start = _int(params, "startAt", 0)
            page = found[start : start + max_results]
            issues = [self.shapes.issue(i, wanted, expand, v) for i in page]
        if cloud:
            out: dict[str, Any] = {"issues": issues}
            end = start + len(page)
            if end < len(found) and max_results > 0:
                out["nextPageToken"] = _encode_token(end, jql)
                out["isLast"] = False
            else:
                out["isLast"] = True
            return out
        return {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": max_results,
            "total": len(found),
            "issues": issues,
        }

    def issue_get(self, v: str, key: str, sub: str | None, params: Mapping[str, list[str]]) -> Any:
        with self.fake.state.lock:
            issue = self.fake.state.issues.get(key) or next(
                (i for i in self.fake.state.issues.values() if str(i.id) == key), None
            )
            if issue is None:
                raise ApiError(404, ["Issue does not exist or you do not have permission to see it."])
            start = _int(params, "startAt", 0)
            size = max(
                0, min(_int(params, "maxResults", 100 if sub == "changelog" else 5000), self.fake.page_cap)
            )
            if sub == "comment":
                chosen = issue.comments[start : start + size]
                return {
                    "comments": [self.shapes.comment(c, v, issue) for c in chosen],
                    "maxResults": size,
                    "startAt": start,
                    "total": len(issue.comments),
                }
            if sub == "changelog":
                if self.fake.mode == "server":
                    raise ApiError(404, [])
                hist = issue.histories[start : start + size]
                total = len(issue.histories)
                last = start + len(hist) >= total
                base = f"{self.fake.url}/rest/api/{v}/issue/{issue.key}/changelog"
                out: dict[str, Any] = {
                    "self": f"{base}?startAt={start}&maxResults={size}",
                    "maxResults": size,
                    "startAt": start,
                    "total": total,
                    "isLast": last,
                    "values": [self.shapes.history(h, v) for h in hist],
                }
                if not last:
                    out["nextPage"] = f"{base}?startAt={start + size}&maxResults={size}"
                return out
            wanted = _fields_param(params)
            expand = {e.strip() for e in ",".join(params.get("expand", [])).split(",") if e.strip()}
            return self.shapes.issue(issue, wanted, expand, v, full_changelog=True)

    def create(self, v: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
            raise ApiError(400, ["Can not deserialize the request: a 'fields' object is required."])
        raw: dict[str, Any] = body["fields"]
        errors: dict[str, str] = {}
        fields: dict[str, Any] = {}
        allowed = {
            "project",
            "issuetype",
            "summary",
            "description",
            "labels",
            "duedate",
            "assignee",
            "reporter",
        }
        for name in raw:
            if name not in allowed:
                errors[name] = (
                    f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
                )
        project = raw.get("project")
        pkey = None
        if isinstance(project, dict):
            if "key" in project:
                pkey = project["key"]
            elif "id" in project:
                keys = list(self.fake.state.projects)
                idx = int(project["id"]) - 10000 if str(project["id"]).isdigit() else -1
                pkey = keys[idx] if 0 <= idx < len(keys) else None
        if pkey not in self.fake.state.projects:
            errors["project"] = "valid project is required"
        else:
            fields["project"] = pkey
        itype = raw.get("issuetype")
        tname = None
        if isinstance(itype, dict):
            tname = itype.get("name") or next(
                (n for n, i in ISSUE_TYPES.items() if i == str(itype.get("id"))), None
            )
        if tname not in ISSUE_TYPES:
            errors["issuetype"] = "Specify a valid issue type"
        else:
            fields["issuetype"] = tname
        summary = raw.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255:
            errors["summary"] = "Summary must be less than 255 characters."
        else:
            fields["summary"] = summary
        desc = raw.get("description")
        if desc is not None:
            if v == "3" and not (isinstance(desc, dict) and desc.get("type") == "doc"):
                errors["description"] = (
                    "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
                )
            elif v != "3" and not isinstance(desc, str):
                errors["description"] = "Operation value must be a string"
            else:
                fields["description"] = adf_text(desc).rstrip("\n") if v == "3" else desc
        labels = raw.get("labels", [])
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            errors["labels"] = "Labels must be a list of strings"
        elif any(re.search(r"\s", x) or len(x) > 255 or not x for x in labels):
            errors["labels"] = "The label can't contain spaces."
        else:
            fields["labels"] = labels
        due = raw.get("duedate")
        if due is not None:
            try:
                fields["duedate"] = date.fromisoformat(str(due))
            except ValueError:
                errors["duedate"] = "Error parsing date string: " + str(due)
        assignee = raw.get("assignee")
        if assignee is not None:
            account = None
            if isinstance(assignee, dict):
                if self.fake.mode == "cloud":
                    ref = assignee.get("accountId") or assignee.get("id")
                    account = ref if ref in self.fake.state.users else None
                else:
                    user = self.fake.state.user_by_name(str(assignee.get("name")))
                    account = user.account_id if user else None
            if account is None:
                errors["assignee"] = f"User '{assignee}' does not exist."
            else:
                fields["assignee"] = account
        if errors:
            raise ApiError(400, [], errors)
        issue = self.fake.state.create_from_api(
            fields,
            self.fake.BOT,
            self.fake.clock(),
            unindexed=self.fake.search_lag if self.fake.mode == "cloud" else 0,
        )
        return {
            "id": str(issue.id),
            "key": issue.key,
            "self": f"{self.fake.url}/rest/api/{v}/issue/{issue.id}",
        }

    def add_comment(self, v: str, key: str, body: Any) -> dict[str, Any]:
        text = body.get("body") if isinstance(body, dict) else None
        if v == "3" and isinstance(text, dict) and text.get("type") == "doc":
            text = adf_text(text).rstrip("\n")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, [], {"comment": "Comment body can not be empty!"})
        issue = self.fake.state.issues.get(key)
        if issue is None:
            raise ApiError(404, ["Issue does not exist or you do not have permission to see it."])
        comment = self.fake.state.comment(key, self.fake.BOT, text, at=self.fake.clock())
        return self.shapes.comment(comment, v, issue)


def body_params(body: Any) -> dict[str, list[str]]:
    """A POST search body as the query parameters of the GET form."""
    if not isinstance(body, dict):
        raise ApiError(400, ["The search request body must be a JSON object."])
    params: dict[str, list[str]] = {}
    for name in ("jql", "nextPageToken", "maxResults", "startAt"):
        if body.get(name) is not None:
            params[name] = [str(body[name])]
    ids = body.get("reconcileIssues")
    if isinstance(ids, list):
        params["reconcileIssues"] = [str(x) for x in ids]
    for name in ("fields", "expand"):
        value = body.get(name)
        if isinstance(value, list):
            params[name] = [",".join(str(x) for x in value)]
        elif isinstance(value, str):
            params[name] = [value]
    return params


def _one(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _int(params: Mapping[str, list[str]], name: str, default: int) -> int:
    value = _one(params, name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, [f"The value '{value}' is not valid for the parameter '{name}'."]) from None


def _reconcile(params: Mapping[str, list[str]]) -> set[int]:
    """The issue ids of ``reconcileIssues`` (repeated or comma-separated), at most 50 as on Jira Cloud."""
    raw = [x.strip() for value in params.get("reconcileIssues", []) for x in value.split(",") if x.strip()]
    if len(raw) > MAX_RECONCILE:
        raise ApiError(400, [f"reconcileIssues accepts at most {MAX_RECONCILE} issue ids, got {len(raw)}."])
    try:
        return {int(x) for x in raw}
    except ValueError:
        raise ApiError(400, ["reconcileIssues takes numeric issue ids."]) from None


def _fields_param(params: Mapping[str, list[str]]) -> set[str]:
    values = params.get("fields")
    if not values:
        return {"*navigable"}
    return {f.strip() for f in ",".join(values).split(",") if f.strip()}


def _encode_token(offset: int, jql: str) -> str:
    raw = json.dumps({"o": offset, "q": abs(hash(jql)) % 1_000_000_007}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, jql: str) -> int:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if raw["q"] != abs(hash(jql)) % 1_000_000_007:
            raise ValueError("the token belongs to another query")
        return int(raw["o"])
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, ["The provided next page token is invalid or expired."]) from None


def _get(issue: FakeIssue, field: str, *, shapes: JiraShapes) -> Any:
    if field == "project":
        return issue.project
    if field == "key":
        return issue.key
    if field == "labels":
        return issue.labels
    if field == "updated":
        return issue.updated
    if field == "created":
        return issue.created
    if field == "status":
        return issue.status
    if field in ("assignee", "reporter"):
        return shapes.ref(getattr(issue, field))
    return None


def _sort_key(issue: FakeIssue, *, field: str) -> Any:
    if field == "key":
        return (issue.project, int(issue.key.rsplit("-", 1)[1]))
    return getattr(issue, field)
