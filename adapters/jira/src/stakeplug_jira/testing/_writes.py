"""The fake Jira's workflow and permission endpoints: transitions, and who may browse a project.

``GET /issue/{key}/transitions`` offers one transition to every other status
(ids ``11``, ``21``...: ten times the status's place, plus one), each with its
target ``to`` status; ``POST /issue/{key}/transitions`` applies one, with an
optional comment in ``update.comment[].add.body``, and answers ``204``.
``GET /project/{key}/permissionscheme?expand=permissions`` answers the
project's scheme; the grants of ``BROWSE_PROJECTS`` are set with
:meth:`~stakeplug_jira.testing.FakeJira.grant_browse` (``anyone`` makes a
project public, ``applicationRole`` without a parameter opens it to every
logged-in user of the site).
"""

from __future__ import annotations

from typing import Any

from stakeplug_jira.testing._api import ApiError
from stakeplug_jira.testing._payloads import JiraShapes, adf_text
from stakeplug_jira.testing._site import FakeSite
from stakeplug_jira.testing._state import STATUSES

__all__ = ["DEFAULT_BROWSE", "JiraWrites"]

DEFAULT_BROWSE: tuple[tuple[str, str | None], ...] = (
    ("projectRole", "10002"),
    ("applicationRole", "jira-software"),
)
"""The default scheme's Browse grants: the project's Administrators role and licensed users."""

_NO_ISSUE = "Issue does not exist or you do not have permission to see it."


def transition_id(status: str) -> str:
    """The id of the transition that leads to ``status``."""
    return f"{(list(STATUSES).index(status) + 1) * 10 + 1}"


class JiraWrites:
    """Transitions and permission schemes of one :class:`~stakeplug_jira.testing.FakeJira`."""

    def __init__(self, fake: FakeSite, shapes: JiraShapes):
        self.fake = fake
        self.shapes = shapes
        self.browse: dict[str, list[tuple[str, str | None]]] = {}

    def transitions(self, v: str, key: str) -> dict[str, Any]:
        issue = self.fake.state.issues.get(key)
        if issue is None:
            raise ApiError(404, [_NO_ISSUE])
        offered = [
            {
                "id": transition_id(name),
                "name": name,
                "to": self.shapes.status(name, v),
                "hasScreen": False,
                "isGlobal": True,
                "isInitial": False,
                "isConditional": False,
            }
            for name in STATUSES
            if name != issue.status
        ]
        return {"expand": "transitions", "transitions": offered}

    def transition(self, v: str, key: str, body: Any) -> None:
        issue = self.fake.state.issues.get(key)
        if issue is None:
            raise ApiError(404, [_NO_ISSUE])
        wanted = body.get("transition") if isinstance(body, dict) else None
        tid = str(wanted.get("id")) if isinstance(wanted, dict) else None
        target = next((n for n in STATUSES if transition_id(n) == tid and n != issue.status), None)
        if target is None:
            raise ApiError(400, [f"Transition id '{tid}' is not valid for this issue."])
        comments = []
        update = body.get("update") if isinstance(body, dict) else None
        for op in (update or {}).get("comment", []) if isinstance(update, dict) else []:
            text = op.get("add", {}).get("body") if isinstance(op, dict) else None
            if v == "3" and isinstance(text, dict):
                text = adf_text(text).rstrip("\n")
            if not isinstance(text, str) or not text.strip():
                raise ApiError(400, [], {"comment": "Comment body can not be empty!"})
            comments.append(text)
        at = self.fake.clock()
        with self.fake.state.lock:
            self.fake.state.transition(key, target, by=self.fake.BOT, at=at)
            for text in comments:
                self.fake.state.comment(key, self.fake.BOT, text, at=at)

    def permission_scheme(self, v: str, key: str, expand: str) -> dict[str, Any]:
        if key not in self.fake.state.projects:
            raise ApiError(404, [f"No project could be found with key '{key}'."])
        base = self.fake.url + f"/rest/api/{v}"
        out: dict[str, Any] = {
            "expand": "permissions,user,group,projectRole,field,all",
            "id": 10000,
            "self": f"{base}/permissionscheme/10000",
            "name": "Default Permission Scheme",
            "description": "This is the default Permission Scheme.",
        }
        if expand:
            grants = self.browse.get(key, list(DEFAULT_BROWSE))
            out["permissions"] = [
                {
                    "id": 10100 + n,
                    "self": f"{base}/permissionscheme/10000/permission/{10100 + n}",
                    "holder": {"type": kind, **({"parameter": param, "value": param} if param else {})},
                    "permission": "BROWSE_PROJECTS",
                }
                for n, (kind, param) in enumerate(grants)
            ] + [
                {
                    "id": 10200,
                    "self": f"{base}/permissionscheme/10000/permission/10200",
                    "holder": {"type": "projectRole", "parameter": "10002", "value": "10002"},
                    "permission": "ADMINISTER_PROJECTS",
                }
            ]
        return out
