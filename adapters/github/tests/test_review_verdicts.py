"""Line comments of a pull request review carry that review's verdict, through REST and GraphQL alike.

The review is the recorded one in ``data/sourcegraph-review-changes-requested.json`` (see its
attribution); the review comments follow REST's documented shape for ``/pulls/comments``, whose
``pull_request_review_id`` is the review's REST ``id`` and GraphQL ``databaseId``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stakeplug_github import GitHubAdapter
from stakeplug_github._graphql import rest_review
from stakeplug_github._mapping import Translator
from stakeplug_github.testing import FakeGitHub

from stakeplug import ActivityKind, Verdict, audit
from stakeplug.config.register import register_from_mapping

Make = Callable[..., GitHubAdapter]
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
WINDOW = (T0 - timedelta(days=1), T0 + timedelta(days=30))


def _line_comment(review_id: int | None, comment_id: int, pr: int = 596) -> dict[str, Any]:
    api = "https://api.github.com/repos/sourcegraph/sourcegraph"
    return {
        "url": f"{api}/pulls/comments/{comment_id}",
        "pull_request_review_id": review_id,
        "id": comment_id,
        "user": {"login": "ijsnow", "type": "User"},
        "body": "this belongs in packages/",
        "created_at": "2018-10-30T17:20:00Z",
        "updated_at": "2018-10-30T17:20:00Z",
        "html_url": f"https://github.com/sourcegraph/sourcegraph/pull/{pr}#discussion_r{comment_id}",
        "pull_request_url": f"{api}/pulls/{pr}",
    }


def test_a_recorded_review_gives_its_verdict_to_its_line_comments(load: Callable[[str], Any]) -> None:
    """A comment naming the recorded changes-requested review by id becomes part of that review."""
    node = copy.deepcopy(load("sourcegraph-review-changes-requested.json")["review_node"])
    # The recorded query asked for createdAt; the adapter's asks for submittedAt, which a submitted
    # review has as well.
    node["submittedAt"] = node["createdAt"]
    tr = Translator("sourcegraph/sourcegraph")
    line = tr.review_comment(_line_comment(node["databaseId"], 1))
    review = tr.review(596, rest_review(node))
    assert review is not None and review.verdict is Verdict.CHANGES_REQUESTED
    joined = tr.with_review_verdict(line)
    assert joined.kind is ActivityKind.REVIEW_COMMENT
    assert joined.verdict is Verdict.CHANGES_REQUESTED
    assert (joined.id, joined.actor, joined.item) == (line.id, line.actor, line.item)


def test_a_line_comment_whose_review_was_not_read_stays_a_plain_comment(load: Callable[[str], Any]) -> None:
    """Without its review (or without a review id) a line comment keeps no verdict rather than a guessed one."""
    tr = Translator("sourcegraph/sourcegraph")
    tr.review(596, rest_review(load("sourcegraph-review-changes-requested.json")["review_node"]))
    for payload in (_line_comment(12345, 2), _line_comment(None, 3)):
        assert tr.with_review_verdict(tr.review_comment(payload)).verdict is None


@pytest.mark.parametrize("via", ["graphql", "rest"])
def test_collected_line_comments_carry_their_reviews_verdicts(
    fake: FakeGitHub, make_adapter: Make, via: str
) -> None:
    """Approved, changes-requested and commenting reviews each lend their verdict; a loose comment none."""
    repo = fake.add_repo("acme/apollo")
    pr = repo.open_issue("ann", "Add CSV export", T0, pr=True)
    verdicts = {}
    for n, state in enumerate(["CHANGES_REQUESTED", "APPROVED", "COMMENTED"]):
        review = repo.review(pr.number, "rev", state, T0 + (2 * n + 2) * H)
        comment = repo.review_comment(
            pr.number, "rev", f"line {n}", T0 + (2 * n + 1) * H, review_id=review.id
        )
        verdicts[f"acme/apollo:review_comment:{comment.id}"] = Verdict(state.lower())
    loose = repo.review_comment(pr.number, "rev", "a stray note", T0 + 9 * H)
    verdicts[f"acme/apollo:review_comment:{loose.id}"] = None
    acts = list(make_adapter(repo="acme/apollo", reviews_via=via).collect(*WINDOW))
    found = {a.id.removeprefix("github:"): a.verdict for a in acts if a.kind is ActivityKind.REVIEW_COMMENT}
    assert found == verdicts


def test_a_reviewer_whose_line_comments_hold_the_work_back_is_not_an_eager_participant(
    fake: FakeGitHub, make_adapter: Make
) -> None:
    """Comments of reviews requesting changes are neither unasked contributions nor participation."""
    repo = fake.add_repo("acme/apollo")
    for week in range(12):
        at = T0 - timedelta(days=7 * week)
        pr = repo.open_issue("ann", f"Change {week}", at, pr=True)
        review = repo.review(pr.number, "rev", "CHANGES_REQUESTED", at + 3 * H)
        for n in range(3):
            repo.review_comment(pr.number, "rev", f"not like this ({n})", at + 2 * H, review_id=review.id)
    register = register_from_mapping(
        {
            "project": {"name": "Apollo"},
            "team": [{"name": "Ann", "identities": {"github": "ann"}}],
            "stakeholders": [{"name": "Rob", "owner": "Ann", "identities": {"github": "rev"}}],
        }
    )
    source = make_adapter(repo="acme/apollo")
    result = audit(register, [("code", source)], since=T0 - timedelta(days=90), until=T0 + timedelta(days=1))
    rob = result.score("Rob")
    assert rob.signal_counts.get("requests_changes") == 12
    assert "approaches_informally" not in rob.signal_counts
    assert "participates_actively" not in rob.signal_counts
    assert str(rob.category) != "partner"
