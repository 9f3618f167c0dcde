"""Who may read a Jira project's care tasks: the project's permission scheme, read once.

A care task is about a person, so before the first one is posted (or
dry-run) the adapter reads ``GET /project/{key}/permissionscheme?expand=permissions``
and looks at the grants of ``BROWSE_PROJECTS``:

* ``anyone`` — the project is public (browsable without logging in): no care
  task is posted unless ``allow_public = true`` in ``[tasks]``;
* ``applicationRole`` without a parameter — every logged-in user of the site,
  the stakeholders with an account included: neutral tasks are fine, but a
  *private* task (scores, category, the care action) is refused;
* anything else (groups, roles, users) — the team's own place.

Reading the scheme needs the *Administer projects* permission; without it the
adapter cannot tell, says so once in the log and posts as configured.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, TypeVar

from jira import JIRA

from stakeplug import ACTION_LABEL_PREFIX, TaskDraft
from stakeplug.errors import NotFoundError, PermissionDeniedError, PrivacyError
from stakeplug.http import get_logger

__all__ = ["Audience", "Visibility"]

T = TypeVar("T")

log = get_logger("stakeplug.jira")

Audience = Literal["public", "site", "team", "unknown"]
"""Who may browse the project: anyone, every user of the site, the team, or it cannot be told."""


class _Call(Protocol):
    def __call__(self, fn: Callable[[], T], what: str, *, write: bool = False) -> T: ...


class Visibility:
    """The privacy check of one Jira project, asked once and remembered."""

    def __init__(
        self, *, jira: JIRA, call: _Call, url: str, project: str | None, api_version: int, allow_public: bool
    ):
        self._jira = jira
        self._call = call
        self.url = url
        self.project = project
        self.api_version = api_version
        self.allow_public = allow_public
        self._audience: Audience | None = None

    def audience(self) -> Audience:
        """Who may browse the project, from its permission scheme (one request, then remembered)."""
        if self._audience is None:
            self._audience = self._read()
        return self._audience

    def _read(self) -> Audience:
        what = f"GET {self.url}/rest/api/{self.api_version}/project/{self.project}/permissionscheme"
        try:
            scheme = self._call(
                lambda: self._jira._get_json(
                    f"project/{self.project}/permissionscheme", params={"expand": "permissions"}
                ),
                what,
            )
        except (PermissionDeniedError, NotFoundError) as exc:
            log.warning(
                "jira: cannot tell who may browse %s (%s): reading its permission scheme needs the "
                "Administer projects permission; posting as [tasks] says",
                self.project,
                exc.status,
            )
            return "unknown"
        grants = scheme.get("permissions") if isinstance(scheme, Mapping) else None
        holders = [_holder(g) for g in grants or () if isinstance(g, Mapping)]
        browse = [h for perm, h in holders if perm == "BROWSE_PROJECTS"]
        if any(kind == "anyone" for kind, _ in browse):
            return "public"
        if any(kind == "applicationRole" and not param for kind, param in browse):
            return "site"
        return "team" if browse else "unknown"

    def check(self, draft: TaskDraft) -> None:
        """Raise :class:`~stakeplug.errors.PrivacyError` when ``draft`` may not go into this project."""
        audience = self.audience()
        if audience == "public" and not self.allow_public:
            raise PrivacyError(
                f"Jira project {self.project} at {self.url} can be browsed by anyone, without logging in "
                "(its permission scheme grants Browse projects to 'anyone'): stakeplug does not post "
                "care tasks about people where the public can read them; allow_public = true in the "
                "task target permits it"
            )
        if audience in ("public", "site") and _is_private(draft):
            who = "anyone" if audience == "public" else "every user of the site, the stakeholders too,"
            raise PrivacyError(
                f"Jira project {self.project} at {self.url} can be browsed by {who} but [tasks] private = "
                "true would put scores, categories and care actions in its tasks: set private = false, "
                "or restrict Browse projects to the team"
            )


def _holder(grant: Mapping[str, Any]) -> tuple[str, tuple[str, str | None]]:
    holder = grant.get("holder")
    kind = holder.get("type") if isinstance(holder, Mapping) else None
    param = holder.get("parameter") if isinstance(holder, Mapping) else None
    return str(grant.get("permission")), (str(kind), str(param) if param else None)


def _is_private(draft: TaskDraft) -> bool:
    """Whether ``draft`` carries what only a private target may show."""
    labels = any(label.startswith(ACTION_LABEL_PREFIX) for label in draft.labels)
    return labels or bool(draft.explanation) or bool(draft.evidence)
