"""From Jira issue payloads to stakeplug activities: pure functions, no HTTP.

One issue from the search (fields, inline comments, inline changelog; the
adapter completes comments and changelog first when the inline pages were
cut short) becomes:

* ``CREATED`` by the creator (or the reporter) at ``created``;
* ``COMMENT`` for each comment, addressed to the people it mentions —
  ``[~accountid:…]`` (Cloud wiki markup), ``[~name]`` (Server) or ``mention``
  nodes of the Atlassian Document Format (API v3).  The body is read for the
  mentions and then dropped;
* ``ASSIGNED`` / ``UNASSIGNED`` for assignee changes in the changelog, by the
  person who made the change, with the issue's due date on assignments;
* ``COMPLETED`` (status category becomes *done*: addressed to the assignee of
  that moment, with the due date), ``REOPENED`` (from *done* back to another
  category) and ``TRANSITIONED`` (any other status change);
* ``LINKED`` for each current issue link, ``external`` when the other issue
  belongs to another project, with the author and time of the changelog's
  ``Link`` entry when there is one (else no actor, at the issue's creation).

A payload that cannot be read raises :class:`Malformed` with the reason; the
adapter skips that issue and reports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from stakeplug import Activity, ActivityKind, Item, ItemKind

__all__ = [
    "Malformed",
    "issue_activities",
    "mentions",
    "parse_date",
    "parse_timestamp",
    "user_id",
]

_WIKI_MENTION = re.compile(r"\[~(?:accountid:)?([^\]\s|]+)\]")


class Malformed(ValueError):
    """An issue payload is missing a field or has one of the wrong shape."""


def user_id(user: Any) -> str | None:
    """The account of a Jira user object: ``accountId`` on Cloud, ``name`` (or ``key``) on Server."""
    if not isinstance(user, Mapping):
        return None
    for key in ("accountId", "name", "key"):
        value = user.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def display_name(user: Any) -> str | None:
    """The name Jira shows for a user object (``displayName``), when it has one."""
    if not isinstance(user, Mapping):
        return None
    value = user.get("displayName")
    return value if isinstance(value, str) and value.strip() else None


def parse_timestamp(value: Any, what: str) -> datetime:
    """Read Jira's ``2021-01-17T12:34:00.000+0000`` as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        raise Malformed(f"{what} is missing")
    try:  # Python 3.11's fromisoformat reads Jira's offsets without a colon too
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Malformed(f"{what} is not a timestamp: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise Malformed(f"{what} has no time zone: {value[:40]!r}")
    return parsed.astimezone(UTC)


def _inline(page: Any, entries: str, malformed: str) -> list[Any]:
    """The ``entries`` list of a page that came inline with the issue; none when it is absent."""
    if page is None:
        return []
    if isinstance(page, Mapping) and isinstance(page.get(entries), list):
        return page[entries]  # type: ignore[no-any-return]
    raise Malformed(malformed)


def parse_date(value: Any, what: str) -> datetime | None:
    """Read a Jira date (``2026-03-01``) as the end of that day in UTC, or ``None`` when unset.

    A due date is kept when the work is done at any time on that day.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Malformed(f"{what} is not a date: {value!r}")
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise Malformed(f"{what} is not a date: {value[:40]!r}") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def mentions(body: Any) -> tuple[str, ...]:
    """The accounts a comment body mentions, in order, without repeats.

    Understands wiki markup (API v2: ``[~accountid:5b10…]`` on Cloud,
    ``[~jsmith]`` on Server) and Atlassian Document Format (API v3).
    """
    found: list[str] = []
    if isinstance(body, str):
        found = _WIKI_MENTION.findall(body)
    elif isinstance(body, Mapping):
        stack: list[Any] = [body]
        while stack:
            node = stack.pop()
            if isinstance(node, Mapping):
                if node.get("type") == "mention":
                    attrs = node.get("attrs")
                    if isinstance(attrs, Mapping) and isinstance(attrs.get("id"), str):
                        found.append(attrs["id"])
                content = node.get("content")
                if isinstance(content, list):
                    stack.extend(reversed(content))
            elif isinstance(node, list):
                stack.extend(reversed(node))
    return tuple(dict.fromkeys(a for a in found if a))


def _fields(issue: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    key = issue.get("key")
    if not isinstance(key, str) or not key:
        raise Malformed("the issue has no key")
    fields = issue.get("fields")
    if not isinstance(fields, Mapping):
        raise Malformed(f"{key}: the issue has no fields")
    return key, fields


def _project_of(key: str) -> str:
    return key.rsplit("-", 1)[0]


def issue_activities(
    issue: Mapping[str, Any],
    *,
    base_url: str,
    comments: Sequence[Any] | None = None,
    histories: Sequence[Any] | None = None,
    category_of: Callable[[str | None, str | None], str | None],
) -> tuple[Item, list[Activity]]:
    """Translate one issue into its :class:`~stakeplug.Item` and activities (unsorted).

    ``comments`` and ``histories`` replace the inline pages when the adapter
    fetched the complete lists.  ``category_of(status_id, status_name)`` gives
    a status's category key (``new``, ``indeterminate``, ``done``).
    """
    key, f = _fields(issue)
    project = f.get("project")
    project_key = _project_of(key)
    if isinstance(project, Mapping) and isinstance(project.get("key"), str):
        project_key = project["key"]
    summary = f.get("summary")
    labels = f.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise Malformed(f"{key}: labels is not a list of strings")
    item = Item(
        tool="jira",
        id=key,
        url=f"{base_url.rstrip('/')}/browse/{key}",
        title=summary if isinstance(summary, str) else None,
        labels=tuple(labels),
        kind=ItemKind.TASK,
        project=project_key,
    )
    created = parse_timestamp(f.get("created"), f"{key}: fields.created")
    due = parse_date(f.get("duedate"), f"{key}: fields.duedate")
    out: list[Activity] = []

    creator_user = f.get("creator") if user_id(f.get("creator")) else f.get("reporter")
    creator = user_id(creator_user)
    out.append(
        Activity(
            ActivityKind.CREATED,
            creator,
            item,
            created,
            id=f"{key}#created",
            actor_name=display_name(creator_user),
        )
    )

    if comments is None:
        comments = _inline(f.get("comment"), "comments", f"{key}: fields.comment is not a comment page")
    for c in comments:
        if not isinstance(c, Mapping):
            raise Malformed(f"{key}: a comment is not an object")
        cid = c.get("id")
        when = parse_timestamp(c.get("created"), f"{key}: comment {cid} created")
        out.append(
            Activity(
                ActivityKind.COMMENT,
                user_id(c.get("author")),
                item,
                when,
                addressees=mentions(c.get("body")),
                id=f"{key}#comment-{cid}",
                actor_name=display_name(c.get("author")),
            )
        )

    if histories is None:
        histories = _inline(issue.get("changelog"), "histories", f"{key}: changelog is not a changelog page")
    parsed: list[tuple[datetime, str, Mapping[str, Any]]] = []
    for h in histories:
        if not isinstance(h, Mapping) or not isinstance(h.get("items"), list):
            raise Malformed(f"{key}: a changelog entry has no items")
        when = parse_timestamp(h.get("created"), f"{key}: changelog {h.get('id')} created")
        parsed.append((when, str(h.get("id")), h))
    parsed.sort(key=lambda x: (x[0], x[1]))

    aliases = _key_aliases(
        [f.get("assignee"), f.get("reporter"), f.get("creator")]
        + [c.get("author") for c in comments if isinstance(c, Mapping)]
        + [h.get("author") for _, _, h in parsed]
    )
    current_assignee = user_id(f.get("assignee"))
    first_assign = next(
        (
            it
            for _, _, h in parsed
            for it in h["items"]
            if isinstance(it, Mapping) and it.get("field") == "assignee"
        ),
        None,
    )
    assignee = _account(first_assign.get("from"), aliases) if first_assign is not None else current_assignee
    link_authors: dict[str, tuple[str | None, datetime]] = {}
    completed_seen = False

    for when, hid, h in parsed:
        actor, name = user_id(h.get("author")), display_name(h.get("author"))
        for n, it in enumerate(h["items"]):
            if not isinstance(it, Mapping):
                raise Malformed(f"{key}: changelog {hid} has an item that is not an object")
            field = it.get("field")
            aid = f"{key}#history-{hid}-{n}"
            if field == "assignee":
                old, new = _account(it.get("from"), aliases), _account(it.get("to"), aliases)
                if old:
                    out.append(
                        Activity(
                            ActivityKind.UNASSIGNED,
                            actor,
                            item,
                            when,
                            addressees=(old,),
                            id=aid + "-from",
                            actor_name=name,
                        )
                    )
                if new:
                    out.append(
                        Activity(
                            ActivityKind.ASSIGNED,
                            actor,
                            item,
                            when,
                            addressees=(new,),
                            due=due,
                            id=aid,
                            actor_name=name,
                        )
                    )
                assignee = new or None
            elif field == "status":
                before = category_of(_str(it.get("from")), _str(it.get("fromString")))
                after = category_of(_str(it.get("to")), _str(it.get("toString")))
                if after == "done" and before != "done":
                    completed_seen = True
                    out.append(
                        Activity(
                            ActivityKind.COMPLETED,
                            actor,
                            item,
                            when,
                            addressees=(assignee,) if assignee else (),
                            due=due,
                            id=aid,
                            actor_name=name,
                        )
                    )
                elif before == "done" and after != "done":
                    out.append(Activity(ActivityKind.REOPENED, actor, item, when, id=aid, actor_name=name))
                else:
                    out.append(
                        Activity(ActivityKind.TRANSITIONED, actor, item, when, id=aid, actor_name=name)
                    )
            elif field == "Link" and it.get("to"):
                link_authors[str(it.get("to"))] = (actor, when)

    resolved = f.get("resolutiondate")
    if not completed_seen and resolved:
        status = f.get("status")
        status_cat = None
        if isinstance(status, Mapping):
            cat = status.get("statusCategory")
            status_cat = cat.get("key") if isinstance(cat, Mapping) else None
        if status_cat == "done":
            when = parse_timestamp(resolved, f"{key}: fields.resolutiondate")
            who = current_assignee
            out.append(
                Activity(
                    ActivityKind.COMPLETED,
                    who,
                    item,
                    when,
                    addressees=(who,) if who else (),
                    due=due,
                    id=f"{key}#resolved",
                    details={"from": "resolutiondate"},
                    actor_name=display_name(f.get("assignee")),
                )
            )

    links = f.get("issuelinks") or []
    if not isinstance(links, list):
        raise Malformed(f"{key}: issuelinks is not a list")
    for link in links:
        out.extend(_link(link, key, item, project_key, created, link_authors))
    return item, out


def _key_aliases(users: Sequence[Any]) -> dict[str, str]:
    """Every other handle of a user in the issue, mapped to the account :func:`user_id` gives.

    Changelogs may name a user differently from the rest of the issue:
    Server/Data Center by key (``JIRAUSER10100``) where users are named, and
    Cloud assignee changes by username where the actors are account ids.  The
    user objects of the same issue carry both, so each person is one identity.
    """
    aliases: dict[str, str] = {}
    for user in users:
        account = user_id(user)
        if account is None:
            continue
        for field in ("name", "key"):
            handle = user.get(field)
            if isinstance(handle, str) and handle and handle != account:
                aliases.setdefault(handle, account)
    return aliases


def _account(value: Any, aliases: Mapping[str, str]) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return aliases.get(value, value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _link(
    link: Any,
    key: str,
    item: Item,
    project_key: str,
    created: datetime,
    authors: Mapping[str, tuple[str | None, datetime]],
) -> Iterator[Activity]:
    if not isinstance(link, Mapping) or not isinstance(link.get("type"), Mapping):
        raise Malformed(f"{key}: an issue link has no type")
    ltype = link["type"]
    if isinstance(link.get("outwardIssue"), Mapping):
        other, phrase = link["outwardIssue"], ltype.get("outward")
    elif isinstance(link.get("inwardIssue"), Mapping):
        other, phrase = link["inwardIssue"], ltype.get("inward")
    else:
        raise Malformed(f"{key}: an issue link has neither an inward nor an outward issue")
    other_key = other.get("key")
    if not isinstance(other_key, str):
        raise Malformed(f"{key}: a linked issue has no key")
    actor, when = authors.get(other_key, (None, created))
    yield Activity(
        ActivityKind.LINKED,
        actor,
        item,
        when,
        link_type=str(phrase or ltype.get("name") or "relates to"),
        external=_project_of(other_key).casefold() != project_key.casefold(),
        id=f"{key}#link-{link.get('id')}",
        details={"other": other_key, "other_project": _project_of(other_key)},
    )
