"""Properties of the engine and planner that hold for any activity stream."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spworld import UNTIL, World, make_register

from stakeplug import Activity, Item, plan_care

ACCOUNTS = ["tess", "uma", "sam", "alex", "stranger", None]
KINDS = [
    "comment",
    "review",
    "review_comment",
    "request",
    "assigned",
    "unassigned",
    "transitioned",
    "completed",
    "reopened",
    "linked",
    "member_added",
    "reaction",
    "created",
]
VERDICTS = [None, "approved", "changes_requested", "commented", "rejected", "dismissed"]


@st.composite
def activity(draw: st.DrawFn, items: int = 6, days: int = 200) -> Activity:
    minutes = draw(st.integers(min_value=0, max_value=days * 24 * 60))
    when = UNTIL - timedelta(minutes=minutes)
    key = f"AP-{draw(st.integers(min_value=1, max_value=items))}"
    labels = ("status-report",) if key == "AP-1" else ()
    addressees = tuple(draw(st.lists(st.sampled_from(["sam", "alex", "tess", "nobody"]), max_size=2)))
    due = (
        when + timedelta(days=draw(st.integers(min_value=-5, max_value=40))) if draw(st.booleans()) else None
    )
    return Activity(
        kind=draw(st.sampled_from(KINDS)),
        actor=draw(st.sampled_from(ACCOUNTS)),
        item=Item("jira", key, url=f"https://jira.example.org/browse/{key}", labels=labels),
        timestamp=when,
        addressees=addressees,
        verdict=draw(st.sampled_from(VERDICTS)),
        due=due,
        link_type=draw(st.sampled_from([None, "blocks", "relates to"])),
        external=draw(st.booleans()),
        count=draw(st.integers(min_value=1, max_value=3)),
    )


streams = st.lists(activity(), max_size=60).map(lambda xs: sorted(xs, key=lambda a: a.timestamp))
# Few items over a few weeks: requests, answers, deadlines and completions meet often.
busy_streams = st.lists(activity(items=2, days=40), max_size=60).map(
    lambda xs: sorted(xs, key=lambda a: a.timestamp)
)
prior = st.one_of(st.none(), st.floats(min_value=-3, max_value=3))


def world(stream: list[Activity], sam_prior: float | None = None) -> World:
    sam: dict[str, object] = {"name": "Sam", "owner": "Tess", "identities": {"jira": "sam"}}
    if sam_prior is not None:
        sam["acceptance"] = sam_prior
    reg = make_register([sam, {"name": "Alex", "owner": "Uma", "power": 5, "identities": {"jira": "alex"}}])
    w = World(reg)
    w.activities = list(stream)
    return w


@settings(max_examples=150, deadline=None)
@given(streams, prior)
def test_scores_are_always_in_range(stream: list[Activity], sam_prior: float | None) -> None:
    """Acceptance stays within −3…+3, energies within 1…5, priority within 1…25."""
    for score in world(stream, sam_prior).audit().scores.values():
        assert -3.0 <= score.acceptance <= 3.0
        assert 1.0 <= score.energy <= 5.0
        assert 1.0 <= score.recent_energy <= 5.0
        assert 1.0 <= score.baseline_energy <= 5.0
        assert 1 <= score.priority <= 25
        assert all(e.weight >= 0 for e in score.evidence)


@settings(max_examples=150, deadline=None)
@given(streams, prior, st.integers(min_value=1, max_value=179))
def test_supportive_evidence_never_lowers_acceptance(
    stream: list[Activity], sam_prior: float | None, days_ago: int
) -> None:
    """Adding a supportive behaviour (raising a new item) never lowers the stakeholder's acceptance."""
    before = world(stream, sam_prior).audit().score("Sam").acceptance
    extra = Activity("created", "sam", Item("jira", "AP-NEW"), UNTIL - timedelta(days=days_ago))
    after = (
        world(sorted([*stream, extra], key=lambda a: a.timestamp), sam_prior).audit().score("Sam").acceptance
    )
    assert after >= before - 1e-12


@settings(max_examples=150, deadline=None)
@given(streams, prior, st.integers(min_value=1, max_value=179))
def test_resistance_never_raises_acceptance(
    stream: list[Activity], sam_prior: float | None, days_ago: int
) -> None:
    """Adding resistance (a blocking link on a new item) never raises the stakeholder's acceptance."""
    before = world(stream, sam_prior).audit().score("Sam").acceptance
    extra = Activity(
        "linked", "sam", Item("jira", "AP-BLOCK"), UNTIL - timedelta(days=days_ago), link_type="blocks"
    )
    after = (
        world(sorted([*stream, extra], key=lambda a: a.timestamp), sam_prior).audit().score("Sam").acceptance
    )
    assert after <= before + 1e-12


@settings(max_examples=80, deadline=None)
@given(streams)
def test_same_input_gives_the_same_audit_and_fingerprints(stream: list[Activity]) -> None:
    """The audit and the planned fingerprints are a pure function of the input."""
    first, second = world(stream).audit(), world(stream).audit()
    for name in first.scores:
        assert first.explain(name).to_dict() == second.explain(name).to_dict()
    assert [s.fingerprint for s in plan_care(first)] == [s.fingerprint for s in plan_care(second)]
    assert first.candidates == second.candidates


def _summary(stream: list[Activity]) -> tuple[dict[str, object], dict[str, tuple[float, ...]]]:
    result = world(stream).audit()
    exact: dict[str, object] = {"seen": result.activities_seen, "candidates": result.candidates}
    numbers: dict[str, tuple[float, ...]] = {}
    for name, s in result.scores.items():
        evidence = sorted((e.timestamp, e.signal.value, e.note, e.links) for e in s.evidence)
        exact[name] = (s.signal_counts, s.category, s.trend, s.at_risk, evidence, s.weekly_activity)
        numbers[name] = (
            s.acceptance,
            s.energy,
            s.recent_energy,
            s.baseline_energy,
            s.recent_rate,
            s.baseline_rate,
        )
    return exact, numbers


@settings(max_examples=200, deadline=None)
@given(busy_streams, st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=4))
def test_the_audit_does_not_depend_on_how_the_pass_cuts_the_stream(
    stream: list[Activity], part: int, parts_per_batch: int
) -> None:
    """The pass reads activities in parts and folds them in batches; any cut gives the same audit."""
    from stakeplug.engine import batches as _engine

    whole, whole_numbers = _summary(stream)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_engine, "_PART", part)
        mp.setattr(_engine, "_BATCH", part * parts_per_batch)
        cut, cut_numbers = _summary(stream)
    assert cut == whole
    for name, values in whole_numbers.items():
        assert cut_numbers[name] == pytest.approx(values, rel=1e-9, abs=1e-12)


def _with_ids(stream: list[Activity]) -> list[Activity]:
    return [attrs.evolve(a, id=f"ev-{n}") for n, a in enumerate(stream)]


@settings(max_examples=200, deadline=None)
@given(
    busy_streams.map(_with_ids),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0)), min_size=1, max_size=8),
    st.integers(min_value=1, max_value=5),
)
def test_an_activity_repeated_with_the_same_id_never_changes_the_audit(
    stream: list[Activity], repeats: list[tuple[int, int]], part: int
) -> None:
    """Delivering activities again with their ids (anywhere in the stream, across any cut) changes nothing."""
    from stakeplug.engine import batches as _engine

    whole, whole_numbers = _summary(stream)
    repeated = list(stream)
    for which, where in repeats:
        if stream:
            repeated.insert(where % (len(repeated) + 1), attrs.evolve(stream[which % len(stream)]))
    repeated.sort(key=lambda a: a.timestamp)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_engine, "_PART", part)
        again, again_numbers = _summary(repeated)
    assert again == whole
    for name, values in whole_numbers.items():
        assert again_numbers[name] == pytest.approx(values, rel=1e-9, abs=1e-12)
