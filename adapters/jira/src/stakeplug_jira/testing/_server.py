"""A loopback HTTP server that answers like Jira Cloud or Jira Server/Data Center.

Payload shapes follow the examples in Atlassian's Jira Cloud OpenAPI
description, with the corrections Jira itself makes to them: the inline
``comment`` field is a page (``comments``, ``maxResults``, ``total``,
``startAt``) capped at :attr:`FakeJira.inline_comments`, the inline changelog
is capped at :attr:`FakeJira.inline_histories`, ``serverInfo`` carries
``deploymentType``, and the Cloud instance answers the legacy ``/search`` with
``410 Gone``.

Requests are counted by path (``GET /_fake/stats``), so tests can assert how
many requests a client made, and faults can be queued: an HTTP status with an
optional ``Retry-After``, a reset connection, or a delay that outlasts a
client's read timeout.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import socket
import struct
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs

from stakeplug.http import RequestCounter
from stakeplug.testing import FaultQueue, LoopbackServer
from stakeplug_jira.testing._jql import JqlError, parse_jql
from stakeplug_jira.testing._state import (
    CATEGORIES,
    DELETE,
    ISSUE_TYPES,
    LINK_TYPES,
    MENTION,
    STATUSES,
    FakeComment,
    FakeHistory,
    FakeIssue,
    FakeUser,
    State,
)

__all__ = ["DELETE", "FakeJira", "Fault"]

_REST = re.compile(r"^/rest/api/(?P<v>2|3|latest)/(?P<rest>.*)$")
_ISSUE_PATH = re.compile(r"^issue/(?P<key>[^/]+)(?:/(?P<sub>comment|changelog))?$")
_ALL_FIELDS = (
    "summary",
    "status",
    "assignee",
    "reporter",
    "creator",
    "duedate",
    "resolutiondate",
    "resolution",
    "labels",
    "issuelinks",
    "comment",
    "created",
    "updated",
    "project",
    "issuetype",
    "description",
)


@attrs.define
class Fault:
    """A queued fault: the next ``times`` requests whose path contains ``path`` get it.

    ``kind`` is ``status`` (answer ``status`` with ``retry_after`` as the
    ``Retry-After`` header when given), ``reset`` (drop the connection without
    an answer) or ``delay`` (wait ``seconds`` before answering normally).
    """

    kind: str
    path: str | None = None
    method: str | None = None
    times: int = 1
    status: int = 503
    retry_after: str | None = None
    seconds: float = 0.0


def _ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def _adf(text: str, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Wiki text with ``[~accountid:x]`` mentions as an Atlassian Document Format doc."""
    paragraphs = []
    for line in text.split("\n") or [""]:
        content: list[dict[str, Any]] = []
        pos = 0
        for m in MENTION.finditer(line):
            if m.start() > pos:
                content.append({"type": "text", "text": line[pos : m.start()]})
            content.append(
                {
                    "type": "mention",
                    "attrs": {
                        "id": m.group(1),
                        "text": "@" + (names or {}).get(m.group(1), m.group(1)),
                        "accessLevel": "",
                    },
                }
            )
            pos = m.end()
        if pos < len(line):
            content.append({"type": "text", "text": line[pos:]})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def _adf_text(doc: Any) -> str:
    """The plain text of an ADF document, mentions written as wiki mentions."""
    if isinstance(doc, dict):
        if doc.get("type") == "text":
            return str(doc.get("text", ""))
        if doc.get("type") == "mention":
            return f"[~accountid:{doc.get('attrs', {}).get('id', '')}]"
        inner = "".join(_adf_text(c) for c in doc.get("content", []))
        return inner + ("\n" if doc.get("type") == "paragraph" else "")
    if isinstance(doc, list):
        return "".join(_adf_text(c) for c in doc)
    return ""


class _ApiError(Exception):
    def __init__(self, status: int, messages: Iterable[str] = (), errors: Mapping[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = {"errorMessages": list(messages), "errors": dict(errors or {})}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, resets) are expected; stay quiet about them."""


class FakeJira(LoopbackServer):
    """A fake Jira on a loopback port, with in-memory state.

    ``mode`` is ``"cloud"`` (enhanced search with page tokens, legacy search
    answers 410, users by ``accountId``, API v2 and v3) or ``"server"``
    (``/rest/api/2/search`` with ``startAt``/``total``, users by name, API v2
    only).  Cloud clients authenticate with ``email`` and ``token`` (basic),
    Server clients with ``token`` as a bearer personal access token; pass
    ``token=None`` to accept anyone.  ``announce_deployment=False`` leaves
    ``deploymentType`` out of ``serverInfo`` (as in Atlassian's published
    example); a Cloud client then meets the legacy search's ``410 Gone``.

    Build the world with :meth:`add_user`, :meth:`add_issue`, :meth:`comment`,
    :meth:`assign`, :meth:`transition`, :meth:`link` (or
    :func:`~stakeplug_jira.testing.generate_project`), start the server, and
    point a client at :attr:`url`::

        with FakeJira(mode="cloud") as jira:
            jira.add_user("5b10ac8d82e05b22cc7d4ef5", "Maria Jensen")
            ...
            adapter = JiraAdapter(url=jira.url, project="APOLLO", ...)
    """

    BOT = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"
    """The account id of the authenticated automation user."""

    def __init__(
        self,
        *,
        mode: str = "cloud",
        email: str = "stakeplug-bot@example.org",
        token: str | None = "fake-jira-token",  # noqa: S107 - the fake's own made-up token
        inline_comments: int = 20,
        inline_histories: int = 100,
        page_cap: int = 100,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Any = None,
        announce_deployment: bool = True,
    ):
        if mode not in ("cloud", "server"):
            raise ValueError("mode must be 'cloud' or 'server'")
        self.mode = mode
        self.email = email
        self.token = token
        self.inline_comments = inline_comments
        self.inline_histories = inline_histories
        self.page_cap = page_cap
        self.latency = latency
        super().__init__(host, port)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.announce_deployment = announce_deployment
        self.state = State()
        self.state.add_user(self.BOT, "stakeplug bot", name="stakeplug-bot", email=email)
        self._faults: FaultQueue[Fault] = FaultQueue()
        self._requests = RequestCounter()

    # ------------------------------------------------------------------ lifecycle

    server_class = _Server
    thread_name = "fake-jira"

    @property
    def url(self) -> str:
        """The base URL clients use, e.g. ``http://127.0.0.1:49152``."""
        return self.address

    def make_handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"fake": self})

    # ------------------------------------------------------------------ building the world

    def add_user(
        self,
        account_id: str,
        display_name: str | None = None,
        *,
        name: str | None = None,
        email: str | None = None,
        active: bool = True,
    ) -> str:
        """Add a user and return the id clients see: the ``accountId`` (Cloud) or user name (Server)."""
        user = self.state.add_user(account_id, display_name, name=name, email=email, active=active)
        return self.user_ref(user.account_id)

    def user_ref(self, account_id: str) -> str:
        """The id under which clients see ``account_id``: itself on Cloud, the user name on Server."""
        return account_id if self.mode == "cloud" else self.state.users[account_id].name

    def add_project(self, key: str, name: str | None = None) -> None:
        """Add a project (``add_issue`` adds missing projects itself)."""
        self.state.add_project(key, name)

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
    ) -> str:
        """Add an issue and return its key (``APOLLO-1``, ``APOLLO-2``...).

        People are account ids added with :meth:`add_user`; ``reporter``
        defaults to the creator.  An issue added as ``Done`` is resolved at
        ``created`` unless ``resolutiondate`` says otherwise; its changelog
        starts empty, like an imported issue.
        """
        return self.state.add_issue(
            project,
            summary,
            creator=creator,
            created=created,
            reporter=reporter,
            assignee=assignee,
            status=status,
            duedate=duedate,
            labels=labels,
            description=description,
            issuetype=issuetype,
            resolutiondate=resolutiondate,
        ).key

    def comment(self, key: str, author: str | None, body: str, *, at: datetime) -> int:
        """Add a comment; mention people in ``body`` as ``[~accountid:<id>]``."""
        return self.state.comment(key, author, body, at=at).id

    def assign(self, key: str, to: str | None, *, by: str | None, at: datetime) -> None:
        """``by`` assigns the issue to ``to`` (``None`` unassigns); recorded in the changelog."""
        self.state.assign(key, to, by=by, at=at)

    def transition(self, key: str, status: str, *, by: str | None, at: datetime) -> None:
        """``by`` moves the issue to ``status``; recorded in the changelog with the resolution."""
        self.state.transition(key, status, by=by, at=at)

    def link(
        self,
        key: str,
        other_key: str,
        link_type: str = "Blocks",
        *,
        outward: bool = True,
        by: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Link ``key`` with ``other_key``; with ``at`` the link is also in ``key``'s changelog."""
        self.state.link(key, other_key, link_type, outward=outward, by=by, at=at)

    def corrupt(self, key: str, **fields: Any) -> None:
        """Serve broken values for fields of issue ``key`` (``DELETE`` removes the field).

        ``corrupt("APOLLO-3", created="yesterday")`` mimics a payload a client must survive.
        The pseudo-field ``fields=DELETE`` removes the whole ``fields`` object.
        """
        with self.state.lock:
            self.state.issue(key).corrupt.update(fields)

    @property
    def issues(self) -> Mapping[str, FakeIssue]:
        """The issues by key (read-only use)."""
        return self.state.issues

    @property
    def created_issues(self) -> list[dict[str, Any]]:
        """The issues created through ``POST /issue``, oldest first."""
        with self.state.lock:
            return list(self.state.created)

    # ------------------------------------------------------------------ faults and stats

    def fail(
        self,
        status: int,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
        retry_after: str | float | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status``.

        ``retry_after`` becomes the ``Retry-After`` header: seconds, or an HTTP
        date such as ``"Wed, 21 Oct 2026 07:28:00 GMT"``.
        """
        value = None if retry_after is None else str(retry_after)
        self._faults.add(Fault("status", path, method, times, status, value))

    def reset_connection(self, *, path: str | None = None, method: str | None = None, times: int = 1) -> None:
        """Drop the connection of the next ``times`` matching requests without answering."""
        self._faults.add(Fault("reset", path, method, times))

    def delay(
        self, seconds: float, *, path: str | None = None, method: str | None = None, times: int = 1
    ) -> None:
        """Wait ``seconds`` before answering the next ``times`` matching requests."""
        self._faults.add(Fault("delay", path, method, times, seconds=seconds))

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        self._faults.clear()

    def stats(self) -> dict[str, Any]:
        """What ``GET /_fake/stats`` answers: request counts by path and the created issues."""
        by_path = dict(sorted(self._requests.by_path.items()))
        return {
            "requests": sum(by_path.values()),
            "by_path": by_path,
            "created_issues": self.created_issues,
            "issues": len(self.state.issues),
        }

    def reset_stats(self) -> None:
        """Set the request counts back to zero (created issues stay)."""
        self._requests.reset()

    # ------------------------------------------------------------------ rendering

    def _user(self, account: str | None, v: str) -> dict[str, Any] | None:
        if account is None:
            return None
        user: FakeUser | None = self.state.users.get(account)
        if user is None:
            return None
        if self.mode == "cloud":
            return {
                "self": f"{self.url}/rest/api/{v}/user?accountId={user.account_id}",
                "accountId": user.account_id,
                "accountType": "atlassian",
                "displayName": user.display_name,
                "active": user.active,
                "timeZone": "UTC",
            }
        return {
            "self": f"{self.url}/rest/api/2/user?username={user.name}",
            "name": user.name,
            "key": self._user_key(account),
            "emailAddress": user.email,
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": "UTC",
        }

    def _user_key(self, account: str) -> str:
        return f"JIRAUSER{10000 + list(self.state.users).index(account)}"

    def _ref(self, account: str | None) -> str | None:
        if account is None:
            return None
        return self.user_ref(account) if account in self.state.users else account

    def _body(self, text: str, v: str) -> Any:
        if self.mode == "server":
            return MENTION.sub(lambda m: f"[~{self._ref(m.group(1))}]", text)
        if v != "3":
            return text
        return _adf(text, {a: u.display_name for a, u in self.state.users.items()})

    def _status(self, name: str, v: str) -> dict[str, Any]:
        sid, cat = STATUSES[name]
        cid, cname, colour = CATEGORIES[cat]
        return {
            "self": f"{self.url}/rest/api/{v}/status/{sid}",
            "description": "",
            "iconUrl": f"{self.url}/images/icons/statuses/generic.png",
            "name": name,
            "id": sid,
            "statusCategory": {
                "self": f"{self.url}/rest/api/{v}/statuscategory/{cid}",
                "id": cid,
                "key": cat,
                "colorName": colour,
                "name": cname,
            },
        }

    def _comment(self, c: FakeComment, v: str, issue: FakeIssue) -> dict[str, Any]:
        out: dict[str, Any] = {
            "self": f"{self.url}/rest/api/{v}/issue/{issue.id}/comment/{c.id}",
            "id": str(c.id),
            "body": self._body(c.body, v),
            "created": _ts(c.created),
            "updated": _ts(c.created),
            "jsdPublic": True,
        }
        author = self._user(c.author, v)
        if author is not None:
            out["author"] = author
            out["updateAuthor"] = author
        return out

    def _history(self, h: FakeHistory, v: str) -> dict[str, Any]:
        items = []
        for raw in h.items:
            item = dict(raw)
            if item["field"] == "assignee":
                item["fromString"] = self._display(item["from"])
                item["toString"] = self._display(item["to"])
                if self.mode == "server":
                    item.pop("fieldId", None)
                    item["from"] = self._user_key(item["from"]) if item["from"] in self.state.users else None
                    item["to"] = self._user_key(item["to"]) if item["to"] in self.state.users else None
                else:
                    item["from"] = self._ref(item["from"])
                    item["to"] = self._ref(item["to"])
            items.append(item)
        out: dict[str, Any] = {"id": str(h.id), "created": _ts(h.created), "items": items}
        author = self._user(h.author, v)
        if author is not None:
            out["author"] = author
        return out

    def _display(self, account: str | None) -> str | None:
        if account is None:
            return None
        user = self.state.users.get(account)
        return user.display_name if user else account

    def _issue_link(self, link: Any, v: str) -> dict[str, Any]:
        tid, outward, inward = LINK_TYPES[link.type_name]
        other = self.state.issues.get(link.other_key)
        other_json: dict[str, Any] = {
            "id": str(other.id) if other else str(90000 + link.id),
            "key": link.other_key,
            "self": f"{self.url}/rest/api/{v}/issue/{link.other_key}",
            "fields": {
                "summary": other.summary if other else link.other_key,
                "status": self._status(other.status if other else "To Do", v),
            },
        }
        out: dict[str, Any] = {
            "id": str(link.id),
            "self": f"{self.url}/rest/api/{v}/issueLink/{link.id}",
            "type": {
                "id": tid,
                "name": link.type_name,
                "inward": inward,
                "outward": outward,
                "self": f"{self.url}/rest/api/{v}/issueLinkType/{tid}",
            },
        }
        out["outwardIssue" if link.outward else "inwardIssue"] = other_json
        return out

    def _fields(self, issue: FakeIssue, wanted: set[str], v: str) -> dict[str, Any]:
        def want(name: str) -> bool:
            return "*all" in wanted or "*navigable" in wanted or name in wanted

        f: dict[str, Any] = {}
        if want("summary"):
            f["summary"] = issue.summary
        if want("status"):
            f["status"] = self._status(issue.status, v)
        if want("assignee"):
            f["assignee"] = self._user(issue.assignee, v)
        if want("reporter"):
            f["reporter"] = self._user(issue.reporter, v)
        if want("creator"):
            f["creator"] = self._user(issue.creator, v)
        if want("duedate"):
            f["duedate"] = issue.duedate.isoformat() if issue.duedate else None
        if want("resolutiondate"):
            f["resolutiondate"] = _ts(issue.resolutiondate)
        if want("resolution"):
            f["resolution"] = (
                {"id": "10000", "name": "Done", "self": f"{self.url}/rest/api/{v}/resolution/10000"}
                if issue.resolutiondate
                else None
            )
        if want("labels"):
            f["labels"] = list(issue.labels)
        if want("issuelinks"):
            f["issuelinks"] = [self._issue_link(link, v) for link in issue.links]
        if want("comment"):
            shown = issue.comments[: self.inline_comments]
            f["comment"] = {
                "comments": [self._comment(c, v, issue) for c in shown],
                "self": f"{self.url}/rest/api/{v}/issue/{issue.id}/comment",
                "maxResults": len(shown),
                "total": len(issue.comments),
                "startAt": 0,
            }
        if want("created"):
            f["created"] = _ts(issue.created)
        if want("updated"):
            f["updated"] = _ts(issue.updated)
        if want("project"):
            f["project"] = {
                "self": f"{self.url}/rest/api/{v}/project/{issue.project}",
                "id": str(10000 + list(self.state.projects).index(issue.project)),
                "key": issue.project,
                "name": self.state.projects[issue.project],
                "projectTypeKey": "software",
                "simplified": False,
            }
        if want("issuetype"):
            f["issuetype"] = {
                "self": f"{self.url}/rest/api/{v}/issuetype/{ISSUE_TYPES.get(issue.issuetype, '10001')}",
                "id": ISSUE_TYPES.get(issue.issuetype, "10001"),
                "name": issue.issuetype,
                "subtask": False,
            }
        if want("description"):
            f["description"] = self._body(issue.description, v) if issue.description else None
        return f

    def _render_issue(
        self, issue: FakeIssue, wanted: set[str], expand: set[str], v: str, *, full_changelog: bool = False
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": str(issue.id),
            "self": f"{self.url}/rest/api/{v}/issue/{issue.id}",
            "key": issue.key,
            "fields": self._fields(issue, wanted, v),
        }
        if "changelog" in expand:
            cap = len(issue.histories) if full_changelog else self.inline_histories
            shown = issue.histories[:cap]
            out["changelog"] = {
                "startAt": 0,
                "maxResults": len(shown),
                "total": len(issue.histories),
                "histories": [self._history(h, v) for h in shown],
            }
        for name, value in issue.corrupt.items():
            if name == "fields":
                if value is DELETE:
                    out.pop("fields", None)
                else:
                    out["fields"] = value
            elif name in ("key", "changelog", "id"):
                if value is DELETE:
                    out.pop(name, None)
                else:
                    out[name] = value
            elif isinstance(out.get("fields"), dict):
                if value is DELETE:
                    out["fields"].pop(name, None)
                else:
                    out["fields"][name] = value
        return out

    # ------------------------------------------------------------------ endpoints

    def _search(self, v: str, params: Mapping[str, list[str]], *, cloud: bool) -> dict[str, Any]:
        jql = _one(params, "jql") or ""
        try:
            query = parse_jql(jql)
        except JqlError as exc:
            raise _ApiError(400, [str(exc)]) from None
        for key in query.projects():
            if key not in self.state.projects:
                raise _ApiError(400, [f"The value '{key}' does not exist for the field 'project'."])
        wanted = _fields_param(params)
        expand = {e.strip() for e in ",".join(params.get("expand", [])).split(",") if e.strip()}
        max_results = _int(params, "maxResults", 50)
        max_results = max(0, min(max_results, self.page_cap))
        with self.state.lock:
            found = [
                i for i in self.state.issues.values() if query.matches(functools.partial(_get, i, fake=self))
            ]
            order = query.order or (("key", False),)
            for field, desc in reversed(order):
                found.sort(key=functools.partial(_sort_key, field=field), reverse=desc)
            if cloud:
                token = _one(params, "nextPageToken")
                start = _decode_token(token, jql) if token else 0
            else:
                start = _int(params, "startAt", 0)
            page = found[start : start + max_results]
            issues = [self._render_issue(i, wanted, expand, v) for i in page]
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

    def _issue_get(self, v: str, key: str, sub: str | None, params: Mapping[str, list[str]]) -> Any:
        with self.state.lock:
            issue = self.state.issues.get(key) or next(
                (i for i in self.state.issues.values() if str(i.id) == key), None
            )
            if issue is None:
                raise _ApiError(404, ["Issue does not exist or you do not have permission to see it."])
            start = _int(params, "startAt", 0)
            size = max(0, min(_int(params, "maxResults", 100 if sub == "changelog" else 5000), self.page_cap))
            if sub == "comment":
                chosen = issue.comments[start : start + size]
                return {
                    "comments": [self._comment(c, v, issue) for c in chosen],
                    "maxResults": size,
                    "startAt": start,
                    "total": len(issue.comments),
                }
            if sub == "changelog":
                if self.mode == "server":
                    raise _ApiError(404, [])
                hist = issue.histories[start : start + size]
                total = len(issue.histories)
                last = start + len(hist) >= total
                base = f"{self.url}/rest/api/{v}/issue/{issue.key}/changelog"
                out: dict[str, Any] = {
                    "self": f"{base}?startAt={start}&maxResults={size}",
                    "maxResults": size,
                    "startAt": start,
                    "total": total,
                    "isLast": last,
                    "values": [self._history(h, v) for h in hist],
                }
                if not last:
                    out["nextPage"] = f"{base}?startAt={start + size}&maxResults={size}"
                return out
            wanted = _fields_param(params)
            expand = {e.strip() for e in ",".join(params.get("expand", [])).split(",") if e.strip()}
            return self._render_issue(issue, wanted, expand, v, full_changelog=True)

    def _create(self, v: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
            raise _ApiError(400, ["Can not deserialize the request: a 'fields' object is required."])
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
                keys = list(self.state.projects)
                idx = int(project["id"]) - 10000 if str(project["id"]).isdigit() else -1
                pkey = keys[idx] if 0 <= idx < len(keys) else None
        if pkey not in self.state.projects:
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
                fields["description"] = _adf_text(desc).rstrip("\n") if v == "3" else desc
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
                if self.mode == "cloud":
                    ref = assignee.get("accountId") or assignee.get("id")
                    account = ref if ref in self.state.users else None
                else:
                    user = self.state.user_by_name(str(assignee.get("name")))
                    account = user.account_id if user else None
            if account is None:
                errors["assignee"] = f"User '{assignee}' does not exist."
            else:
                fields["assignee"] = account
        if errors:
            raise _ApiError(400, [], errors)
        issue = self.state.create_from_api(fields, self.BOT, self.clock())
        return {"id": str(issue.id), "key": issue.key, "self": f"{self.url}/rest/api/{v}/issue/{issue.id}"}

    def handle(
        self, method: str, path: str, params: Mapping[str, list[str]], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        """Route one authenticated REST request; returns status, JSON body and headers."""
        m = _REST.match(path)
        if m is None:
            raise _ApiError(404, ["Not found."])
        v = "2" if m.group("v") == "latest" else m.group("v")
        if self.mode == "server" and v == "3":
            raise _ApiError(404, ["REST API version 3 is only available on Jira Cloud."])
        rest = m.group("rest").rstrip("/")
        cloud = self.mode == "cloud"
        if method == "GET":
            if rest == "serverInfo":
                return 200, self._server_info(), {}
            if rest == "field":
                return 200, _FIELDS, {}
            if rest == "myself":
                bot = self._user(self.BOT, v) or {}
                return 200, {**bot, "emailAddress": self.email, "groups": {"size": 1, "items": []}}, {}
            if rest == "status":
                return 200, [self._status(n, v) for n in STATUSES], {}
            if rest == "search/jql":
                if not cloud:
                    raise _ApiError(404, ["null for uri: /rest/api/2/search/jql"])
                return 200, self._search(v, params, cloud=True), {}
            if rest == "search":
                if cloud:
                    raise _ApiError(
                        410,
                        [
                            "The requested API has been removed. Please use the newer, enhanced "
                            "search-based API instead. See "
                            "https://developer.atlassian.com/changelog/#CHANGE-2046 for more information."
                        ],
                    )
                return 200, self._search(v, params, cloud=False), {}
            if rest.startswith("project/"):
                key = rest.split("/", 1)[1]
                if key not in self.state.projects:
                    raise _ApiError(404, [f"No project could be found with key '{key}'."])
                return (
                    200,
                    {
                        "key": key,
                        "name": self.state.projects[key],
                        "id": str(10000 + list(self.state.projects).index(key)),
                    },
                    {},
                )
            im = _ISSUE_PATH.match(rest)
            if im is not None:
                return 200, self._issue_get(v, im.group("key"), im.group("sub"), params), {}
        if method == "POST" and rest == "issue":
            return 201, self._create(v, body), {}
        if method == "POST" and rest in ("search/jql", "search"):
            if (rest == "search/jql") != cloud:
                raise _ApiError(410 if cloud else 404, ["Use the search endpoint of this deployment."])
            return 200, self._search(v, _body_params(body), cloud=cloud), {}
        if method == "POST":
            im = _ISSUE_PATH.match(rest)
            if im is not None and im.group("sub") == "comment":
                return 201, self._add_comment(v, im.group("key"), body), {}
        raise _ApiError(404, [f"null for uri: {path}"])

    def _add_comment(self, v: str, key: str, body: Any) -> dict[str, Any]:
        text = body.get("body") if isinstance(body, dict) else None
        if v == "3" and isinstance(text, dict) and text.get("type") == "doc":
            text = _adf_text(text).rstrip("\n")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, [], {"comment": "Comment body can not be empty!"})
        issue = self.state.issues.get(key)
        if issue is None:
            raise _ApiError(404, ["Issue does not exist or you do not have permission to see it."])
        comment = self.state.comment(key, self.BOT, text, at=self.clock())
        return self._comment(comment, v, issue)

    def _server_info(self) -> dict[str, Any]:
        info = self._server_info_full()
        if not self.announce_deployment:
            info.pop("deploymentType", None)
        return info

    def _server_info_full(self) -> dict[str, Any]:
        now = _ts(self.clock())
        if self.mode == "cloud":
            return {
                "baseUrl": self.url,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100271,
                "buildDate": "2026-01-01T00:00:00.000+0000",
                "serverTime": now,
                "scmInfo": "1f51473f5c7b75c1a69a0090f4832cdc5053702a",
                "serverTitle": "Fake Jira",
                "defaultLocale": {"locale": "en_US"},
                "serverTimeZone": "Etc/UTC",
            }
        return {
            "baseUrl": self.url,
            "version": "9.12.0",
            "versionNumbers": [9, 12, 0],
            "deploymentType": "Server",
            "buildNumber": 9120000,
            "buildDate": "2025-11-01T00:00:00.000+0000",
            "serverTime": now,
            "scmInfo": "8b4e0b2b5c1f3a1a2c0a4b0d3e4f5a6b7c8d9e0f",
            "serverTitle": "Fake Jira",
        }

    def authorized(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header carries the configured credentials."""
        if self.token is None:
            return True
        if not header:
            return False
        if self.mode == "cloud":
            expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
            return header == f"Basic {expected}"
        return header == f"Bearer {self.token}"


def _body_params(body: Any) -> dict[str, list[str]]:
    """A POST search body as the query parameters of the GET form."""
    if not isinstance(body, dict):
        raise _ApiError(400, ["The search request body must be a JSON object."])
    params: dict[str, list[str]] = {}
    for name in ("jql", "nextPageToken", "maxResults", "startAt"):
        if body.get(name) is not None:
            params[name] = [str(body[name])]
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
        raise _ApiError(400, [f"The value '{value}' is not valid for the parameter '{name}'."]) from None


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
        raise _ApiError(400, ["The provided next page token is invalid or expired."]) from None


def _get(issue: FakeIssue, field: str, *, fake: FakeJira) -> Any:
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
        return fake._ref(getattr(issue, field))
    return None


def _sort_key(issue: FakeIssue, *, field: str) -> Any:
    if field == "key":
        return (issue.project, int(issue.key.rsplit("-", 1)[1]))
    return getattr(issue, field)


_FIELDS: list[dict[str, Any]] = [
    {
        "id": fid,
        "key": fid,
        "name": name,
        "custom": False,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": [fid],
        "schema": {"type": ftype, "system": fid},
    }
    for fid, name, ftype in (
        ("summary", "Summary", "string"),
        ("description", "Description", "string"),
        ("status", "Status", "status"),
        ("assignee", "Assignee", "user"),
        ("reporter", "Reporter", "user"),
        ("creator", "Creator", "user"),
        ("duedate", "Due date", "date"),
        ("resolutiondate", "Resolved", "datetime"),
        ("resolution", "Resolution", "resolution"),
        ("labels", "Labels", "array"),
        ("issuelinks", "Linked Issues", "array"),
        ("comment", "Comment", "comments-page"),
        ("created", "Created", "datetime"),
        ("updated", "Updated", "datetime"),
        ("project", "Project", "project"),
        ("issuetype", "Issue Type", "issuetype"),
    )
]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeJira
    protocol_version = "HTTP/1.1"
    server_version = "FakeJira/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are counted, not logged."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _send(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self, method: str) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        path = parts.path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path == "/_fake/stats":
            self._send(200, fake.stats())
            return
        fake._requests.record(method, path)
        if fake.latency:
            time.sleep(fake.latency)
        fault = fake._faults.take(method, path)
        if fault is not None:
            if fault.kind == "reset":
                self.close_connection = True
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            else:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                message = {
                    429: "Rate limit exceeded.",
                    503: "Service temporarily unavailable.",
                    401: "Client must be authenticated to access this resource.",
                    403: "You do not have permission to perform this operation.",
                    404: "The requested resource could not be found.",
                }.get(fault.status, "Injected fault.")
                self._send(fault.status, {"errorMessages": [message], "errors": {}}, headers)
                return
        if not fake.authorized(self.headers.get("Authorization")):
            self._send(
                401,
                {"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}},
                {"WWW-Authenticate": 'Basic realm="protected-area"' if fake.mode == "cloud" else "Bearer"},
            )
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._send(400, {"errorMessages": ["Unexpected character in the request body."], "errors": {}})
            return
        try:
            status, out, headers = fake.handle(
                method, path, parse_qs(parts.query, keep_blank_values=True), body
            )
        except _ApiError as exc:
            self._send(exc.status, exc.body)
            return
        self._send(status, out, headers)
