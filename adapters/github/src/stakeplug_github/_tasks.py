"""What a care task looks like as a GitHub issue, and how an existing one is recognised.

A task is an issue labelled ``stakeplug`` and ``stakeplug-fp-<fingerprint>``,
with the fingerprint also hidden in the body as an HTML comment; in a public
repository it shows only a generic title, the neutral wording and those two
labels, so nothing tells the care action or the category.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stakeplug import (
    FINGERPRINT_LABEL_PREFIX,
    TASK_LABEL,
    TaskDraft,
    TaskRef,
    fingerprint_from_labels,
    fingerprint_from_text,
    fingerprint_marker,
)
from stakeplug_github._mapping import parse_time

__all__ = [
    "converge_note",
    "fingerprint_label",
    "hidden_marker",
    "issue_number",
    "issue_payload",
    "task_ref",
]


def task_ref(repo: str, issue: Any, *, fingerprint: str | None = None) -> TaskRef | None:
    """The task an issue is, or ``None`` when it carries no fingerprint (label or hidden marker)."""
    labels = [x["name"] if isinstance(x, Mapping) else str(x) for x in issue.get("labels") or ()]
    fp = fingerprint or fingerprint_from_labels(labels) or fingerprint_from_text(issue.get("body"))
    if not fp:
        return None
    return TaskRef(
        fingerprint=fp,
        id=f"{repo}#{issue['number']}",
        url=issue.get("html_url"),
        open=issue.get("state", "open") == "open",
        created=parse_time(issue.get("created_at")),
        closed=parse_time(issue.get("closed_at")),
    )


def hidden_marker(body: str, fingerprint: str) -> str:
    """``body`` with its fingerprint marker as an HTML comment, invisible on GitHub's pages."""
    plain = fingerprint_marker(fingerprint)
    hidden = f"<!-- {plain} -->"
    if hidden in body:
        return body
    if plain in body:
        return body.replace(plain, hidden)
    return f"{body.rstrip()}\n\n{hidden}"


def fingerprint_label(fingerprint: str) -> str:
    """The label that carries ``fingerprint``."""
    return f"{FINGERPRINT_LABEL_PREFIX}{fingerprint}"


def issue_number(ref: TaskRef) -> int:
    """The issue number of a task ``owner/name#N``."""
    return int(ref.id.rpartition("#")[2])


def converge_note(keep: TaskRef, closed: Sequence[TaskRef], *, shut: bool, ours: TaskRef) -> str:
    """What a result adds when a racing run made the same task: what was kept, and what closed."""
    if not closed and not shut:
        return ""
    note = f"; another run created the same task at the same time: kept {keep.id}"
    if shut:
        note += f"; the other run closed this run's {ours.id}"
    if closed:
        note += f", closed {', '.join(d.id for d in closed)}"
    return note


def issue_payload(draft: TaskDraft, *, public: bool) -> dict[str, Any]:
    """What the new issue shows: in a public repository nothing that tells the action or category.

    There the title is a generic one, the body the neutral wording, and the
    labels only the care label and the fingerprint label.
    """
    fp_label = fingerprint_label(draft.fingerprint)
    if public:
        title = f"Keep in touch with {draft.stakeholder}" if draft.stakeholder else "Keep in touch"
        labels = [TASK_LABEL, fp_label]
        body = hidden_marker(draft.neutral_body, draft.fingerprint)
    else:
        title = draft.title
        labels = list(dict.fromkeys([*draft.labels, TASK_LABEL, fp_label]))
        body = hidden_marker(draft.body, draft.fingerprint)
    payload: dict[str, Any] = {"title": title, "body": body, "labels": labels}
    if draft.assignee:
        payload["assignees"] = [draft.assignee]
    return payload
