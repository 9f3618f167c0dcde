# ruff: noqa: S101  (this module is a pytest test suite: the checks are assertions)
"""The conformance kit: one mixin class of pytest tests that checks the adapter contract.

A plugin author subclasses :class:`AdapterContract` in a test module and
overrides one fixture, ``contract_subject``::

    import pytest
    from stakeplug.testing import AdapterContract, ContractSubject

    class TestMyToolContract(AdapterContract):
        @pytest.fixture
        def contract_subject(self, my_fake_server):
            adapter = MyToolAdapter.from_config({"url": my_fake_server.url, ...}, env={...})
            return ContractSubject(adapter=adapter, since=..., until=...,
                                   make_failing=lambda: ..., secrets=("the-fake-token",))

Every check is a test method.  Checks that only make sense for some adapters
are skipped by :class:`~stakeplug.adapter.Capabilities` (an adapter that does
not declare ``posts_tasks`` skips the posting checks and instead must refuse
to post; one that declares ``incremental`` is checked for stable ids, an empty
answer from a cursor after everything, and overlapping reruns through a real
activity store that count each activity once; the time order is checked only
for an adapter that keeps ``ordered``, the default), never by adapter name.  The
fixture is function-scoped: each check gets a freshly built adapter and closes it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stakeplug.adapter import Adapter, Capabilities, PostResult, SourceStats, TaskDraft, TaskRef
from stakeplug.care.posting import FINGERPRINT_LABEL_PREFIX, TASK_LABEL, fingerprint_marker
from stakeplug.domain.model import Activity, ActivityKind, Item
from stakeplug.errors import StakeplugError, TrackerError
from stakeplug.store import Store, StoredSource
from stakeplug.store._rows import activity_key
from stakeplug.testing._subject import ContractSubject

__all__ = ["KIND_CAPABILITY", "AdapterContract"]

KIND_CAPABILITY: dict[ActivityKind, str] = {
    ActivityKind.COMMENT: "comments",
    ActivityKind.REVIEW: "reviews",
    ActivityKind.REVIEW_COMMENT: "reviews",
    ActivityKind.REQUEST: "requests",
    ActivityKind.ASSIGNED: "assignments",
    ActivityKind.UNASSIGNED: "assignments",
    ActivityKind.TRANSITIONED: "transitions",
    ActivityKind.COMPLETED: "transitions",
    ActivityKind.REOPENED: "transitions",
    ActivityKind.LINKED: "links",
    ActivityKind.MEMBER_ADDED: "membership",
    ActivityKind.REACTION: "reactions",
    ActivityKind.CREATED: "created",
}
"""The capability an adapter must declare to emit each kind of activity."""

_BODY_KEYS = frozenset({"body", "text", "content", "comment", "message", "description"})


def _key(a: Activity) -> tuple[Any, ...]:
    return (a.kind, a.actor, a.item.tool, a.item.id, a.timestamp, a.addressees, a.id, a.verdict)


def _draft(tag: str) -> TaskDraft:
    fingerprint = uuid.uuid4().hex[:16]
    return TaskDraft(
        title=f"stakeplug contract check ({tag})",
        body=f"Created by the stakeplug conformance kit.\n\n{fingerprint_marker(fingerprint)}",
        labels=(TASK_LABEL, "care:status_update", f"{FINGERPRINT_LABEL_PREFIX}{fingerprint}"),
        fingerprint=fingerprint,
        action="status_update",
        stakeholder="Contract Check",
        due=datetime(2030, 1, 1, tzinfo=UTC),
    )


def _caps(kit_subject: ContractSubject) -> Capabilities:
    caps = getattr(type(kit_subject.adapter), "capabilities", None)
    assert isinstance(caps, Capabilities), "the adapter class declares `capabilities`"
    return caps


def _needs(kit_subject: ContractSubject, capability: str) -> None:
    if not getattr(_caps(kit_subject), capability):
        pytest.skip(f"the adapter does not declare the {capability!r} capability")


class AdapterContract:
    """Subclass this in a test module and override ``contract_subject`` to check an adapter."""

    @pytest.fixture
    def contract_subject(self) -> ContractSubject:
        """Return a :class:`ContractSubject` for the adapter under test.

        Override it in your subclass; it may take any of your own fixtures.
        """
        raise NotImplementedError("override the `contract_subject` fixture to return a ContractSubject")

    @pytest.fixture
    def kit_subject(self, contract_subject: ContractSubject) -> Iterator[ContractSubject]:
        """The author's subject, checked, and its adapter closed after the test."""
        assert isinstance(contract_subject, ContractSubject), (
            "contract_subject must return a stakeplug.testing.ContractSubject"
        )
        try:
            yield contract_subject
        finally:
            contract_subject.adapter.close()

    @staticmethod
    def collect(kit_subject: ContractSubject, since: datetime, until: datetime) -> list[Activity]:
        """Collect a window into a list (a helper for the checks and for your own tests)."""
        return list(kit_subject.adapter.collect(since, until))

    # ------------------------------------------------------------------ declarations

    def test_declares_name_version_and_capabilities(self, kit_subject: ContractSubject) -> None:
        """The adapter class names itself, has a version, capabilities and options."""
        cls = type(kit_subject.adapter)
        assert isinstance(getattr(cls, "name", None), str) and cls.name, "a non-empty `name`"
        assert cls.name.isidentifier() or cls.name.replace("-", "_").isidentifier()
        assert isinstance(getattr(cls, "version", None), str), "a `version` string"
        _caps(kit_subject)
        assert callable(getattr(cls, "from_config", None)), "a `from_config` classmethod"
        options = getattr(cls, "OPTIONS", None)
        assert options is not None and hasattr(options, "items"), "an `OPTIONS` mapping"

    def test_implements_the_adapter_port(self, kit_subject: ContractSubject) -> None:
        """The adapter has every method of the Adapter protocol and stats of the right type."""
        assert isinstance(kit_subject.adapter, Adapter)
        assert isinstance(kit_subject.adapter.stats, SourceStats)

    def test_from_config_refuses_an_unknown_key(self, kit_subject: ContractSubject) -> None:
        """A misspelt key is a ConfigError naming the place and the key, before any request."""
        cls = type(kit_subject.adapter)
        key = "surely_not_an_option_of_yours"
        with pytest.raises(ValueError) as info:
            cls.from_config({key: 1}, env={}, where="sources[9]")
        assert isinstance(info.value, StakeplugError)
        assert "sources[9]" in str(info.value)

    # ------------------------------------------------------------------ reading

    def test_window_holds_activities(self, kit_subject: ContractSubject) -> None:
        """The subject's window holds at least one activity (the other checks rely on it)."""
        got = self.collect(kit_subject, kit_subject.since, kit_subject.until)
        assert got, "the subject's window should hold at least one activity"

    def test_activities_are_well_formed(self, kit_subject: ContractSubject) -> None:
        """Each activity has a kind, an item with a tool and an id, and an account or None."""
        for a in self.collect(kit_subject, kit_subject.since, kit_subject.until):
            assert isinstance(a, Activity)
            assert isinstance(a.kind, ActivityKind)
            assert isinstance(a.item, Item)
            assert isinstance(a.item.tool, str) and a.item.tool, a
            assert isinstance(a.item.id, str) and a.item.id, a
            assert a.actor is None or (isinstance(a.actor, str) and a.actor), a
            assert all(isinstance(x, str) and x for x in a.addressees), a
            # A review has a verdict; a line comment may carry the verdict of the review it belongs to.
            assert a.verdict is None or a.kind in (ActivityKind.REVIEW, ActivityKind.REVIEW_COMMENT), a
            assert a.count >= 1, a
            assert a.id is None or isinstance(a.id, str), a

    def test_emitted_kinds_match_declared_capabilities(self, kit_subject: ContractSubject) -> None:
        """An adapter emits only the kinds of activity its capabilities announce."""
        caps = _caps(kit_subject)
        for a in self.collect(kit_subject, kit_subject.since, kit_subject.until):
            needed = KIND_CAPABILITY[a.kind]
            assert getattr(caps, needed), f"{a.kind} emitted without declaring {needed!r}"

    def test_no_comment_bodies_are_stored(self, kit_subject: ContractSubject) -> None:
        """Bodies are read for mentions only; no activity keeps one in its details."""
        for a in self.collect(kit_subject, kit_subject.since, kit_subject.until):
            assert not (_BODY_KEYS & set(a.details)), f"details keep a body: {sorted(a.details)}"

    def test_timestamps_are_aware_utc(self, kit_subject: ContractSubject) -> None:
        """Timestamps and due dates are timezone-aware and in UTC."""
        for a in self.collect(kit_subject, kit_subject.since, kit_subject.until):
            for value in (a.timestamp, a.due):
                if value is None:
                    continue
                assert value.tzinfo is not None, a
                assert value.utcoffset() == timedelta(0), a

    def test_activities_come_oldest_first(self, kit_subject: ContractSubject) -> None:
        """collect yields in chronological order, unless the capabilities declare ``ordered=False``."""
        if not _caps(kit_subject).ordered:
            pytest.skip("the adapter declares ordered=False: it yields in the tracker's order")
        stamps = [a.timestamp for a in self.collect(kit_subject, kit_subject.since, kit_subject.until)]
        assert stamps == sorted(stamps)

    def test_window_boundaries_are_respected(self, kit_subject: ContractSubject) -> None:
        """Every activity has since <= timestamp < until."""
        for a in self.collect(kit_subject, kit_subject.since, kit_subject.until):
            assert kit_subject.since <= a.timestamp < kit_subject.until, a

    def test_narrower_windows_give_exactly_the_subset(self, kit_subject: ContractSubject) -> None:
        """Cutting the window at an activity's time splits it: since inclusive, until exclusive."""
        everything = self.collect(kit_subject, kit_subject.since, kit_subject.until)
        stamps = sorted({a.timestamp for a in everything})
        cut = stamps[len(stamps) // 2]
        before = self.collect(kit_subject, kit_subject.since, cut)
        after = self.collect(kit_subject, cut, kit_subject.until)
        assert Counter(map(_key, before)) == Counter(_key(a) for a in everything if a.timestamp < cut)
        assert Counter(map(_key, after)) == Counter(_key(a) for a in everything if a.timestamp >= cut)
        assert any(a.timestamp == cut for a in after), "since is inclusive"
        exact = self.collect(kit_subject, cut, cut + timedelta(microseconds=1))
        assert {a.timestamp for a in exact} == {cut}

    def test_empty_window_yields_nothing(self, kit_subject: ContractSubject) -> None:
        """A window whose since equals its until holds nothing."""
        assert self.collect(kit_subject, kit_subject.since, kit_subject.since) == []

    def test_identities_are_stable_across_collections(self, kit_subject: ContractSubject) -> None:
        """Two collections of the same window name the same people, items and events."""
        first = self.collect(kit_subject, kit_subject.since, kit_subject.until)
        second = self.collect(kit_subject, kit_subject.since, kit_subject.until)
        assert Counter(map(_key, first)) == Counter(map(_key, second))

    def test_incremental_collection_after_no_change_is_empty(self, kit_subject: ContractSubject) -> None:
        """Collecting again from the previous until returns nothing already seen."""
        first = self.collect(kit_subject, kit_subject.since, kit_subject.until)
        seen = set(map(_key, first))
        later = self.collect(kit_subject, kit_subject.until, kit_subject.until + timedelta(days=3650))
        for a in later:
            assert a.timestamp >= kit_subject.until, a
            assert _key(a) not in seen, a

    # ------------------------------------------------------------------ incremental (by capability)

    def test_an_incremental_adapter_gives_every_activity_its_own_stable_id(
        self, kit_subject: ContractSubject
    ) -> None:
        """With ``incremental`` each activity has an id, and no two activities share the store's key."""
        _needs(kit_subject, "incremental")
        everything = self.collect(kit_subject, kit_subject.since, kit_subject.until)
        assert all(isinstance(a.id, str) and a.id for a in everything), "every activity has an id"
        keys = Counter(activity_key(a) for a in everything)
        doubled = [a for a in everything if keys[activity_key(a)] > 1]
        assert not doubled, f"activities the store would merge into one: {doubled[:3]}"

    def test_a_cursor_later_than_everything_gives_no_activities(self, kit_subject: ContractSubject) -> None:
        """Asked from just after the newest activity there is, an incremental adapter yields nothing."""
        _needs(kit_subject, "incremental")
        far = kit_subject.until + timedelta(days=3650)
        seen = self.collect(kit_subject, kit_subject.since, kit_subject.until)
        seen += self.collect(kit_subject, kit_subject.until, far)
        cursor = max(a.timestamp for a in seen) + timedelta(microseconds=1)
        assert self.collect(kit_subject, cursor, far) == []

    def test_an_overlapping_rerun_through_the_store_counts_each_activity_once(
        self, kit_subject: ContractSubject, tmp_path: Path
    ) -> None:
        """Collected in two halves that overlap, through a real store, the window holds each activity once."""
        _needs(kit_subject, "incremental")
        everything = self.collect(kit_subject, kit_subject.since, kit_subject.until)
        stamps = sorted({a.timestamp for a in everything})
        early, cut = stamps[len(stamps) // 4], stamps[len(stamps) // 2]
        with Store.open(tmp_path / "kit-store.sqlite") as store:
            store.write("kit", self.collect(kit_subject, kit_subject.since, cut))
            store.write("kit", self.collect(kit_subject, early, kit_subject.until))
            stored = list(store.read("kit", kit_subject.since, kit_subject.until))
            source = StoredSource(store, "rerun", kit_subject.adapter, now=kit_subject.until)
            list(source.collect(kit_subject.since, cut))
            rerun = list(source.collect(kit_subject.since, kit_subject.until))
            assert source.full is False, "the store asked the adapter only from its cursor"
        assert Counter(map(_key, stored)) == Counter(map(_key, everything))
        assert Counter(map(_key, rerun)) == Counter(map(_key, everything))

    def test_stats_describe_the_collection(self, kit_subject: ContractSubject) -> None:
        """Stats are a SourceStats with counts that never go negative."""
        self.collect(kit_subject, kit_subject.since, kit_subject.until)
        stats = kit_subject.adapter.stats
        assert isinstance(stats, SourceStats)
        assert min(stats.requests, stats.items, stats.activities, stats.skipped) >= 0

    # ------------------------------------------------------------------ writing

    def test_find_tasks_returns_task_refs(self, kit_subject: ContractSubject) -> None:
        """find_tasks returns TaskRef records with fingerprints."""
        _needs(kit_subject, "posts_tasks")
        for task in kit_subject.adapter.find_tasks():
            assert isinstance(task, TaskRef)
            assert task.fingerprint and task.id

    def test_posting_twice_creates_one_task(self, kit_subject: ContractSubject) -> None:
        """Posting the same fingerprint twice creates one task; the second call finds it."""
        _needs(kit_subject, "posts_tasks")
        draft = _draft("idempotence")
        first = kit_subject.adapter.post_task(draft, dry_run=False)
        assert isinstance(first, PostResult)
        assert first.created and not first.dry_run
        assert first.task is not None and first.task.fingerprint == draft.fingerprint
        second = kit_subject.adapter.post_task(draft, dry_run=False)
        assert not second.created
        assert second.task is not None and second.task.id == first.task.id
        matching = [t for t in kit_subject.adapter.find_tasks() if t.fingerprint == draft.fingerprint]
        assert len(matching) == 1

    def test_dry_run_creates_nothing(self, kit_subject: ContractSubject) -> None:
        """A dry run reports what it would do and leaves the tool unchanged."""
        _needs(kit_subject, "posts_tasks")
        before = {t.fingerprint for t in kit_subject.adapter.find_tasks()}
        draft = _draft("dry run")
        result = kit_subject.adapter.post_task(draft, dry_run=True)
        assert result.dry_run and not result.created
        after = {t.fingerprint for t in kit_subject.adapter.find_tasks()}
        assert after == before
        assert draft.fingerprint not in after

    def test_dry_run_is_the_default(self, kit_subject: ContractSubject) -> None:
        """post_task without dry_run writes nothing."""
        _needs(kit_subject, "posts_tasks")
        draft = _draft("default")
        result = kit_subject.adapter.post_task(draft)
        assert result.dry_run and not result.created
        assert draft.fingerprint not in {t.fingerprint for t in kit_subject.adapter.find_tasks()}

    def test_an_adapter_that_cannot_post_refuses_to(self, kit_subject: ContractSubject) -> None:
        """Without posts_tasks, find_tasks is empty and posting raises a stakeplug error."""
        if _caps(kit_subject).posts_tasks:
            pytest.skip("the adapter declares the 'posts_tasks' capability")
        assert list(kit_subject.adapter.find_tasks()) == []
        with pytest.raises(StakeplugError):
            kit_subject.adapter.post_task(_draft("refused"), dry_run=False)

    # ------------------------------------------------------------------ failing and secrets

    def test_failures_raise_tracker_errors(self, kit_subject: ContractSubject) -> None:
        """A failing source raises a TrackerError subclass naming the adapter, without secrets."""
        if kit_subject.make_failing is None:
            pytest.skip("the subject gives no make_failing")
        failing = kit_subject.make_failing()
        try:
            with pytest.raises(TrackerError) as info:
                list(failing.collect(kit_subject.since, kit_subject.until))
        finally:
            failing.close()
        assert info.value.adapter == type(kit_subject.adapter).name
        for secret in kit_subject.secrets:
            assert secret not in str(info.value)

    def test_repr_and_stats_do_not_leak_secrets(self, kit_subject: ContractSubject) -> None:
        """No credential value appears in the adapter's repr, str or stats."""
        self.collect(kit_subject, kit_subject.since, kit_subject.until)
        shown = " ".join(
            (repr(kit_subject.adapter), str(kit_subject.adapter), repr(kit_subject.adapter.stats))
        )
        for secret in kit_subject.secrets:
            assert secret not in shown
