"""Seed a fake repository with a generated, reproducible history of any size.

The generator draws from a seeded :class:`random.Random`, so the same
arguments always give the same repository: tests can assert exact request
counts and benchmarks compare like with like.  It produces everything the
adapter reads: issues and pull requests, comments with mentions (and
decoys: code spans, e-mail addresses, quoted lines), review comments,
reviews of every state, assignments (some self-assignments), review requests,
closes, merges, reopens, labels, references from another repository, and a
sprinkling of deleted accounts (``user: null`` and the ``ghost`` login).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from stakeplug_github.testing._state import GHOST, FakeRepo

__all__ = ["generate_repo", "user_logins"]

_REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING")
_REVIEW_WEIGHTS = (40, 20, 33, 4, 3)


def user_logins(count: int) -> list[str]:
    """The logins the generator uses: ``user00``, ``user01``, ..."""
    return [f"user{i:02d}" for i in range(count)]


def _at(rng: random.Random, low: datetime, high: datetime) -> datetime:
    span = int((high - low).total_seconds())
    return low + timedelta(seconds=rng.randrange(span)) if span > 1 else low


def generate_repo(
    repo: FakeRepo,
    *,
    issues: int = 20,
    prs: int = 10,
    comments: int | None = None,
    review_comments: int | None = None,
    reviews: int | None = None,
    users: int = 30,
    start: datetime | None = None,
    end: datetime | None = None,
    seed: int = 0,
    ghosts: bool = True,
    external_repo: str = "elsewhere-org/other-project",
) -> FakeRepo:
    """Fill ``repo`` with ``issues`` issues and ``prs`` pull requests and their history.

    ``comments`` defaults to four per item, ``review_comments`` to two per pull
    request and ``reviews`` to three per pull request.  Everything happens
    between ``start`` and ``end`` (default: the 90 days before 2026-11-01).
    """
    rng = random.Random(seed)
    end = end or datetime(2026, 11, 1, tzinfo=UTC)
    start = start or end - timedelta(days=90)
    people = user_logins(users)
    if comments is None:
        comments = 4 * (issues + prs)
    if review_comments is None:
        review_comments = 2 * prs
    if reviews is None:
        reviews = 3 * prs

    def someone() -> str | None:
        if ghosts:
            roll = rng.random()
            if roll < 0.01:
                return None
            if roll < 0.02:
                return GHOST
        return rng.choice(people)

    latest_open = end - (end - start) / 3
    kinds = [False] * issues + [True] * prs
    rng.shuffle(kinds)
    pr_numbers: list[int] = []
    for n, is_pr in enumerate(kinds, 1):
        opened = _at(rng, start, latest_open)
        author = someone()
        due = opened + timedelta(days=rng.randrange(7, 60)) if rng.random() < 0.3 else None
        body = None
        if rng.random() < 0.5:
            body = f"Please have a look, @{rng.choice(people)}."
        issue = repo.open_issue(
            author,
            f"{'Change' if is_pr else 'Issue'} {n}: item for the seeded history",
            opened,
            pr=is_pr,
            body=body,
            milestone_due=due,
            reactions=rng.choice((0, 0, 0, 1, 2, 5)),
        )
        if is_pr:
            pr_numbers.append(issue.number)
        t = opened
        if rng.random() < 0.1:
            t = _at(rng, t, end)
            repo.add_label(n, someone(), rng.choice(("bug", "enhancement", "question")), t)
        if is_pr:
            for reviewer in rng.sample(people, rng.choice((0, 1, 1, 2))):
                t = _at(rng, t, min(end, t + timedelta(days=2)))
                repo.request_review(n, author, reviewer, t)
        if rng.random() < 0.5:
            t = _at(rng, t, min(end, t + timedelta(days=3)))
            assignee = author if (author and author != GHOST and rng.random() < 0.3) else rng.choice(people)
            actor = assignee if rng.random() < 0.3 else someone()
            repo.assign(n, actor, assignee, t)
            if rng.random() < 0.1:
                t = _at(rng, t, min(end, t + timedelta(days=5)))
                repo.unassign(n, assignee if rng.random() < 0.5 else someone(), assignee, t)
        if rng.random() < 0.05:
            t = _at(rng, t, min(end, t + timedelta(days=5)))
            repo.reference(n, someone(), external_repo, t)
        roll = rng.random()
        if is_pr and roll < 0.5:
            t = _at(rng, t, min(end, t + timedelta(days=10)))
            repo.merge(n, someone(), t)
        elif roll < (0.65 if is_pr else 0.4):
            t = _at(rng, t, min(end, t + timedelta(days=10)))
            repo.close(n, someone(), t)
            if rng.random() < 0.1:
                repo.reopen(n, someone(), _at(rng, t, min(end, t + timedelta(days=5))))

    numbers = list(repo.issues)
    for _ in range(comments):
        n = rng.choice(numbers)
        at = _at(rng, repo.issues[n].created_at, end)
        roll = rng.random()
        if roll < 0.35:
            text = f"@{rng.choice(people)} what do you think about this?"
        elif roll < 0.40:
            text = "Use the `@property` decorator here, or mail me at jo@example.com."
        elif roll < 0.43:
            text = f"> @{rng.choice(people)} wrote earlier\n\nAgreed."
        else:
            text = "Thanks, looks good to me."
        repo.comment(n, someone(), text, at, reactions=rng.choice((0, 0, 1, 3)))

    if pr_numbers:
        review_ids: dict[int, list[int]] = {}
        for _ in range(reviews):
            n = rng.choice(pr_numbers)
            state = rng.choices(_REVIEW_STATES, _REVIEW_WEIGHTS)[0]
            submitted = _at(rng, repo.issues[n].created_at, end)
            text = f"@{rng.choice(people)} see my notes" if rng.random() < 0.2 else ""
            review = repo.review(n, someone(), state, None if state == "PENDING" else submitted, body=text)
            review_ids.setdefault(n, []).append(review.id)
        last: dict[int, int] = {}
        for _ in range(review_comments):
            n = rng.choice(pr_numbers)
            when = _at(rng, repo.issues[n].created_at, end)
            text = f"nit: rename this, @{rng.choice(people)}?" if rng.random() < 0.3 else "nit"
            rid = rng.choice(review_ids[n]) if n in review_ids else None
            reply = last.get(n) if rng.random() < 0.3 else None
            c = repo.review_comment(n, someone(), text, when, review_id=rid, in_reply_to=reply)
            last[n] = c.id
    return repo
