"""From GitHub REST payloads to stakeplug activities.

Pure functions and one small stateful :class:`Translator` per repository (it
remembers the items seen in the issues listing, so comments and events can be
attached to a fully described :class:`~stakeplug.Item`).  Nothing here talks
to the network, and nothing here keeps a comment body: bodies are read for
``@mentions`` and dropped.

Decisions worth knowing:

* Deleted accounts arrive as ``"user": null`` or as the ``ghost`` login; both
  become ``actor=None`` and are never an addressee.
* Mentions ignore code (fenced blocks and inline spans), quoted lines
  (``> @someone wrote``), e-mail addresses and team mentions (``@org/team``);
  the author mentioning themselves does not address anyone.  Logins are
  matched case-insensitively to the spelling GitHub uses elsewhere in the run.
* Reactions: GitHub's listings carry a count per issue or comment but not who
  reacted, so no ``REACTION`` activity is invented; the count travels in
  ``details["reactions"]`` of the ``CREATED`` or ``COMMENT`` activity.
* A merge produces both ``merged`` and ``closed`` events; only one
  ``COMPLETED`` is emitted (the merge).
* Links: the repository events listing carries ``referenced`` events (a commit
  mentioned the issue) with the commit's repository; a commit from another
  repository becomes ``LINKED`` with ``external=True``.  Cross-references from
  other repositories' issues appear only in each issue's timeline, which would
  cost one request per issue, so they are not read.
* Due dates come from the issue's milestone (``due_on``), the only due date
  GitHub issues have.
* A line comment belongs to a review (REST ``pull_request_review_id``, the
  review's ``id``, which GraphQL calls ``databaseId``): it carries that
  review's verdict, so the comments of a review requesting changes are read
  as part of it, not as unasked participation.  Review comments are listed
  before the reviews are read, so the verdict is joined once everything is in
  (:meth:`Translator.with_review_verdict`); a comment whose review was not
  read stays a plain review comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from stakeplug import Activity, ActivityKind, Item, ItemKind, Verdict

__all__ = ["GHOST", "Translator", "is_pull_request", "login_of", "mentions", "parse_time"]

GHOST = "ghost"

_FENCE = re.compile(r"(^|\n)(```|~~~).*?(\n\2[^\n]*(?=\n|$)|$)", re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_QUOTE = re.compile(r"^\s*>.*$", re.MULTILINE)
_MENTION = re.compile(
    r"(?<![A-Za-z0-9_.+\-@/`])@([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})(?![A-Za-z0-9_/@-]|\.[A-Za-z0-9])"
)

VERDICTS: Mapping[str, Verdict] = {
    "APPROVED": Verdict.APPROVED,
    "CHANGES_REQUESTED": Verdict.CHANGES_REQUESTED,
    "COMMENTED": Verdict.COMMENTED,
    "DISMISSED": Verdict.DISMISSED,
}


def parse_time(value: Any) -> datetime | None:
    """GitHub's ISO 8601 timestamp (``2026-01-02T03:04:05Z``) as aware UTC, or ``None``."""
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value)


def is_pull_request(issue: Mapping[str, Any]) -> bool:
    """Whether an issues-listing entry is a pull request: its ``pull_request`` object has a link.

    Some plain issues arrive with ``"pull_request": {"html_url": null, ...}``;
    they are issues, and asking for their reviews would only earn a 404.
    """
    pr = issue.get("pull_request")
    return isinstance(pr, Mapping) and any(pr.get(key) for key in ("url", "html_url"))


def _review_comment_number(comment: Mapping[str, Any]) -> int:
    """The pull request of a review comment: ``pull_request_url``, else ``_links.pull_request.href``."""
    url = comment.get("pull_request_url")
    if not url:
        links = comment.get("_links")
        link = links.get("pull_request") if isinstance(links, Mapping) else None
        url = link.get("href") if isinstance(link, Mapping) else None
    if not isinstance(url, str) or not url:
        raise ValueError("review comment names no pull request (no pull_request_url or _links.pull_request)")
    return int(url.rstrip("/").rsplit("/", 1)[1])


def login_of(user: Any) -> str | None:
    """The login in a user object; ``None`` for a deleted account (``null`` or ``ghost``)."""
    if not isinstance(user, Mapping):
        return None
    login = user.get("login")
    if not isinstance(login, str) or not login or login.lower() == GHOST:
        return None
    return login


def mentions(body: str | None, *, author: str | None = None) -> tuple[str, ...]:
    """The ``@logins`` a text addresses, in order of first appearance, without repeats."""
    if not body:
        return ()
    text = _FENCE.sub("\n", body)
    text = _INLINE_CODE.sub(" ", text)
    text = _QUOTE.sub("", text)
    seen: dict[str, str] = {}
    for m in _MENTION.finditer(text):
        login = m.group(1)
        key = login.lower()
        if key == GHOST or (author is not None and key == author.lower()):
            continue
        seen.setdefault(key, login)
    return tuple(seen.values())


class Translator:
    """Turns one repository's payloads into activities.

    ``status_labels`` and ``input_labels`` mark issues as status reports and
    requests for input (compared case-insensitively).
    """

    def __init__(
        self,
        repo: str,
        *,
        status_labels: Iterable[str] = (),
        input_labels: Iterable[str] = (),
    ):
        self.repo = repo
        self.items: dict[int, Item] = {}
        self.assignees: dict[int, tuple[str, ...]] = {}
        self.due: dict[int, datetime | None] = {}
        self.logins: dict[str, str] = {}
        self.verdicts: dict[int, Verdict] = {}
        """The verdict of each review read, by review id (REST ``id``, GraphQL ``databaseId``)."""
        self.withdrawn: list[tuple[str, str, datetime]] = []
        """Review requests taken back: ``(item id, reviewer, when)``, applied at the end of the run
        (:mod:`stakeplug_github._postpass`)."""
        self._status = {x.lower() for x in status_labels}
        self._input = {x.lower() for x in input_labels}

    # -- helpers -----------------------------------------------------------------

    def _login(self, user: Any) -> str | None:
        login = login_of(user)
        if login is not None:
            self.logins.setdefault(login.lower(), login)
        return login

    def canonical(self, logins: Iterable[str]) -> tuple[str, ...]:
        """Logins spelt as GitHub spells them elsewhere in the run (mentions may differ in case)."""
        return tuple(self.logins.get(x.lower(), x) for x in logins)

    def _id(self, kind: str, value: Any) -> str:
        return f"github:{self.repo}:{kind}:{value}"

    def item(self, issue: Mapping[str, Any]) -> Item:
        """The item for an issue payload; remembered for later activities on it."""
        number = int(issue["number"])
        labels = tuple(
            str(x["name"]) if isinstance(x, Mapping) else str(x) for x in issue.get("labels") or ()
        )
        lowered = {x.lower() for x in labels}
        if is_pull_request(issue):
            kind = ItemKind.PULL_REQUEST
        elif lowered & self._status:
            kind = ItemKind.STATUS_REPORT
        elif lowered & self._input:
            kind = ItemKind.INPUT_NEEDED
        else:
            kind = ItemKind.ISSUE
        item = Item(
            tool="github",
            id=f"{self.repo}#{number}",
            url=issue.get("html_url"),
            title=issue.get("title"),
            labels=labels,
            kind=kind,
            project=self.repo,
        )
        self.items[number] = item
        self.assignees[number] = tuple(
            login for login in (self._login(a) for a in issue.get("assignees") or ()) if login
        )
        milestone = issue.get("milestone")
        self.due[number] = parse_time(milestone.get("due_on")) if isinstance(milestone, Mapping) else None
        return item

    def item_for(self, number: int, html_url: str | None) -> Item:
        """The remembered item ``number``, or one built from a comment's link."""
        found = self.items.get(number)
        if found is not None:
            return found
        url = html_url.split("#", 1)[0] if html_url else None
        kind = ItemKind.PULL_REQUEST if url and "/pull/" in url else ItemKind.ISSUE
        item = Item(tool="github", id=f"{self.repo}#{number}", url=url, kind=kind, project=self.repo)
        self.items[number] = item
        return item

    # -- payloads ------------------------------------------------------------------

    def issue(self, issue: Mapping[str, Any]) -> list[Activity]:
        """``CREATED`` by the author of an issue or pull request."""
        item = self.item(issue)
        created = parse_time(issue.get("created_at"))
        if created is None:
            raise ValueError("issue has no created_at")
        author = self._login(issue.get("user"))
        return [
            Activity(
                kind=ActivityKind.CREATED,
                actor=author,
                item=item,
                timestamp=created,
                addressees=self.canonical(mentions(issue.get("body"), author=author)),
                id=self._id("issue", issue.get("id", issue["number"])),
                details={"reactions": _reactions(issue)},
            )
        ]

    def comment(self, comment: Mapping[str, Any]) -> Activity:
        """``COMMENT`` in an issue's or pull request's conversation."""
        number = int(str(comment["issue_url"]).rstrip("/").rsplit("/", 1)[1])
        created = parse_time(comment.get("created_at"))
        if created is None:
            raise ValueError("comment has no created_at")
        author = self._login(comment.get("user"))
        return Activity(
            kind=ActivityKind.COMMENT,
            actor=author,
            item=self.item_for(number, comment.get("html_url")),
            timestamp=created,
            addressees=self.canonical(mentions(comment.get("body"), author=author)),
            id=self._id("comment", comment["id"]),
            details={"reactions": _reactions(comment)},
        )

    def review_comment(self, comment: Mapping[str, Any]) -> Activity:
        """``REVIEW_COMMENT`` on a line of a pull request."""
        number = _review_comment_number(comment)
        created = parse_time(comment.get("created_at"))
        if created is None:
            raise ValueError("review comment has no created_at")
        author = self._login(comment.get("user"))
        details: dict[str, Any] = {"reactions": _reactions(comment)}
        if comment.get("pull_request_review_id") is not None:
            details["review_id"] = comment["pull_request_review_id"]
        return Activity(
            kind=ActivityKind.REVIEW_COMMENT,
            actor=author,
            item=self.item_for(number, comment.get("html_url")),
            timestamp=created,
            addressees=self.canonical(mentions(comment.get("body"), author=author)),
            id=self._id("review_comment", comment["id"]),
            details=details,
        )

    def review(self, number: int, review: Mapping[str, Any]) -> Activity | None:
        """``REVIEW`` with its verdict; pending (unsubmitted) reviews give ``None``."""
        verdict = VERDICTS.get(str(review.get("state", "")).upper())
        submitted = parse_time(review.get("submitted_at"))
        if verdict is None or submitted is None:
            return None
        author = self._login(review.get("user"))
        if isinstance(review.get("id"), int):
            self.verdicts[review["id"]] = verdict
        return Activity(
            kind=ActivityKind.REVIEW,
            actor=author,
            item=self.item_for(number, review.get("html_url")),
            timestamp=submitted,
            addressees=self.canonical(mentions(review.get("body"), author=author)),
            verdict=verdict,
            id=self._id("review", review["id"]),
        )

    def event(self, event: Mapping[str, Any]) -> Activity | None:
        """The activity for a repository issue event, or ``None`` for kinds that carry no signal."""
        name = event.get("event")
        issue = event.get("issue")
        if not isinstance(issue, Mapping):
            raise ValueError(f"{name} event has no issue")
        number = int(issue["number"])
        item = self.items.get(number) or self.item(issue)
        when = parse_time(event.get("created_at"))
        if when is None:
            raise ValueError(f"{name} event has no created_at")
        actor = self._login(event.get("actor"))
        eid = self._id("event", event.get("id"))
        base: dict[str, Any] = {"actor": actor, "item": item, "timestamp": when, "id": eid}
        if name in ("assigned", "unassigned"):
            who = event.get("assignee")
            assignee = self._login(who)
            if assignee is None:
                if isinstance(who, Mapping) and who.get("login"):
                    return None  # a deleted account: nobody to address
                raise ValueError(f"{name} event names no assignee")
            kind = ActivityKind.ASSIGNED if name == "assigned" else ActivityKind.UNASSIGNED
            details = {"self_assigned": True} if actor == assignee else {}
            due = self.due.get(number) if name == "assigned" else None
            return Activity(kind=kind, addressees=(assignee,), due=due, details=details, **base)
        if name == "review_requested":
            reviewer = self._login(event.get("requested_reviewer"))
            if reviewer is None:
                return None
            requester = self._login(event.get("review_requester")) or actor
            base["actor"] = requester
            return Activity(
                kind=ActivityKind.REQUEST,
                addressees=(reviewer,),
                details={"request_kind": "review"},
                **base,
            )
        if name == "review_request_removed":
            reviewer = self._login(event.get("requested_reviewer"))
            if reviewer is not None:
                self.withdrawn.append((item.id, reviewer.lower(), when))
            return None
        if name == "closed" and _closed_unfinished(event, issue):
            return None
        if name in ("closed", "merged"):
            return Activity(
                kind=ActivityKind.COMPLETED,
                addressees=self.assignees.get(number, ()),
                due=self.due.get(number),
                details={"merged": name == "merged"},
                **base,
            )
        if name == "reopened":
            return Activity(kind=ActivityKind.REOPENED, **base)
        if name == "referenced":
            source = _commit_repo(event.get("commit_url"))
            if source is None or source.lower() == self.repo.lower():
                return None
            return Activity(
                kind=ActivityKind.LINKED,
                link_type="referenced",
                external=True,
                details={"from": source, "other_project": source},
                **base,
            )
        return None

    def with_review_verdict(self, activity: Activity) -> Activity:
        """A review comment with the verdict of the review it belongs to, once that review was read.

        Anything else, and a comment whose review is unknown, comes back unchanged.
        """
        if activity.kind is not ActivityKind.REVIEW_COMMENT or activity.verdict is not None:
            return activity
        review_id = activity.details.get("review_id")
        verdict = self.verdicts.get(review_id) if isinstance(review_id, int) else None
        return activity if verdict is None else attrs.evolve(activity, verdict=verdict)


_UNFINISHED = frozenset({"not_planned", "duplicate"})
"""``state_reason`` values of a closing that is not finished work."""


def _closed_unfinished(event: Mapping[str, Any], issue: Mapping[str, Any]) -> bool:
    """Whether a ``closed`` event closed the issue as not planned (or as a duplicate).

    The event's own ``state_reason`` decides; without one, that of the issue
    embedded in the event (its present state) does.
    """
    reason = event.get("state_reason")
    if reason is None and issue.get("state") == "closed":
        reason = issue.get("state_reason")
    return isinstance(reason, str) and reason.lower() in _UNFINISHED


def _reactions(payload: Mapping[str, Any]) -> int:
    reactions = payload.get("reactions")
    if isinstance(reactions, Mapping):
        total = reactions.get("total_count")
        if isinstance(total, int):
            return total
    return 0


_COMMIT_REPO = re.compile(r"/repos/([^/]+/[^/]+)/commits/")


def _commit_repo(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    m = _COMMIT_REPO.search(url)
    return m.group(1) if m else None
