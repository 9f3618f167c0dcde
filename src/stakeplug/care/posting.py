"""Turning care suggestions into task drafts, and posting them idempotently."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from stakeplug.adapter import (
    PostResult,
    TaskDraft,
    TaskRef,
    fingerprint_marker,
    task_body,
    tasks_by_fingerprint,
)
from stakeplug.domain.model import CareSuggestion
from stakeplug.errors import PostingInterruptedError, TrackerError

if TYPE_CHECKING:
    from stakeplug.adapter import Adapter
    from stakeplug.domain.register import Register

__all__ = [
    "ACTION_LABEL_PREFIX",
    "FINGERPRINT_LABEL_PREFIX",
    "TASK_LABEL",
    "fingerprint_from_labels",
    "fingerprint_from_text",
    "fingerprint_marker",
    "neutral_title",
    "post_care",
    "render_task",
]

TASK_LABEL = "stakeplug"
"""Every task stakeplug creates carries this label."""
FINGERPRINT_LABEL_PREFIX = "stakeplug-fp-"
"""A label ``stakeplug-fp-<fingerprint>`` carries the fingerprint where labels are cheap to query."""

ACTION_LABEL_PREFIX = "care:"
"""A label ``care:<action>`` names the care action; given only in a private target."""

_MARKER_RE = re.compile(r"stakeplug-fingerprint:\s*([0-9a-f]{8,64})")


def fingerprint_from_text(text: str | None) -> str | None:
    """Find a fingerprint marker in a task body, or ``None``."""
    if not text:
        return None
    m = _MARKER_RE.search(text)
    return m.group(1) if m else None


def fingerprint_from_labels(labels: Iterable[str]) -> str | None:
    """Find the ``stakeplug-fp-`` label among ``labels``, or ``None``."""
    for label in labels:
        if label.startswith(FINGERPRINT_LABEL_PREFIX):
            return label[len(FINGERPRINT_LABEL_PREFIX) :]
    return None


def neutral_title(stakeholder: str | None) -> str:
    """The title of a task in a shared target: whom it is about, not what it is for."""
    return f"Keep in touch with {stakeholder}" if stakeholder else "Keep in touch"


def render_task(
    suggestion: CareSuggestion,
    *,
    tool: str,
    register: Register | None = None,
    private: bool = False,
) -> TaskDraft:
    """Render ``suggestion`` as a task for ``tool``.

    The draft's ``wording`` is the suggestion's neutral wording (with the
    intermediary, whom it is for and the due date).  Only when the target is
    ``private`` does the draft carry the explanation (which may name scores
    and the category) and the evidence links, as fields of their own; the
    ``body`` joins what the draft carries.  An action is given only to some
    categories (``listen_to_concerns`` to critics), so it also tells the
    category: a shared target gets the :func:`neutral_title` and only the
    care and fingerprint labels; the ``care:<action>`` label and the
    action's title are for a private target.  ``assignee`` is the relationship
    owner's account in ``tool`` when the register knows it.
    """
    lines = [suggestion.wording, ""]
    if suggestion.via:
        lines += [f"Go through: {suggestion.via}", ""]
    lines.append(f"Suggested by stakeplug for {suggestion.stakeholder}; due {suggestion.due:%Y-%m-%d}.")
    wording = "\n".join(lines)
    explanation = suggestion.explanation if private else ""
    evidence = tuple(suggestion.links[:10]) if private else ()
    assignee = None
    if register is not None and suggestion.owner:
        member = register.team_member(suggestion.owner)
        if member is not None:
            assignee = member.account(tool)
    labels = [TASK_LABEL, f"{FINGERPRINT_LABEL_PREFIX}{suggestion.fingerprint}"]
    if private:
        labels.insert(1, f"{ACTION_LABEL_PREFIX}{suggestion.action.value}")
    return TaskDraft(
        title=suggestion.title if private else neutral_title(suggestion.stakeholder),
        body=task_body(wording, suggestion.fingerprint, explanation=explanation, evidence=evidence),
        labels=tuple(labels),
        fingerprint=suggestion.fingerprint,
        action=suggestion.action.value,
        stakeholder=suggestion.stakeholder,
        due=suggestion.due,
        assignee=assignee,
        wording=wording,
        explanation=explanation,
        evidence=evidence,
    )


def post_care(
    adapter: Adapter,
    suggestions: Sequence[CareSuggestion],
    *,
    register: Register | None = None,
    private: bool = False,
    dry_run: bool = True,
    tool: str | None = None,
    existing: Iterable[TaskRef] | None = None,
) -> list[PostResult]:
    """Post ``suggestions`` through ``adapter``, skipping fingerprints it already holds.

    ``existing`` are the adapter's tasks when the caller has listed them
    already (as for :func:`~stakeplug.plan_care`'s ``history``); otherwise one
    :meth:`~stakeplug.adapter.Adapter.find_tasks` call looks them up.  Then only
    the missing tasks are posted.  With ``dry_run`` (the default) nothing is
    written and every result says what would be created.

    A tracker error part-way through raises
    :class:`~stakeplug.errors.PostingInterruptedError` carrying the results
    so far, so a caller can still say which tasks exist, with their ids.
    """
    tasks = adapter.find_tasks() if existing is None else existing
    known = tasks_by_fingerprint(tasks)
    results: list[PostResult] = []
    target_tool = tool or adapter.name
    for suggestion in suggestions:
        draft = render_task(suggestion, tool=target_tool, register=register, private=private)
        found = known.get(draft.fingerprint)
        if found is not None:
            results.append(
                PostResult(draft, created=False, dry_run=dry_run, task=found, reason="already exists")
            )
            continue
        try:
            result = adapter.post_task(draft, dry_run=dry_run)
        except TrackerError as exc:
            raise _interrupted(exc, draft, results) from exc
        if result.task is not None:
            known[draft.fingerprint] = result.task
        results.append(result)
    return results


def _interrupted(exc: TrackerError, draft: TaskDraft, results: list[PostResult]) -> PostingInterruptedError:
    """The error that ends posting at ``draft``, naming the tasks created before it."""
    if isinstance(exc, PostingInterruptedError):
        return exc
    created = [r.task.id for r in results if r.created and r.task is not None]
    done = f"; created before it: {', '.join(created)}" if created else "; nothing was created before it"
    return PostingInterruptedError(
        f"posting stopped at the task for {draft.stakeholder or draft.fingerprint}: {exc}{done}",
        adapter=exc.adapter,
        status=exc.status,
        results=tuple(results),
    )
