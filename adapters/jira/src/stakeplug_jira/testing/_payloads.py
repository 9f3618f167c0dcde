r"""How the fake Jira's records render as REST payloads, on Cloud and on Server/Data Center.

Payload shapes follow the examples in Atlassian's Jira Cloud OpenAPI
description, with the corrections Jira itself makes to them: the inline
``comment`` field is a page (``comments``, ``maxResults``, ``total``,
``startAt``) capped at the fake's ``inline_comments``, the inline changelog is
capped at ``inline_histories``, and ``serverInfo`` carries ``deploymentType``.
On Cloud, people are ``accountId``\ s and API v3 bodies are Atlassian Document
Format; on Server, people are user names (keys in changelogs) and bodies are
wiki text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from stakeplug_jira.testing._site import FakeSite
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
)

__all__ = ["FIELDS", "JiraShapes", "adf", "adf_text", "ts"]


def ts(value: datetime | None) -> str | None:
    """Jira's timestamp format: ``2026-01-02T03:04:05.000+0000``."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def adf(text: str, names: Mapping[str, str] | None = None) -> dict[str, Any]:
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


def adf_text(doc: Any) -> str:
    """The plain text of an ADF document, mentions written as wiki mentions."""
    if isinstance(doc, dict):
        if doc.get("type") == "text":
            return str(doc.get("text", ""))
        if doc.get("type") == "mention":
            return f"[~accountid:{doc.get('attrs', {}).get('id', '')}]"
        inner = "".join(adf_text(c) for c in doc.get("content", []))
        return inner + ("\n" if doc.get("type") == "paragraph" else "")
    if isinstance(doc, list):
        return "".join(adf_text(c) for c in doc)
    return ""


class JiraShapes:
    """Renders the fake's state as Jira's payloads (users, statuses, comments, changelogs, issues)."""

    def __init__(self, fake: FakeSite):
        self.fake = fake

    def user(self, account: str | None, v: str) -> dict[str, Any] | None:
        if account is None:
            return None
        user: FakeUser | None = self.fake.state.users.get(account)
        if user is None:
            return None
        if self.fake.mode == "cloud":
            return {
                "self": f"{self.fake.url}/rest/api/{v}/user?accountId={user.account_id}",
                "accountId": user.account_id,
                "accountType": "atlassian",
                "displayName": user.display_name,
                "active": user.active,
                "timeZone": "UTC",
            }
        return {
            "self": f"{self.fake.url}/rest/api/2/user?username={user.name}",
            "name": user.name,
            "key": self.user_key(account),
            "emailAddress": user.email,
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": "UTC",
        }

    def user_key(self, account: str) -> str:
        return f"JIRAUSER{10000 + list(self.fake.state.users).index(account)}"

    def ref(self, account: str | None) -> str | None:
        if account is None:
            return None
        return self.fake.user_ref(account) if account in self.fake.state.users else account

    def body(self, text: str, v: str) -> Any:
        if self.fake.mode == "server":
            return MENTION.sub(lambda m: f"[~{self.ref(m.group(1))}]", text)
        if v != "3":
            return text
        return adf(text, {a: u.display_name for a, u in self.fake.state.users.items()})

    def status(self, name: str, v: str) -> dict[str, Any]:
        sid, cat = STATUSES[name]
        cid, cname, colour = CATEGORIES[cat]
        return {
            "self": f"{self.fake.url}/rest/api/{v}/status/{sid}",
            "description": "",
            "iconUrl": f"{self.fake.url}/images/icons/statuses/generic.png",
            "name": name,
            "id": sid,
            "statusCategory": {
                "self": f"{self.fake.url}/rest/api/{v}/statuscategory/{cid}",
                "id": cid,
                "key": cat,
                "colorName": colour,
                "name": cname,
            },
        }

    def comment(self, c: FakeComment, v: str, issue: FakeIssue) -> dict[str, Any]:
        out: dict[str, Any] = {
            "self": f"{self.fake.url}/rest/api/{v}/issue/{issue.id}/comment/{c.id}",
            "id": str(c.id),
            "body": self.body(c.body, v),
            "created": ts(c.created),
            "updated": ts(c.created),
            "jsdPublic": True,
        }
        author = self.user(c.author, v)
        if author is not None:
            out["author"] = author
            out["updateAuthor"] = author
        return out

    def history(self, h: FakeHistory, v: str) -> dict[str, Any]:
        items = []
        for raw in h.items:
            item = dict(raw)
            if item["field"] == "assignee":
                item["fromString"] = self.display(item["from"])
                item["toString"] = self.display(item["to"])
                if self.fake.mode == "server":
                    item.pop("fieldId", None)
                    item["from"] = (
                        self.user_key(item["from"]) if item["from"] in self.fake.state.users else None
                    )
                    item["to"] = self.user_key(item["to"]) if item["to"] in self.fake.state.users else None
                else:
                    item["from"] = self.ref(item["from"])
                    item["to"] = self.ref(item["to"])
            items.append(item)
        out: dict[str, Any] = {"id": str(h.id), "created": ts(h.created), "items": items}
        author = self.user(h.author, v)
        if author is not None:
            out["author"] = author
        return out

    def display(self, account: str | None) -> str | None:
        if account is None:
            return None
        user = self.fake.state.users.get(account)
        return user.display_name if user else account

    def issue_link(self, link: Any, v: str) -> dict[str, Any]:
        tid, outward, inward = LINK_TYPES[link.type_name]
        other = self.fake.state.issues.get(link.other_key)
        other_json: dict[str, Any] = {
            "id": str(other.id) if other else str(90000 + link.id),
            "key": link.other_key,
            "self": f"{self.fake.url}/rest/api/{v}/issue/{link.other_key}",
            "fields": {
                "summary": other.summary if other else link.other_key,
                "status": self.status(other.status if other else "To Do", v),
            },
        }
        out: dict[str, Any] = {
            "id": str(link.id),
            "self": f"{self.fake.url}/rest/api/{v}/issueLink/{link.id}",
            "type": {
                "id": tid,
                "name": link.type_name,
                "inward": inward,
                "outward": outward,
                "self": f"{self.fake.url}/rest/api/{v}/issueLinkType/{tid}",
            },
        }
        out["outwardIssue" if link.outward else "inwardIssue"] = other_json
        return out

    def fields(self, issue: FakeIssue, wanted: set[str], v: str) -> dict[str, Any]:
        def want(name: str) -> bool:
            return "*all" in wanted or "*navigable" in wanted or name in wanted

        f: dict[str, Any] = {}
        if want("summary"):
            f["summary"] = issue.summary
        if want("status"):
            f["status"] = self.status(issue.status, v)
        if want("assignee"):
            f["assignee"] = self.user(issue.assignee, v)
        if want("reporter"):
            f["reporter"] = self.user(issue.reporter, v)
        if want("creator"):
            f["creator"] = self.user(issue.creator, v)
        if want("duedate"):
            f["duedate"] = issue.duedate.isoformat() if issue.duedate else None
        if want("resolutiondate"):
            f["resolutiondate"] = ts(issue.resolutiondate)
        if want("resolution"):
            f["resolution"] = (
                {"id": "10000", "name": "Done", "self": f"{self.fake.url}/rest/api/{v}/resolution/10000"}
                if issue.resolutiondate
                else None
            )
        if want("labels"):
            f["labels"] = list(issue.labels)
        if want("issuelinks"):
            f["issuelinks"] = [self.issue_link(link, v) for link in issue.links]
        if want("comment"):
            shown = issue.comments[: self.fake.inline_comments]
            f["comment"] = {
                "comments": [self.comment(c, v, issue) for c in shown],
                "self": f"{self.fake.url}/rest/api/{v}/issue/{issue.id}/comment",
                "maxResults": len(shown),
                "total": len(issue.comments),
                "startAt": 0,
            }
        if want("created"):
            f["created"] = ts(issue.created)
        if want("updated"):
            f["updated"] = ts(issue.updated)
        if want("project"):
            f["project"] = {
                "self": f"{self.fake.url}/rest/api/{v}/project/{issue.project}",
                "id": str(10000 + list(self.fake.state.projects).index(issue.project)),
                "key": issue.project,
                "name": self.fake.state.projects[issue.project],
                "projectTypeKey": "software",
                "simplified": False,
            }
        if want("issuetype"):
            f["issuetype"] = {
                "self": f"{self.fake.url}/rest/api/{v}/issuetype/{ISSUE_TYPES.get(issue.issuetype, '10001')}",
                "id": ISSUE_TYPES.get(issue.issuetype, "10001"),
                "name": issue.issuetype,
                "subtask": False,
            }
        if want("description"):
            f["description"] = self.body(issue.description, v) if issue.description else None
        return f

    def issue(
        self, issue: FakeIssue, wanted: set[str], expand: set[str], v: str, *, full_changelog: bool = False
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": str(issue.id),
            "self": f"{self.fake.url}/rest/api/{v}/issue/{issue.id}",
            "key": issue.key,
            "fields": self.fields(issue, wanted, v),
        }
        if "changelog" in expand:
            cap = len(issue.histories) if full_changelog else self.fake.inline_histories
            shown = issue.histories[:cap]
            out["changelog"] = {
                "startAt": 0,
                "maxResults": len(shown),
                "total": len(issue.histories),
                "histories": [self.history(h, v) for h in shown],
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

    def server_info(self) -> dict[str, Any]:
        info = self.server_info_full()
        if not self.fake.announce_deployment:
            info.pop("deploymentType", None)
        return info

    def server_info_full(self) -> dict[str, Any]:
        now = ts(self.fake.clock())
        if self.fake.mode == "cloud":
            return {
                "baseUrl": self.fake.url,
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
            "baseUrl": self.fake.url,
            "version": "9.12.0",
            "versionNumbers": [9, 12, 0],
            "deploymentType": "Server",
            "buildNumber": 9120000,
            "buildDate": "2025-11-01T00:00:00.000+0000",
            "serverTime": now,
            "scmInfo": "8b4e0b2b5c1f3a1a2c0a4b0d3e4f5a6b7c8d9e0f",
            "serverTitle": "Fake Jira",
        }


FIELDS: list[dict[str, Any]] = [
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
