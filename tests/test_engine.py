"""The engine's behaviour and resistance rules, scores, map, trends and explanations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from spworld import UNTIL, World, make_register

from stakeplug import (
    Activity,
    Category,
    Item,
    ItemKind,
    SourceStats,
    Trend,
    audit,
    load_rules,
)
from stakeplug.errors import ConfigError, UnavailableError

# -- request → answer ----------------------------------------------------------


def test_mention_answered_soon_is_answers_messages_and_makes_time() -> None:
    """A team mention answered by the stakeholder within hours evidences answering and making time."""
    w = World()
    w.act("comment", "tess", "AP-1", 10, addressees=("sam",))
    w.act("comment", "sam", "AP-1", 10, hours=5)
    assert w.signals() == {"answers_messages": 1, "makes_time": 1, "participates_actively": 1}


def test_review_request_answered_by_review_keeps_the_agreement() -> None:
    """A requested review delivered days later is a response and a kept agreement, but not 'quick'."""
    w = World()
    w.act("request", "tess", "AP-2", 20, addressees=("sam",), details={"request_kind": "review"})
    w.act("review", "sam", "AP-2", 17, verdict="approved")
    assert w.signals() == {"keeps_agreements": 1, "participates_actively": 1, "responds_to_requests": 1}


def test_question_left_unanswered_is_resistance() -> None:
    """A request with no answer within answer_days is counted as left unanswered at its deadline."""
    w = World()
    w.act("request", "tess", "AP-3", 30, addressees=("sam",))
    score = w.audit().score("Sam")
    assert score.signal_counts == {"leaves_requests_unanswered": 1}
    (evidence,) = score.evidence
    assert evidence.timestamp == w.at(30) + timedelta(days=7)
    assert evidence.links == ("https://jira.example.org/browse/AP-3",)


def test_a_late_answer_is_not_an_answer() -> None:
    """Acting after the answer window closes leaves the request unanswered; the comment counts as unasked."""
    w = World()
    w.act("comment", "tess", "AP-3", 30, addressees=("sam",))
    w.act("comment", "sam", "AP-3", 21)
    assert w.signals() == {
        "approaches_informally": 1,
        "leaves_requests_unanswered": 1,
        "participates_actively": 1,
    }


def test_answer_window_is_a_rule() -> None:
    """Overriding windows.answer_days changes what counts as answered."""
    w = World()
    w.act("comment", "tess", "AP-3", 30, addressees=("sam",))
    w.act("comment", "sam", "AP-3", 21)
    assert w.signals(rules={"windows": {"answer_days": 10}}) == {
        "answers_messages": 1,
        "participates_actively": 1,
    }


def test_request_still_open_at_the_end_of_the_window_is_not_judged() -> None:
    """A request whose deadline lies after `until` is neither answered nor unanswered yet."""
    w = World()
    w.act("request", "tess", "AP-4", 2, addressees=("sam",))
    assert w.signals() == {}


def test_requests_only_come_from_the_team() -> None:
    """A stakeholder mentioning another stakeholder opens no request."""
    w = World()
    w.act("comment", "alex", "AP-5", 30, addressees=("sam",))
    assert w.signals() == {}


# -- due date → completion -----------------------------------------------------


def test_assignment_completed_by_due_date_is_kept() -> None:
    """Work assigned with a due date and completed before it is a kept agreement."""
    w = World()
    w.act("assigned", "tess", "AP-6", 20, addressees=("sam",), due=w.at(10))
    w.act("completed", "sam", "AP-6", 12, addressees=("sam",))
    assert w.signals() == {"keeps_agreements": 1, "makes_time": 1}


def test_assignment_completed_late_is_missed() -> None:
    """Completing after the due date plus grace is a missed agreement (and still moving work)."""
    w = World()
    w.act("assigned", "tess", "AP-6", 20, addressees=("sam",), due=w.at(10))
    w.act("completed", "sam", "AP-6", 5, addressees=("sam",))
    signals = w.signals()
    assert signals["misses_agreements"] == 1
    assert "keeps_agreements" not in signals


def test_assignment_never_completed_is_missed_when_the_due_date_passes() -> None:
    """An open agreement is missed once its due date plus grace has passed inside the window."""
    w = World()
    w.act("assigned", "tess", "AP-7", 20, addressees=("sam",), due=w.at(10))
    assert w.signals() == {"misses_agreements": 1}


def test_agreement_due_after_the_window_is_not_judged() -> None:
    """A due date after `until` is not missed yet."""
    w = World()
    w.act("assigned", "tess", "AP-7", 5, addressees=("sam",), due=w.at(-3))
    assert w.signals() == {}


def test_completion_carrying_its_due_date_is_judged_for_the_assignee() -> None:
    """Trackers that report due date and assignee on completion (Jira) are judged directly."""
    w = World()
    w.act("completed", "tess", "AP-8", 10, addressees=("sam",), due=w.at(12))
    assert w.signals() == {"misses_agreements": 1}
    w2 = World()
    w2.act("completed", "tess", "AP-8", 10, addressees=("sam",), due=w2.at(9))
    assert w2.signals() == {"keeps_agreements": 1}


def test_unassigning_oneself_is_resistance_and_drops_the_agreement() -> None:
    """Unassigning oneself is resistance; the agreement then cannot also be missed."""
    w = World()
    w.act("assigned", "tess", "AP-9", 20, addressees=("sam",), due=w.at(10))
    w.act("unassigned", "sam", "AP-9", 18, addressees=("sam",))
    assert w.signals() == {"unassigns_self": 1}


def test_completion_after_the_agreement_lapsed_is_a_miss_at_the_deadline() -> None:
    """An agreement lapses when its due date plus grace passes; a later completion does not revive it."""
    w = World()
    w.act("assigned", "tess", "AP-6", 20, addressees=("sam",), due=w.at(10))
    w.act("completed", "sam", "AP-6", 5, addressees=("sam",))
    score = w.audit().score("Sam")
    (missed,) = [e for e in score.evidence if e.signal.value == "misses_agreements"]
    grace = timedelta(days=load_rules().due_grace_days)
    assert missed.timestamp == w.at(10) + grace
    assert missed.note == "not completed by the agreed due date"


def test_unassigning_after_the_due_date_passed_still_counts_the_miss() -> None:
    """Dropping work after its agreement lapsed does not erase the missed agreement."""
    w = World()
    w.act("assigned", "tess", "AP-9", 20, addressees=("sam",), due=w.at(10))
    w.act("unassigned", "sam", "AP-9", 5, addressees=("sam",))
    assert w.signals() == {"misses_agreements": 1, "unassigns_self": 1}


def test_reassigning_after_the_due_date_passed_counts_the_first_miss() -> None:
    """A new assignment of the same item does not hide the lapse of the earlier one."""
    w = World()
    w.act("assigned", "tess", "AP-9", 30, addressees=("sam",), due=w.at(25))
    w.act("assigned", "tess", "AP-9", 15, addressees=("sam",), due=w.at(12))
    w.act("completed", "sam", "AP-9", 13, addressees=("sam",))
    signals = w.signals()
    assert signals["misses_agreements"] == 1
    assert signals["keeps_agreements"] == 1


def test_asking_again_after_a_request_lapsed_opens_a_new_request() -> None:
    """The first request lapses unanswered; the second one, asked later, is answered (within a day)."""
    w = World()
    w.act("comment", "tess", "AP-3", 30, addressees=("sam",))
    w.act("comment", "tess", "AP-3", 20, addressees=("sam",))
    w.act("comment", "sam", "AP-3", 19)
    assert w.signals() == {
        "answers_messages": 1,
        "leaves_requests_unanswered": 1,
        "makes_time": 1,
        "participates_actively": 1,
    }


def test_the_newest_unanswered_requests_stay_as_evidence_whatever_order_they_are_noticed_in() -> None:
    """A lapse noticed when the item is touched again may come before earlier deadlines are checked;
    the evidence still keeps the newest lapses, by deadline."""
    w = World()
    for n in range(12):
        w.act("comment", "tess", f"AP-{100 + n}", 40, addressees=("sam",))
    w.act("comment", "tess", "AP-3", 39, addressees=("sam",))
    # Asking again on AP-3 after its deadline notices that lapse before the twelve older ones.
    w.act("comment", "tess", "AP-3", 31, addressees=("sam",))
    score = w.audit().score("Sam")
    assert score.signal_counts == {"leaves_requests_unanswered": 14}
    kept = [e for e in score.evidence if e.signal.value == "leaves_requests_unanswered"]
    assert len(kept) == 12
    assert [e.timestamp for e in kept[:2]] == [w.at(31) + timedelta(days=7), w.at(39) + timedelta(days=7)]
    assert kept[1].links == ("https://jira.example.org/browse/AP-3",)
    assert {e.timestamp for e in kept[2:]} == {w.at(40) + timedelta(days=7)}


def test_an_unanswered_request_counts_in_the_period_of_its_deadline() -> None:
    """With an energy weight, a lapse shows in recent energy when its deadline is recent, else in the baseline."""
    rules = {"signals": {"leaves_requests_unanswered": {"energy": 1.0}}}
    w = World()
    w.act("request", "tess", "AP-3", 30, addressees=("sam",))
    recent = w.audit(rules=rules).score("Sam")
    assert recent.recent_energy > 1.0
    assert recent.baseline_energy == 1.0
    w = World()
    w.act("request", "tess", "AP-3", 100, addressees=("sam",))
    earlier = w.audit(rules=rules).score("Sam")
    assert earlier.recent_energy == 1.0
    assert earlier.baseline_energy > 1.0


# -- unasked contributions -----------------------------------------------------


def test_comment_on_status_report_unasked_is_unsolicited_feedback() -> None:
    """Commenting on an item labelled as a status report, unasked, is unsolicited feedback."""
    w = World()
    report = w.item("AP-10", labels=("status-report",))
    w.act("comment", "sam", report, 10)
    assert w.signals() == {"gives_unsolicited_feedback": 1, "participates_actively": 1}


def test_status_reports_can_be_recognised_by_title_or_kind() -> None:
    """Reports are found by configured title words or by the item's kind."""
    w = World(make_register(status_report_titles=["weekly status"]))
    w.act("comment", "sam", w.item("AP-11", title="Weekly status, week 12"), 10)
    w.act("comment", "sam", w.item("AP-12", kind=ItemKind.STATUS_REPORT), 9)
    assert w.signals()["gives_unsolicited_feedback"] == 2


def test_asked_comment_on_a_report_is_an_answer_not_unsolicited() -> None:
    """When the team asked them on the report, their comment is an answer."""
    w = World()
    report = w.item("AP-10", labels=("status-report",))
    w.act("comment", "tess", report, 10, addressees=("sam",))
    w.act("comment", "sam", report, 9)
    signals = w.signals()
    assert "gives_unsolicited_feedback" not in signals
    assert signals["answers_messages"] == 1


def test_creating_items_and_unasked_comments_approach_informally() -> None:
    """Raising items and commenting where nobody asked are informal approaches."""
    w = World()
    w.act("created", "sam", "AP-13", 10)
    w.act("comment", "sam", "AP-14", 9)
    assert w.signals() == {"approaches_informally": 2, "participates_actively": 1}


def test_making_time() -> None:
    """Self-assignment, moving work forward and completing it show that they make time."""
    w = World()
    w.act("assigned", "sam", "AP-15", 10, addressees=("sam",))
    w.act("transitioned", "sam", "AP-15", 9)
    w.act("completed", "sam", "AP-15", 8, addressees=("sam",))
    assert w.signals() == {"makes_time": 3}


def test_picking_up_assigned_work_quickly_makes_time_once() -> None:
    """Moving assigned work within the quick window counts once as making time."""
    w = World()
    w.act("assigned", "tess", "AP-15", 10, addressees=("sam",))
    w.act("transitioned", "sam", "AP-15", 10, hours=3)
    assert w.signals() == {"makes_time": 1}


def test_invitations() -> None:
    """Linking our item from their own project and adding a team member to their space invite us."""
    w = World()
    w.act("linked", "sam", "AP-16", 10, link_type="relates to", external=True)
    w.act("member_added", "sam", "AP-16", 9, addressees=("tess",))
    w.act("member_added", "sam", "AP-16", 8, addressees=("alex",))
    assert w.signals() == {"invites_you": 2}


def test_links_from_another_of_our_own_projects_are_no_invitation() -> None:
    """A cross-project link counts as an invitation only when the other project is not ours."""
    w = World(make_register(own_projects={"jira": ["AP", "AP2"]}))
    w.act(
        "linked", "sam", "AP-16", 10, link_type="relates to", external=True, details={"other_project": "AP2"}
    )
    w.act(
        "linked", "sam", "AP-17", 9, link_type="relates to", external=True, details={"other_project": "SALES"}
    )
    assert w.signals() == {"invites_you": 1, "participates_actively": 1}


def test_reactions_count_as_light_participation() -> None:
    """Reactions count as participation with a reduced weight."""
    w = World()
    w.act("reaction", "sam", "AP-17", 10, count=3)
    audit_ = w.audit()
    assert audit_.score("Sam").signal_counts == {"participates_actively": 3}
    w2 = World()
    w2.act("comment", "sam", "AP-17", 10)
    assert audit_.score("Sam").energy < w2.audit().score("Sam").energy


def test_one_reaction_record_with_a_large_count_is_capped_for_its_week() -> None:
    """A single record of fifty reactions counts as the weekly cap of reactions, not fifty."""
    w = World()
    w.act("reaction", "sam", "AP-17", 10, count=50)
    score = w.audit().score("Sam")
    assert score.signal_counts == {"participates_actively": 3}
    assert "3 counted (weekly cap)" in score.evidence[0].note


def test_reactions_beyond_the_weekly_cap_do_not_count_and_the_next_week_starts_afresh() -> None:
    """Ten reactions in one week count three; a reaction the week after counts again."""
    w = World()
    for i in range(10):
        w.act("reaction", "sam", f"AP-{i}", 10, hours=i)
    w.act("reaction", "sam", "AP-20", 2)
    assert w.signals() == {"participates_actively": 4}
    assert w.signals(rules={"factors": {"reactions_per_week": 5}}) == {"participates_actively": 6}


def test_reactions_alone_never_make_a_partner() -> None:
    """Someone who only reacts, at the cap every week, is a silent supporter at most."""
    w = World()
    for day in range(1, 180):
        w.act("reaction", "sam", f"AP-{day}", day)
    score = w.audit(rules={"factors": {"reaction": 3.0}}).score("Sam")
    assert score.energy >= 3.0
    assert score.category is Category.SILENT_SUPPORTER


def test_a_requested_approval_is_one_act_for_energy() -> None:
    """Four signals from one answered review request give the energy of one act, not of four."""
    answered, created = World(), World()
    answered.act(
        "request", "tess", answered.item("AP-1", kind=ItemKind.PULL_REQUEST), 10.5, addressees=("sam",)
    )
    answered.act("review", "sam", answered.item("AP-1", kind=ItemKind.PULL_REQUEST), 10, verdict="approved")
    created.act("created", "sam", "AP-2", 10)
    score = answered.audit().score("Sam")
    assert len(score.signal_counts) == 4
    assert score.energy == pytest.approx(created.audit().score("Sam").energy)


# -- resistance ----------------------------------------------------------------


def test_resistance_signals() -> None:
    """Changes requested, rejection, reopening and blocking links are resistance."""
    w = World()
    w.act("review", "sam", "AP-18", 10, verdict="changes_requested")
    w.act("review", "sam", "AP-18", 9, verdict="rejected")
    w.act("reopened", "sam", "AP-18", 8)
    w.act("linked", "sam", "AP-18", 7, link_type="blocks", external=True)
    score = w.audit().score("Sam")
    assert score.signal_counts == {"blocks": 1, "reopens": 1, "requests_changes": 2}
    assert score.acceptance < 0
    assert all(e.signal.is_resistance for e in score.evidence)


def test_approval_is_supportive_and_dismissal_neutral() -> None:
    """An approving review raises acceptance more than a plain comment review; dismissed counts nothing."""
    approve, comment = World(), World()
    approve.act("review", "sam", "AP-19", 10, verdict="approved")
    comment.act("review", "sam", "AP-19", 10, verdict="commented")
    assert approve.audit().score("Sam").acceptance > comment.audit().score("Sam").acceptance > 0
    dismissed = World()
    dismissed.act("review", "sam", "AP-19", 10, verdict="dismissed")
    assert dismissed.signals() == {}


def _reviewer(blocking: int, approving: int) -> World:
    w = World()
    for i in range(12):
        w.act("created", "sam", f"AP-C{i}", 1 + i * 2)
    for i in range(blocking):
        w.act("review", "sam", f"AP-B{i}", 2 + i * 3, verdict="changes_requested")
    for i in range(approving):
        w.act("review", "sam", f"AP-A{i}", 3 + i * 3, verdict="approved")
    return w


def test_a_stakeholder_whose_reviews_mostly_request_changes_is_never_accepting() -> None:
    """Three of four reviews requesting changes hold acceptance at the edge of the neutral band."""
    score = _reviewer(blocking=3, approving=1).audit().score("Sam")
    assert score.acceptance == pytest.approx(0.5)
    assert score.category is Category.UNDECIDED


def test_half_of_the_reviews_requesting_changes_is_not_mostly() -> None:
    """Two of four reviews requesting changes leave a busy supporter a partner."""
    assert _reviewer(blocking=2, approving=2).audit().score("Sam").category is Category.PARTNER


def test_the_share_of_changes_requested_needs_a_few_reviews() -> None:
    """Two reviews, both requesting changes, are too few to judge by; the threshold is a rule."""
    w = _reviewer(blocking=2, approving=0)
    assert w.audit().score("Sam").category is Category.PARTNER
    rules = {"map": {"changes_requested_min_reviews": 2}}
    assert w.audit(rules=rules).score("Sam").category is Category.UNDECIDED


def test_the_review_and_reaction_thresholds_refuse_values_out_of_range() -> None:
    """A negative reaction cap, no minimum of reviews or a share outside 0..1 is a config error naming the key."""
    with pytest.raises(ConfigError, match=r"rules\.factors\.reactions_per_week"):
        load_rules(overrides={"factors": {"reactions_per_week": -1}})
    with pytest.raises(ConfigError, match=r"rules\.map\.changes_requested_min_reviews"):
        load_rules(overrides={"map": {"changes_requested_min_reviews": 0}})
    for share in (-0.1, 1.5):
        with pytest.raises(ConfigError, match=r"rules\.map\.changes_requested_share"):
            load_rules(overrides={"map": {"changes_requested_share": share}})


def test_a_reaction_cap_of_zero_and_a_share_of_one_are_accepted() -> None:
    """Zero reactions a week and a share of one are valid edges of the ranges and load as given."""
    rules = load_rules(
        overrides={"factors": {"reactions_per_week": 0}, "map": {"changes_requested_share": 1}}
    )
    assert rules.reactions_per_week == 0
    assert rules.changes_requested_share == 1.0


# -- window, decay, scores -----------------------------------------------------


def test_window_includes_since_and_excludes_until() -> None:
    """`since` is inclusive and `until` exclusive; older activities are ignored."""
    w = World()
    w.act("created", "sam", "AP-20", 180)  # exactly at since
    w.act("created", "sam", "AP-21", 181)  # before the window
    w.act("created", "sam", "AP-22", 0)  # exactly at until
    result = w.audit()
    assert result.score("Sam").signal_counts == {"approaches_informally": 1}
    assert result.since == UNTIL - timedelta(days=180)
    assert result.activities_seen == 1


def test_explicit_since_narrows_the_window() -> None:
    """An explicit since drops older evidence."""
    w = World()
    w.act("created", "sam", "AP-20", 100)
    w.act("created", "sam", "AP-21", 10)
    assert w.signals(since=w.at(30)) == {"approaches_informally": 1}


def test_old_evidence_decays() -> None:
    """The same behaviour weighs less the older it is."""
    recent, old = World(), World()
    for i in range(5):
        recent.act("created", "sam", f"AP-{i}", 10 + i)
        old.act("created", "sam", f"AP-{i}", 150 + i)
    r, o = recent.audit().score("Sam"), old.audit().score("Sam")
    assert r.energy > o.energy > 1.0
    assert r.acceptance > o.acceptance > 0
    assert r.evidence[0].weight > o.evidence[0].weight


def test_no_evidence_is_undecided_at_the_bottom_of_the_map() -> None:
    """Without evidence or prior a stakeholder is undecided with energy 1."""
    score = World().audit().score("Alex")
    assert (score.acceptance, score.energy, score.category, score.trend) == (
        0.0,
        1.0,
        Category.UNDECIDED,
        Trend.STEADY,
    )


def test_prior_acceptance_moves_with_evidence() -> None:
    """A declared prior places the stakeholder until evidence moves them."""
    reg = make_register([{"name": "Sam", "owner": "Tess", "acceptance": 2, "identities": {"jira": "sam"}}])
    quiet = World(reg)
    assert quiet.audit().score("Sam").category is Category.SILENT_SUPPORTER
    pushed = World(reg)
    for i in range(6):
        pushed.act("review", "sam", f"AP-{i}", 5 + i, verdict="changes_requested")
    assert pushed.audit().score("Sam").acceptance < 0


def _stakeholder_with(supportive: int, resisting: int, days: int = 30) -> World:
    w = World()
    for i in range(supportive):
        w.act("created", "sam", f"AP-{i}", 1 + (i * days) / max(supportive, 1))
    for i in range(resisting):
        w.act("reopened", "sam", f"AP-R{i}", 1 + (i * days) / max(resisting, 1))
    return w


@pytest.mark.parametrize(
    ("supportive", "resisting", "category"),
    [
        (12, 0, Category.PARTNER),
        (1, 0, Category.SILENT_SUPPORTER),
        (0, 12, Category.OPPONENT),
        (0, 1, Category.SILENT_CRITIC),
        (6, 5, Category.UNDECIDED),
    ],
)
def test_the_five_categories(supportive: int, resisting: int, category: Category) -> None:
    """Acceptance and energy place each stakeholder in one of the five categories."""
    assert _stakeholder_with(supportive, resisting).audit().score("Sam").category is category


def test_category_thresholds_are_rules() -> None:
    """The neutral band and the energy threshold come from the rules."""
    w = _stakeholder_with(1, 0)
    score = w.audit().score("Sam")
    assert score.category is Category.SILENT_SUPPORTER
    wide = w.audit(rules={"map": {"accept_above": score.acceptance}})
    assert wide.score("Sam").category is Category.UNDECIDED  # strictly above the band is accepting
    low = w.audit(rules={"map": {"high_energy": 1.0}})
    assert low.score("Sam").category is Category.PARTNER


def test_priority_is_power_times_interest() -> None:
    """Priority multiplies declared power and interest."""
    reg = make_register([{"name": "Sam", "power": 5, "interest": 4, "identities": {"jira": "sam"}}])
    assert World(reg).audit().score("Sam").priority == 20


# -- trend and partner at risk ---------------------------------------------------


def _partner(recent_per_week: int) -> World:
    w = World()
    n = 0
    for week in range(25):
        per_week = recent_per_week if week < 6 else 4
        for j in range(per_week):
            w.act("comment", "sam", f"AP-{n}", week * 7 + j + 0.5)
            n += 1
    return w


def test_partner_whose_energy_drops_below_their_own_baseline_is_at_risk() -> None:
    """A partner who went quiet in the recent weeks is flagged at risk, with a falling trend."""
    score = _partner(recent_per_week=0).audit().score("Sam")
    assert score.at_risk
    assert score.trend is Trend.FALLING
    assert score.recent_energy < score.baseline_energy
    assert score.acceptance > 0.5


def test_the_at_risk_rates_are_distinct_acts_a_week_recently_and_before() -> None:
    """A partner down from six comments a week to two reads 2.0 a week vs 6.0 before, a third."""
    w = World()
    n = 0
    for week in range(25):
        for j in range(2 if week < 6 else 6):
            w.act("comment", "sam", f"AP-{n}", week * 7 + j + 0.5)
            n += 1
    score = w.audit().score("Sam")
    assert score.recent_rate == pytest.approx(2.0)
    assert score.baseline_rate == pytest.approx(6.0 * 19 / ((180 - 42) / 7))
    assert score.rate_ratio == pytest.approx(score.recent_rate / score.baseline_rate)
    assert score.at_risk


def test_the_weekly_activity_series_counts_each_act_once_per_week_of_the_window() -> None:
    """A requested review answered with an approval is one act, though it shows four signals."""
    w = World()
    w.act("request", "tess", w.item("AP-1", kind=ItemKind.PULL_REQUEST), 3, addressees=("sam",))
    w.act("review", "sam", w.item("AP-1", kind=ItemKind.PULL_REQUEST), 2, verdict="approved")
    w.act("comment", "sam", "AP-2", 10)
    w.act("comment", "sam", "AP-3", 10.5)
    w.act("comment", "sam", "AP-4", 170)
    score = w.audit().score("Sam")
    assert sum(score.signal_counts.values()) >= 4 + 6
    assert len(score.weekly_activity) == 26
    assert score.weekly_activity[-1] == 1
    assert score.weekly_activity[-2] == 2
    assert score.weekly_activity[1] == 1
    assert sum(score.weekly_activity) == 4
    assert score.recent_rate == pytest.approx(3 / 6)


def test_a_stakeholder_without_acts_has_no_rate_ratio() -> None:
    """With nothing before the recent weeks there is no baseline to compare with."""
    w = World()
    w.act("comment", "sam", "AP-2", 10)
    score = w.audit().score("Sam")
    assert score.baseline_rate == 0.0
    assert score.rate_ratio is None
    assert w.audit().score("Alex").weekly_activity == (0,) * 26


def test_explain_shows_the_activity_rates_behind_the_trend() -> None:
    """The explanation reads the rates themselves: acts a week recently against before, and the ratio."""
    text = str(_partner(recent_per_week=1).audit().explain("Sam"))
    assert "1.0 a week recently vs 3.9 a week before (0.26×)" in text


def test_steady_partner_is_not_at_risk() -> None:
    """A partner acting at their usual rate is steady and not at risk."""
    score = _partner(recent_per_week=4).audit().score("Sam")
    assert score.category is Category.PARTNER
    assert score.trend is Trend.STEADY
    assert not score.at_risk


def test_rising_energy() -> None:
    """More activity than the baseline recently is a rising trend."""
    score = _partner(recent_per_week=7).audit().score("Sam")
    assert score.trend is Trend.RISING


def test_newcomer_has_no_baseline() -> None:
    """Someone active only recently is 'new', never 'at risk'."""
    w = World()
    for i in range(10):
        w.act("comment", "sam", f"AP-{i}", 1 + i)
    score = w.audit().score("Sam")
    assert score.trend is Trend.NEW
    assert not score.at_risk


# -- sources, candidates, explanations ------------------------------------------


def test_active_people_outside_the_register_are_candidates() -> None:
    """Unknown accounts are listed as candidates with their activity count; ghosts are not."""
    w = World()
    w.act("comment", "newcomer", "AP-1", 10)
    w.act("comment", "newcomer", "AP-2", 5)
    w.act("comment", None, "AP-2", 4)
    (candidate,) = w.audit().candidates
    assert (candidate.tool, candidate.account, candidate.activities) == ("jira", "newcomer", 2)
    assert candidate.last_seen == w.at(5)


class _Breaking:
    """A source that yields some activities and then fails like a tracker outage."""

    name = "breaking"

    def __init__(self, activities: list[Activity]):
        self.activities = activities

    @property
    def stats(self) -> SourceStats:
        return SourceStats(requests=3)

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        yield from self.activities
        raise UnavailableError("tracker answered 503 three times", adapter="breaking", status=503)


def test_a_failing_source_does_not_sink_the_others() -> None:
    """A source that raises is reported partial, and the other sources still count."""
    w = World()
    first = w.act("created", "sam", "AP-1", 20)
    other = [w.act("created", "alex", "AP-2", 10)]
    result = audit(w.register, [("jira-main", _Breaking([first])), ("file", other)], until=UNTIL)
    reports = {r.name: r for r in result.sources}
    assert reports["jira-main"].status == "partial"
    assert "503" in (reports["jira-main"].error or "")
    assert reports["jira-main"].stats.requests == 3
    assert reports["file"].status == "ok"
    assert result.is_partial
    assert result.score("Sam").signal_counts == {"approaches_informally": 1}
    assert result.score("Alex").signal_counts == {"approaches_informally": 1}


def test_a_source_failing_at_once_is_failed() -> None:
    """A source that yields nothing before failing is 'failed'."""
    w = World()
    result = audit(w.register, [_Breaking([])], until=UNTIL)
    assert result.sources[0].status == "failed"


def test_sources_are_merged_in_time_order() -> None:
    """A request in one tool's stream is answered by the same item's activity in another stream."""
    w = World()
    request = Activity("request", "tess", w.item("AP-1"), w.at(10), addressees=("sam",))
    answer = Activity("comment", "sam", w.item("AP-1"), w.at(9))
    result = audit(w.register, [[answer], [request]], until=UNTIL)
    assert result.score("Sam").signal_counts["responds_to_requests"] == 1
    assert result.warnings == ()


def test_out_of_order_input_is_warned_about() -> None:
    """A source that is not chronological still counts, with a warning in the audit."""
    w = World()
    late = Activity("created", "sam", w.item("AP-1"), w.at(5))
    early = Activity("created", "sam", w.item("AP-2"), w.at(10))
    result = audit(w.register, [("file", [late, early])], until=UNTIL)
    assert result.score("Sam").signal_counts == {"approaches_informally": 2}
    assert "out of chronological order" in result.warnings[0]


def test_an_activity_delivered_twice_by_two_sources_counts_once() -> None:
    """Two sources reading the same tracker give the same event (same id) once, not twice."""
    w = World()
    request = Activity("request", "tess", w.item("AP-1"), w.at(10), addressees=("sam",), id="jira:1")
    answer = Activity("comment", "sam", w.item("AP-1"), w.at(9), id="jira:2")
    again = Activity("comment", "sam", w.item("AP-1"), w.at(9), id="jira:2")
    result = audit(w.register, [[request, answer], [again]], until=UNTIL)
    assert result.score("Sam").signal_counts == {
        "makes_time": 1,
        "participates_actively": 1,
        "responds_to_requests": 1,
    }
    assert result.activities_seen == 2


def test_the_same_id_in_another_tool_or_at_another_time_is_another_event() -> None:
    """Ids are the tool's own: only the same tool and id at the same time is a repeat."""
    w = World()
    first = Activity("created", "sam", w.item("AP-1"), w.at(9), id="7")
    elsewhere = Activity("created", "sam", Item("wiki", "AP-1"), w.at(9), id="7")
    later = Activity("created", "sam", w.item("AP-2"), w.at(8), id="7")
    result = audit(w.register, [[first, elsewhere, later]], until=UNTIL)
    assert result.activities_seen == 3


def test_a_repeat_across_a_part_boundary_counts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Activities at one time split over two parts still make each event count once."""
    from stakeplug.engine import batches

    monkeypatch.setattr(batches, "_PART", 2)
    w = World()
    events = [Activity("created", "sam", w.item(f"AP-{n}"), w.at(9), id=f"e{n}") for n in range(3)]
    result = audit(w.register, [[*events, events[0], events[2], events[1]]], until=UNTIL)
    assert result.score("Sam").signal_counts == {"approaches_informally": 3}


def test_a_repeat_in_a_part_out_of_time_order_counts_once() -> None:
    """Within a part that is not in time order a repeated id still counts once."""
    w = World()
    late = Activity("created", "sam", w.item("AP-1"), w.at(5), id="a")
    early = Activity("created", "sam", w.item("AP-2"), w.at(10), id="b")
    result = audit(w.register, [[late, early, late]], until=UNTIL)
    assert result.score("Sam").signal_counts == {"approaches_informally": 2}


def test_explain_lists_evidence_with_links_and_the_suggestions() -> None:
    """explain() gives the evidence trail and why each care action was suggested."""
    w = _partner(recent_per_week=4)
    explanation = w.audit().explain("sam")
    text = str(explanation)
    assert text.startswith("Sam: partner")
    assert "https://jira.example.org/browse/AP-0" in text
    assert explanation.suggestions
    data = explanation.to_dict()
    assert data["category"] == "partner"
    assert data["evidence"][0]["links"]
    assert {s["action"] for s in data["suggestions"]} >= {"status_update"}


def test_explain_unknown_name_suggests_a_close_one() -> None:
    """Asking for someone not in the register says so, with a did-you-mean."""
    with pytest.raises(KeyError, match="did you mean 'Sam'"):
        World().audit().explain("Samm")


def test_evidence_kept_per_signal_is_capped() -> None:
    """Only the newest evidence per signal is kept for explanations; the counts use everything."""
    w = World()
    for i in range(40):
        w.act("created", "sam", f"AP-{i}", 1 + i)
    score = w.audit().score("Sam")
    assert score.signal_counts == {"approaches_informally": 40}
    assert len(score.evidence) == 12
    assert score.evidence[0].timestamp == w.at(1)


def test_naive_timestamps_are_refused() -> None:
    """An activity without a time zone cannot be placed in time and is refused."""
    with pytest.raises(ValueError, match="no time zone"):
        Activity("comment", "sam", Item("jira", "AP-1"), datetime(2026, 1, 1))


def test_timestamps_are_converted_to_utc() -> None:
    """Aware timestamps in other zones are stored in UTC."""
    from datetime import timezone

    a = Activity(
        "comment", "sam", Item("jira", "AP-1"), datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    )
    assert a.timestamp == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert a.timestamp.tzinfo is UTC


def test_empty_window_is_a_config_error() -> None:
    """since at or after until is refused."""
    with pytest.raises(ConfigError, match="window is empty"):
        World().audit(since=UNTIL)


def test_unknown_rule_is_refused_with_did_you_mean() -> None:
    """Rule overrides with a typo name the key and suggest the right one."""
    with pytest.raises(
        ConfigError, match=r"rules\.windows\.answer_dayz: unknown rule \(did you mean 'answer_days'\?\)"
    ):
        load_rules(overrides={"windows": {"answer_dayz": 3}})
    with pytest.raises(ConfigError, match=r"rules\.map\.high_energy: must be float"):
        load_rules(overrides={"map": {"high_energy": "high"}})
    with pytest.raises(ConfigError, match="reject_below <= accept_above"):
        load_rules(overrides={"map": {"accept_above": -1.0}})


def test_naive_window_bounds_are_refused() -> None:
    """A window bound without a time zone is refused rather than guessed."""
    register = World().register
    with pytest.raises(ValueError, match="no time zone"):
        audit(register, [], until=datetime(2026, 6, 1))
    with pytest.raises(ValueError, match="no time zone"):
        audit(register, [], since=datetime(2026, 1, 1), until=UNTIL)


def test_positional_window_and_rules() -> None:
    """audit(register, sources, since, until, rules) and plan_care(audit, now) take positions too."""
    from stakeplug import plan_care

    w = World()
    w.act("created", "sam", "AP-1", 10)
    result = audit(w.register, [w.activities], w.at(30), UNTIL, load_rules())
    assert result.since == w.at(30)
    assert plan_care(result, UNTIL) == plan_care(result, now=UNTIL)
