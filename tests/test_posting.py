"""Task drafts carry privacy as data: neutral wording, explanation and evidence are separate fields."""

from __future__ import annotations

from typing import Any

from spworld import World, make_register

from stakeplug import CareSuggestion, TaskDraft, plan_care, post_care, render_task
from stakeplug.adapter import task_body
from stakeplug.testing import MemoryAdapter


def _suggestion_with_evidence() -> CareSuggestion:
    reg = make_register(
        [{"name": "Pia", "owner": "Tess", "power": 4, "interest": 4, "identities": {"jira": "pia"}}]
    )
    w = World(reg)
    for week in range(20):
        for j in range(3):
            w.act("comment", "pia", f"AP-{week * 3 + j}", week * 7 + j + 0.5)
    suggestion = next(s for s in plan_care(w.audit()) if s.links)
    return suggestion


def test_a_private_draft_carries_wording_explanation_and_evidence_as_separate_fields() -> None:
    """For a private target the why and the links are fields of their own, and the body joins them."""
    suggestion = _suggestion_with_evidence()
    draft = render_task(suggestion, tool="jira", private=True)
    assert draft.wording.startswith(suggestion.wording)
    assert "acceptance" not in draft.wording
    assert draft.explanation == suggestion.explanation
    assert draft.evidence == suggestion.links[:10]
    assert draft.evidence and all(link.startswith("https://jira.example.org/") for link in draft.evidence)
    assert draft.body == task_body(
        draft.wording, draft.fingerprint, explanation=draft.explanation, evidence=draft.evidence
    )


def test_a_shared_draft_carries_no_explanation_or_evidence_at_all() -> None:
    """For a target not declared private the draft holds neither the why nor the links, not even hidden."""
    suggestion = _suggestion_with_evidence()
    draft = render_task(suggestion, tool="jira")
    assert draft.explanation == "" and draft.evidence == ()
    assert draft.body == draft.neutral_body
    assert not any(link in draft.body for link in suggestion.links)


def test_the_neutral_body_is_the_wording_and_the_marker_whatever_the_draft_carries() -> None:
    """An adapter showing a public place takes the neutral body: the same text as a shared target gets."""
    suggestion = _suggestion_with_evidence()
    private = render_task(suggestion, tool="jira", private=True)
    shared = render_task(suggestion, tool="jira")
    assert private.neutral_body == shared.body
    assert private.explanation not in private.neutral_body
    assert private.neutral_body.endswith(f"stakeplug-fingerprint: {suggestion.fingerprint}")


def test_a_hand_built_draft_without_wording_shows_its_body_everywhere() -> None:
    """A draft built with a body alone (as plugins and the conformance kit do) is neutral as given."""
    draft = TaskDraft(
        "t", "Plain text.\n\nstakeplug-fingerprint: 0123456789abcdef", (), "0123456789abcdef", "x", "P"
    )
    assert draft.neutral_body == draft.body


def test_posting_to_a_private_target_hands_the_adapter_the_fields() -> None:
    """post_care passes the separate fields on, so the task target can decide what to show."""
    suggestion = _suggestion_with_evidence()
    target = MemoryAdapter()
    [result] = post_care(target, [suggestion], private=True, dry_run=False)
    assert result.created
    stored: Any = target.drafts[suggestion.fingerprint]
    assert stored.explanation == suggestion.explanation and stored.evidence == suggestion.links[:10]


def test_a_shared_draft_shows_neither_the_action_label_nor_the_actions_title() -> None:
    """Outside a private target the draft's labels are the care and fingerprint labels, its title generic."""
    suggestion = _suggestion_with_evidence()
    shared = render_task(suggestion, tool="jira")
    assert shared.labels == ("stakeplug", f"stakeplug-fp-{suggestion.fingerprint}")
    assert shared.title == f"Keep in touch with {suggestion.stakeholder}"
    assert suggestion.action.value not in shared.title + " ".join(shared.labels)
    private = render_task(suggestion, tool="jira", private=True)
    assert private.title == suggestion.title
    assert f"care:{suggestion.action.value}" in private.labels
