"""The care planner: which actions, for whom, how often, and in what words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import attrs
import pytest
from spworld import UNTIL, World, make_register

from stakeplug import (
    AtRiskReason,
    Audit,
    CareAction,
    Category,
    TaskRef,
    fingerprint,
    load_rules,
    plan_care,
    post_care,
    render_task,
    tasks_by_fingerprint,
)
from stakeplug.errors import ConfigError
from stakeplug.testing import MemoryAdapter


def person(name: str, account: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "owner": "Tess", "identities": {"jira": account}, **kw}


def partner_activity(w: World, account: str, *, quiet_recently: bool = False) -> None:
    n = 0
    for week in range(25):
        if quiet_recently and week < 6:
            continue
        for j in range(4):
            w.act("comment", account, f"{account.upper()}-{n}", week * 7 + j + 0.5)
            n += 1


def actions(suggestions: list[Any], name: str) -> set[str]:
    return {s.action.value for s in suggestions if s.stakeholder == name}


def test_partner_gets_status_update_and_advice_but_ambassador_only_with_consent() -> None:
    """Partners are kept informed and asked for advice; only consenting partners are asked to be ambassadors."""
    reg = make_register(
        [
            person("Pia", "pia", power=4, interest=4, ambassador_consent=True),
            person("Per", "per", power=4, interest=4),
        ]
    )
    w = World(reg)
    partner_activity(w, "pia")
    partner_activity(w, "per")
    result = w.audit(rules={"planner": {"max_per_stakeholder": 3}})
    assert result.score("Pia").category is Category.PARTNER
    plan = plan_care(result)
    assert actions(plan, "Pia") == {"status_update", "ask_advice", "ambassador"}
    assert actions(plan, "Per") == {"status_update", "ask_advice"}


def test_opted_out_stakeholders_never_get_a_task() -> None:
    """Opting out means no care task at all, whatever the map says."""
    reg = make_register([person("Pia", "pia", power=5, interest=5, opted_out=True, ambassador_consent=True)])
    w = World(reg)
    partner_activity(w, "pia")
    assert plan_care(w.audit()) == []


def test_partner_at_risk_gets_a_risk_briefing() -> None:
    """A partner whose energy falls below their own baseline gets a risk briefing and an update."""
    reg = make_register([person("Pia", "pia", power=4, interest=4)])
    w = World(reg)
    partner_activity(w, "pia", quiet_recently=True)
    result = w.audit()
    assert result.score("Pia").at_risk
    plan = plan_care(result)
    assert {"risk_briefing", "status_update"} <= actions(plan, "Pia")
    briefing = next(s for s in plan if s.action is CareAction.RISK_BRIEFING)
    assert "Partner at risk" in briefing.explanation


def test_an_at_risk_partners_explanation_gives_the_energy_the_map_shows() -> None:
    """The task's explanation places a partner at risk at their recent energy, as the map does."""
    reg = make_register([person("Pia", "pia", power=4, interest=4)])
    w = World(reg)
    partner_activity(w, "pia", quiet_recently=True)
    score = w.audit().score("Pia")
    assert score.at_risk and f"{score.recent_energy:.1f}" != f"{score.energy:.1f}"
    assert score.map_energy == score.recent_energy
    briefing = next(s for s in plan_care(w.audit()) if s.action is CareAction.RISK_BRIEFING)
    assert f"energy {score.recent_energy:.1f}," in briefing.explanation
    assert f"energy {score.energy:.1f}," not in briefing.explanation


def test_recent_contribution_is_celebrated() -> None:
    """A partner who recently kept an agreement gets a celebrate-and-thank suggestion with that evidence."""
    reg = make_register([person("Pia", "pia", power=4, interest=4)])
    w = World(reg)
    partner_activity(w, "pia")
    w.act("assigned", "tess", "AP-900", 12, addressees=("pia",), due=w.at(5))
    w.act("completed", "pia", "AP-900", 6, addressees=("pia",))
    plan = plan_care(w.audit())
    celebrate = next(s for s in plan if s.action is CareAction.CELEBRATE_AND_THANK)
    assert "https://jira.example.org/browse/AP-900" in celebrate.links


def test_powerful_stakeholder_out_of_reach_goes_through_the_intermediary() -> None:
    """A high-power stakeholder with reachable_via is cared for through that person only."""
    reg = make_register(
        [
            person("Vera", "vera", power=5, interest=4, reachable_via="Ian", owner=None, role="sponsor"),
            person("Ian", "ian", power=2, interest=3),
        ]
    )
    w = World(reg)
    partner_activity(w, "vera")
    plan = plan_care(w.audit())
    (only,) = [s for s in plan if s.stakeholder == "Vera"]
    assert only.action is CareAction.VIA_INTERMEDIARY
    assert only.via == "Ian"
    assert only.owner == "Tess"  # the intermediary's relationship owner
    assert "Ian" in only.wording and "Ian" in only.title


def test_critics_are_heard_not_nagged() -> None:
    """Opponents get one 'listen' action; quiet critics only when powerful; never partner actions."""
    reg = make_register(
        [
            person("Otto", "otto", power=3, interest=3),
            person("Cleo", "cleo", power=2, interest=5),
            person("Carl", "carl", power=5, interest=3),
        ]
    )
    w = World(reg)
    for i in range(14):
        w.act("reopened", "otto", f"AP-{i}", 1 + 2 * i)
    w.act("reopened", "cleo", "AP-50", 10)
    w.act("reopened", "carl", "AP-51", 10)
    result = w.audit()
    assert result.score("Otto").category is Category.OPPONENT
    assert result.score("Cleo").category is Category.SILENT_CRITIC
    plan = plan_care(result)
    assert actions(plan, "Otto") == {"listen_to_concerns"}
    assert actions(plan, "Cleo") == set()
    assert actions(plan, "Carl") == {"listen_to_concerns"}


def test_undecided_and_silent_supporters_are_kept_informed_by_priority() -> None:
    """Low-priority undecided stakeholders get nothing; higher ones get updates, the highest advice too."""
    reg = make_register(
        [
            person("Low", "low", power=1, interest=2),
            person("Mid", "mid", power=2, interest=3),
            person("High", "high", power=3, interest=4),
        ]
    )
    plan = plan_care(World(reg).audit())
    assert actions(plan, "Low") == set()
    assert actions(plan, "Mid") == {"status_update"}
    assert actions(plan, "High") == {"status_update", "ask_advice"}


def test_fingerprint_is_stable_within_a_period_and_changes_with_the_next() -> None:
    """The same stakeholder, action and cadence period give the same fingerprint on any machine."""
    reg = make_register([person("High", "high", power=3, interest=4)])
    result = World(reg).audit()
    first = {s.action: s for s in plan_care(result, now=UNTIL)}
    again = {s.action: s for s in plan_care(World(reg).audit(), now=UNTIL + timedelta(hours=20))}
    assert first[CareAction.STATUS_UPDATE].fingerprint == again[CareAction.STATUS_UPDATE].fingerprint
    later = {s.action: s for s in plan_care(result, now=UNTIL + timedelta(days=14))}
    assert later[CareAction.STATUS_UPDATE].fingerprint != first[CareAction.STATUS_UPDATE].fingerprint
    # Pinned value: a change here would make every tracker see old tasks as new.
    assert (
        fingerprint("Apollo", "High", CareAction.STATUS_UPDATE, 63, 14)
        == first[CareAction.STATUS_UPDATE].fingerprint
    )
    assert re.fullmatch(r"[0-9a-f]{16}", first[CareAction.STATUS_UPDATE].fingerprint)
    assert fingerprint("Apollo", "High", "status_update", 63, 14) == "9dc742824767351b"


def test_existing_task_in_the_same_period_is_not_suggested_again() -> None:
    """A fingerprint already in the tracker is not planned again."""
    reg = make_register([person("High", "high", power=3, interest=4)])
    result = World(reg).audit()
    plan = plan_care(result)
    update = next(s for s in plan if s.action is CareAction.STATUS_UPDATE)
    history = [TaskRef(fingerprint=update.fingerprint, id="AP-1000", created=UNTIL - timedelta(days=1))]
    assert actions(plan_care(result, history=history), "High") == {"ask_advice"}


def test_cooldown_spans_into_the_next_period() -> None:
    """A task from the previous period still blocks the action while its cooldown lasts."""
    reg = make_register([person("High", "high", power=3, interest=4)])
    result = World(reg).audit()
    now = UNTIL + timedelta(days=14)
    previous = next(s for s in plan_care(result, now=UNTIL) if s.action is CareAction.STATUS_UPDATE)
    recent = [TaskRef(previous.fingerprint, "AP-1", created=now - timedelta(days=3))]
    old = [TaskRef(previous.fingerprint, "AP-1", created=now - timedelta(days=11))]
    assert "status_update" not in actions(plan_care(result, now=now, history=recent), "High")
    assert "status_update" in actions(plan_care(result, now=now, history=old), "High")


def test_each_owner_gets_at_most_the_cap_highest_priority_first() -> None:
    """No owner gets more than planner.max_per_owner suggestions per run; the most important come first."""
    people = [person(f"P{i}", f"p{i}", power=1 + i % 5, interest=4) for i in range(12)]
    result = World(make_register(people)).audit(rules={"planner": {"max_per_owner": 4}})
    plan = plan_care(result)
    assert len(plan) == 4
    assert [s.priority for s in plan] == sorted((s.priority for s in plan), reverse=True)
    assert plan[0].priority == 20


def test_wording_is_neutral() -> None:
    """Titles and wording name no score and no category; the explanation does, for the team."""
    reg = make_register(
        [
            person("Pia", "pia", power=4, interest=4, ambassador_consent=True),
            person("Otto", "otto", power=4, interest=4),
        ]
    )
    w = World(reg)
    partner_activity(w, "pia", quiet_recently=True)
    for i in range(14):
        w.act("reopened", "otto", f"AP-{i}", 1 + 2 * i)
    plan = plan_care(w.audit(rules={"planner": {"max_per_stakeholder": 4}}))
    assert len(plan) >= 4
    words = (
        "partner",
        "opponent",
        "critic",
        "supporter",
        "undecided",
        "acceptance",
        "energy",
        "score",
        "risk of",
    )
    for s in plan:
        text = f"{s.title} {s.wording}".casefold()
        assert not any(word in text for word in words), text
        assert not re.search(r"[+-]?\d+\.\d", text)
        assert "acceptance" in s.explanation


def test_task_body_hides_the_explanation_unless_private() -> None:
    """A rendered task carries the fingerprint; scores appear only for private targets."""
    reg = make_register([person("High", "high", power=3, interest=4)])
    suggestion = plan_care(World(reg).audit())[0]
    public = render_task(suggestion, tool="jira", register=reg)
    private = render_task(suggestion, tool="jira", register=reg, private=True)
    assert "acceptance" not in public.body
    assert "acceptance" in private.body
    assert f"stakeplug-fingerprint: {suggestion.fingerprint}" in public.body
    assert public.labels == ("stakeplug", f"stakeplug-fp-{suggestion.fingerprint}")
    assert private.labels == (
        "stakeplug",
        f"care:{suggestion.action.value}",
        f"stakeplug-fp-{suggestion.fingerprint}",
    )
    assert public.assignee == "tess"  # the owner's account in the target tool
    assert render_task(suggestion, tool="github", register=reg).assignee is None


def test_posting_looks_up_existing_tasks_once_or_uses_the_list_it_is_given() -> None:
    """post_care lists the target's tasks with one find_tasks call, unless the caller passes them."""
    reg = make_register([person("High", "high", power=3, interest=4)])
    suggestions = plan_care(World(reg).audit())
    target = MemoryAdapter()
    first = post_care(target, suggestions, register=reg, dry_run=False)
    assert [r.created for r in first] == [True] * len(suggestions)
    assert target.stats.requests == 1 + len(suggestions)  # one listing, then one create each
    tasks = target.find_tasks()
    before = target.stats.requests
    again = post_care(target, suggestions, register=reg, dry_run=False, existing=tasks)
    assert [r.reason for r in again] == ["already exists"] * len(suggestions)
    assert [r.task for r in again] == list(tasks)
    assert target.stats.requests == before  # the given list served: no second listing


def test_open_tasks_count_against_the_cap_so_a_rerun_adds_nothing() -> None:
    """Tasks already open for this period fill the owner's cap: a rerun does not top it up."""
    people = [person(f"P{i}", f"p{i}", power=1 + i % 5, interest=4) for i in range(12)]
    result = World(make_register(people)).audit(rules={"planner": {"max_per_owner": 4}})
    first = plan_care(result)
    assert len(first) == 4
    posted = [TaskRef(s.fingerprint, f"AP-{i}", created=UNTIL) for i, s in enumerate(first)]
    assert plan_care(result, history=posted) == []
    # Once the owner has closed two of them, two more (the next in priority) are suggested.
    done = [TaskRef(t.fingerprint, t.id, open=False, created=UNTIL, closed=UNTIL) for t in posted[:2]]
    refill = plan_care(result, history=[*done, *posted[2:]])
    assert len(refill) == 2
    assert not {s.fingerprint for s in refill} & {t.fingerprint for t in posted}


def test_a_closed_duplicate_beside_an_open_task_leaves_the_task_open_for_the_planner() -> None:
    """Two runs made each task, one copy closed as the other's duplicate: the rerun still adds nothing.

    Whichever copy the listing names first, the open one stands for the fingerprint: it fills
    the owner's cap and no other task is suggested in its place.
    """
    people = [person(f"P{i}", f"p{i}", power=1 + i % 5, interest=4) for i in range(12)]
    result = World(make_register(people)).audit(rules={"planner": {"max_per_owner": 4}})
    first = plan_care(result)
    kept = [TaskRef(s.fingerprint, f"AP-{i}", created=UNTIL) for i, s in enumerate(first)]
    closed = [TaskRef(s.fingerprint, f"AP-{i + 10}", open=False, closed=UNTIL) for i, s in enumerate(first)]
    assert plan_care(result, history=[*kept, *closed]) == []
    assert plan_care(result, history=[*closed, *kept]) == []
    assert tasks_by_fingerprint([*closed, *kept]) == {t.fingerprint: t for t in kept}
    assert tasks_by_fingerprint(closed[:1]) == {closed[0].fingerprint: closed[0]}


def resisting_activity(w: World, account: str, count: int = 14) -> None:
    for i in range(count):
        w.act("reopened", account, f"{account.upper()}-R{i}", 1 + 2 * i)


def test_the_owner_cap_keeps_an_at_risk_partners_briefing_over_higher_priority_routine_tasks() -> None:
    """Within an owner's cap a partner at risk comes first, even with the lowest priority."""
    people = [person(f"Big{i}", f"big{i}", power=5, interest=5) for i in range(3)]
    people.append(person("Pia", "pia", power=2, interest=3))
    w = World(make_register(people))
    for i in range(3):
        partner_activity(w, f"big{i}")
    partner_activity(w, "pia", quiet_recently=True)
    result = w.audit(rules={"planner": {"max_per_owner": 3}})
    assert result.score("Pia").at_risk and result.score("Pia").priority == 6
    plan = plan_care(result)
    assert len(plan) == 3
    assert (plan[0].stakeholder, plan[0].action) == ("Pia", CareAction.RISK_BRIEFING)


def test_a_partners_recent_push_back_is_answered_before_routine_tasks() -> None:
    """A partner who recently pushed back gets the risk briefing even when the cap is one."""
    people = [person("Big", "big", power=5, interest=5), person("Pia", "pia", power=3, interest=3)]
    w = World(make_register(people))
    partner_activity(w, "big")
    partner_activity(w, "pia")
    w.act("reopened", "pia", "PIA-R1", 3)
    result = w.audit(rules={"planner": {"max_per_owner": 1}})
    assert result.score("Pia").category is Category.PARTNER and not result.score("Pia").at_risk
    [only] = plan_care(result)
    assert (only.stakeholder, only.action) == ("Pia", CareAction.RISK_BRIEFING)
    assert "pushed back" in only.explanation


def test_a_stakeholder_gets_at_most_two_tasks_per_run_unless_the_rules_say_otherwise() -> None:
    """planner.max_per_stakeholder (2 by default) bounds one person's tasks in a run."""
    reg = make_register([person("Pia", "pia", power=5, interest=5, ambassador_consent=True)])
    w = World(reg)
    partner_activity(w, "pia")
    w.act("assigned", "tess", "AP-900", 12, addressees=("pia",), due=w.at(5))
    w.act("completed", "pia", "AP-900", 6, addressees=("pia",))
    assert len(plan_care(w.audit())) == 2
    assert len(plan_care(w.audit(rules={"planner": {"max_per_stakeholder": 1}}))) == 1
    assert len(plan_care(w.audit(rules={"planner": {"max_per_stakeholder": 9}}))) == 4


def test_open_tasks_of_the_period_count_against_the_stakeholders_cap() -> None:
    """A rerun with a stakeholder's two tasks still open adds nothing for them."""
    reg = make_register([person("Pia", "pia", power=5, interest=5, ambassador_consent=True)])
    w = World(reg)
    partner_activity(w, "pia")
    result = w.audit()
    first = plan_care(result)
    assert len(first) == 2
    posted = [TaskRef(s.fingerprint, f"AP-{i}", created=UNTIL) for i, s in enumerate(first)]
    assert plan_care(result, history=posted) == []


def test_the_cap_on_a_stakeholder_does_not_use_up_their_owners_places() -> None:
    """Tasks left out for their stakeholder's cap leave the owner's places to other people."""
    people = [person("Pia", "pia", power=5, interest=5, ambassador_consent=True)]
    people.append(person("Per", "per", power=4, interest=4))
    w = World(make_register(people))
    partner_activity(w, "pia")
    partner_activity(w, "per")
    plan = plan_care(w.audit(rules={"planner": {"max_per_owner": 3}}))
    assert [s.stakeholder for s in plan] == ["Pia", "Pia", "Per"]


def test_a_task_without_an_owner_falls_back_to_the_first_team_member() -> None:
    """Every task has a team owner: with none in the register, the first [[team]] member."""
    reg = make_register([person("Nell", "nell", power=4, interest=4, owner=None)])
    w = World(reg)
    partner_activity(w, "nell")
    plan = plan_care(w.audit())
    assert plan and {s.owner for s in plan} == {"Tess"}


def test_an_intermediary_on_the_team_owns_the_task_through_them() -> None:
    """A stakeholder without an owner reached through a team member is that member's task."""
    reg = make_register([person("Vera", "vera", power=5, interest=4, owner=None, reachable_via="uma")])
    w = World(reg)
    partner_activity(w, "vera")
    [only] = plan_care(w.audit())
    assert (only.action, only.via, only.owner) == (CareAction.VIA_INTERMEDIARY, "Uma", "Uma")


def test_a_critic_out_of_reach_is_heard_through_the_intermediary_with_an_owner() -> None:
    """An opponent the team cannot reach gets one listening task through reachable_via, never a direct one."""
    reg = make_register(
        [
            person("Carl", "carl", power=5, interest=3, reachable_via="Ian", owner=None),
            person("Ian", "ian", power=2, interest=3, owner="Uma"),
        ]
    )
    w = World(reg)
    resisting_activity(w, "carl")
    result = w.audit()
    assert result.score("Carl").category is Category.OPPONENT
    [task] = [s for s in plan_care(result) if s.stakeholder == "Carl"]
    assert (task.action, task.via, task.owner) == (CareAction.LISTEN_TO_CONCERNS, "Ian", "Uma")
    assert task.title == "Hear Carl's view through Ian"
    assert task.wording.startswith("Ask Ian to hear Carl's view")


def test_a_less_powerful_stakeholder_with_reachable_via_is_also_reached_through_them() -> None:
    """reachable_via means the team cannot reach them: power 2 goes through the intermediary too."""
    reg = make_register(
        [
            person("Lou", "lou", power=2, interest=5, reachable_via="Ian"),
            person("Ian", "ian", power=2, interest=3),
        ]
    )
    assert actions(plan_care(World(reg).audit()), "Lou") == {"via_intermediary"}


def test_an_opted_out_intermediary_is_never_named_and_their_contact_gets_no_task() -> None:
    """Nobody who opted out appears in any task, not even as the person to go through."""
    reg = make_register(
        [
            person("Vera", "vera", power=5, interest=4, reachable_via="Ian"),
            person("Carl", "carl", power=5, interest=3, reachable_via="Ian"),
            person("Ian", "ian", power=4, interest=4, opted_out=True),
            person("Pia", "pia", power=4, interest=4),
        ]
    )
    w = World(reg)
    partner_activity(w, "vera")
    partner_activity(w, "ian")
    partner_activity(w, "pia")
    resisting_activity(w, "carl")
    plan = plan_care(w.audit())
    assert {s.stakeholder for s in plan} == {"Pia"}
    for s in plan:
        assert "Ian" not in f"{s.title} {s.wording} {s.explanation} {s.via}"


def test_listening_waits_a_full_cadence_after_the_last_conversation() -> None:
    """One conversation every six weeks at most: a listening task 44 days old still blocks a new one."""
    reg = make_register([person("Otto", "otto", power=3, interest=3)])
    w = World(reg)
    resisting_activity(w, "otto")
    result = w.audit()
    rule = result.rules.care[CareAction.LISTEN_TO_CONCERNS]
    assert rule.cooldown_days >= rule.cadence_days == 45
    # The first day of a period, so the previous period's task can be any age up to 45 days.
    period = (UNTIL.date() - result.rules.epoch).days // 45 + 1
    now = datetime.combine(result.rules.epoch + timedelta(days=period * 45), time(9), UTC)
    earlier = fingerprint("Apollo", "Otto", CareAction.LISTEN_TO_CONCERNS, period - 1, 45)
    for age, expected in ((31, set()), (44, set()), (45, {"listen_to_concerns"})):
        history = [TaskRef(earlier, "AP-1", open=False, created=now - timedelta(days=age))]
        assert actions(plan_care(result, now=now, history=history), "Otto") == expected, age


def test_the_ambassador_task_does_not_ask_to_invite_someone_who_already_agreed() -> None:
    """With consent recorded, the ambassador task gives them something to pass on instead of an invitation."""
    reg = make_register([person("Pia", "pia", power=4, interest=4, ambassador_consent=True)])
    w = World(reg)
    partner_activity(w, "pia")
    plan = plan_care(w.audit(rules={"planner": {"max_per_stakeholder": 5}}))
    [ambassador] = [s for s in plan if s.action is CareAction.AMBASSADOR]
    assert "invite" not in ambassador.title.casefold()
    assert ambassador.title == "Give Pia a recent success to pass on"


def _pushing_back(result: Audit, name: str) -> Audit:
    """``result`` with ``name`` read as a partner at risk for pushing back, as the engine reports it."""
    score = attrs.evolve(result.score(name), at_risk=True, at_risk_reason=AtRiskReason.PUSHING_BACK)
    return attrs.evolve(result, scores={**result.scores, name: score})


def test_a_partner_pushing_back_gets_a_briefing_on_their_concerns_not_a_celebration() -> None:
    """Push-back is answered with a risk briefing and an update; no thanks, no ambassador request."""
    reg = make_register([person("Pia", "pia", power=4, interest=4, ambassador_consent=True)])
    w = World(reg)
    partner_activity(w, "pia")
    w.act("assigned", "tess", "AP-900", 12, addressees=("pia",), due=w.at(5))
    w.act("completed", "pia", "AP-900", 6, addressees=("pia",))
    w.act("reopened", "pia", "PIA-R1", 3)
    result = w.audit(rules={"planner": {"max_per_stakeholder": 9}})
    assert "celebrate_and_thank" in actions(plan_care(result), "Pia")
    plan = plan_care(_pushing_back(result, "Pia"))
    assert actions(plan, "Pia") == {"risk_briefing", "status_update", "ask_advice"}
    assert plan[0].action is CareAction.RISK_BRIEFING
    assert "push back more than they used to" in plan[0].explanation
    assert "concerns" in plan[0].explanation
    assert "well below their own baseline" not in plan[0].explanation


def test_a_partner_losing_interest_keeps_the_usual_answer() -> None:
    """Losing interest is answered as before: a briefing on a risk, then an extra update."""
    reg = make_register([person("Pia", "pia", power=4, interest=4)])
    w = World(reg)
    partner_activity(w, "pia", quiet_recently=True)
    result = w.audit()
    assert result.score("Pia").at_risk_reason is AtRiskReason.LOSING_INTEREST
    plan = plan_care(result)
    assert [s.action for s in plan] == [CareAction.RISK_BRIEFING, CareAction.STATUS_UPDATE]
    assert "dropping below their own usual level" in plan[0].explanation


def test_max_per_stakeholder_must_be_above_zero() -> None:
    """A cap of zero would silence every task: the rules refuse it with the key named."""
    with pytest.raises(ConfigError, match="above zero") as info:
        load_rules(overrides={"planner": {"max_per_stakeholder": 0}})
    assert "rules.planner.max_per_stakeholder" in str(info.value)
