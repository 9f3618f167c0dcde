"""The domain model: people, tracker items, activities and what the engine derives.

Everything here is an immutable attrs class.  Adapters build :class:`Activity`
and :class:`Item` records; the engine builds :class:`Evidence` and
:class:`StakeholderScore`; the planner builds :class:`CareSuggestion`.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import attrs

__all__ = [
    "Activity",
    "ActivityKind",
    "CareAction",
    "CareSuggestion",
    "Category",
    "Evidence",
    "Identity",
    "Item",
    "ItemKind",
    "Signal",
    "Stakeholder",
    "StakeholderScore",
    "TeamMember",
    "Trend",
    "Verdict",
    "ensure_utc",
    "fold_name",
    "nfc",
]


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C: "José" with one é or with e and a combining accent is one string."""
    return unicodedata.normalize("NFC", text)


def fold_name(name: str) -> str:
    """The form two names are compared in: normal form C, then case-folded."""
    return nfc(name).casefold()


def _optional_nfc(text: str | None) -> str | None:
    return None if text is None else nfc(text)


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive datetimes are refused.

    A naive timestamp cannot be placed in time without guessing a zone, and a
    wrong guess would move evidence across window edges, so it is an error.
    """
    tz = value.tzinfo
    if tz is UTC:
        return value
    if tz is None or tz.utcoffset(value) is None:
        raise ValueError(f"timestamp {value.isoformat()} has no time zone; give it in UTC")
    return value.astimezone(UTC)


def _optional_utc(value: datetime | None) -> datetime | None:
    return None if value is None else ensure_utc(value)


class _StrEnum(enum.StrEnum):
    pass


class ActivityKind(_StrEnum):
    """What happened in a tracker, normalized across tools.

    ``addressees`` on the activity names who it was aimed at (the mentioned
    people, the requested reviewer, the new assignee).
    """

    COMMENT = "comment"
    """A comment; mentions in it are its addressees."""
    REVIEW = "review"
    """A review with a :class:`Verdict`."""
    REVIEW_COMMENT = "review_comment"
    """A comment on a line of a change under review."""
    REQUEST = "request"
    """A request for input addressed to someone: review request, question, "input needed"."""
    ASSIGNED = "assigned"
    """``actor`` assigned the item to ``addressees``; ``due`` is the agreed date, if any."""
    UNASSIGNED = "unassigned"
    """``actor`` removed ``addressees`` from the item."""
    TRANSITIONED = "transitioned"
    """``actor`` moved the item forward (a status change that is not completion)."""
    COMPLETED = "completed"
    """``actor`` completed the item; ``addressees`` are its assignees and ``due`` its due date."""
    REOPENED = "reopened"
    """``actor`` reopened a completed item."""
    LINKED = "linked"
    """``actor`` linked the item with another; see ``link_type`` and ``external``."""
    MEMBER_ADDED = "member_added"
    """``actor`` added ``addressees`` to their own board, project or team."""
    REACTION = "reaction"
    """``actor`` reacted to the item (``count`` reactions)."""
    CREATED = "created"
    """``actor`` created the item."""


class Verdict(_StrEnum):
    """The verdict of a review."""

    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    COMMENTED = "commented"
    REJECTED = "rejected"
    DISMISSED = "dismissed"


class ItemKind(_StrEnum):
    """What an item is for; the engine treats status reports and requests specially."""

    TASK = "task"
    ISSUE = "issue"
    PULL_REQUEST = "pull_request"
    STATUS_REPORT = "status_report"
    DISCUSSION = "discussion"
    INPUT_NEEDED = "input_needed"
    MESSAGE = "message"


class Signal(_StrEnum):
    """A derived behaviour (supportive) or resistance signal."""

    ANSWERS_MESSAGES = "answers_messages"
    APPROACHES_INFORMALLY = "approaches_informally"
    RESPONDS_TO_REQUESTS = "responds_to_requests"
    PARTICIPATES_ACTIVELY = "participates_actively"
    KEEPS_AGREEMENTS = "keeps_agreements"
    MAKES_TIME = "makes_time"
    INVITES_YOU = "invites_you"
    GIVES_UNSOLICITED_FEEDBACK = "gives_unsolicited_feedback"
    # resistance
    REQUESTS_CHANGES = "requests_changes"
    REOPENS = "reopens"
    BLOCKS = "blocks"
    LEAVES_REQUESTS_UNANSWERED = "leaves_requests_unanswered"
    MISSES_AGREEMENTS = "misses_agreements"
    UNASSIGNS_SELF = "unassigns_self"

    @property
    def is_resistance(self) -> bool:
        """True for the signals that count against acceptance."""
        return self in _RESISTANCE


_RESISTANCE = frozenset(
    {
        Signal.REQUESTS_CHANGES,
        Signal.REOPENS,
        Signal.BLOCKS,
        Signal.LEAVES_REQUESTS_UNANSWERED,
        Signal.MISSES_AGREEMENTS,
        Signal.UNASSIGNS_SELF,
    }
)


class Category(_StrEnum):
    """The five places on the stakeholder map."""

    PARTNER = "partner"
    OPPONENT = "opponent"
    SILENT_SUPPORTER = "silent_supporter"
    SILENT_CRITIC = "silent_critic"
    UNDECIDED = "undecided"

    @property
    def label(self) -> str:
        """A human label: ``silent supporter``."""
        return self.value.replace("_", " ")


class Trend(_StrEnum):
    """Recent energy compared with the stakeholder's own baseline."""

    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"
    NEW = "new"
    """Too little history for a baseline."""


class AtRiskReason(_StrEnum):
    """Why a partner is at risk, each measured against the person's own baseline."""

    LOSING_INTEREST = "losing_interest"
    """They act clearly less than they used to."""
    PUSHING_BACK = "pushing_back"
    """They act as before, but resist more than they used to."""


class CareAction(_StrEnum):
    """The care actions the planner can suggest."""

    STATUS_UPDATE = "status_update"
    RISK_BRIEFING = "risk_briefing"
    CELEBRATE_AND_THANK = "celebrate_and_thank"
    ASK_ADVICE = "ask_advice"
    AMBASSADOR = "ambassador"
    VIA_INTERMEDIARY = "via_intermediary"
    LISTEN_TO_CONCERNS = "listen_to_concerns"
    """Not a partner action: hear an opponent's concerns without pushing."""


@attrs.frozen
class Identity:
    """One account of a person in one tool: ``Identity("github", "octocat")``; both kept in normal form C."""

    tool: str = attrs.field(converter=nfc)
    account: str = attrs.field(converter=nfc)

    def __str__(self) -> str:
        return f"{self.tool}:{self.account}"


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return value if type(value) is tuple else tuple(value)


def _identities(value: Any) -> tuple[Identity, ...]:
    if isinstance(value, Mapping):
        return tuple(Identity(str(k), str(v)) for k, v in value.items())
    return tuple(value)


def _account_in(identities: tuple[Identity, ...], tool: str) -> str | None:
    return next((i.account for i in identities if i.tool == tool), None)


@attrs.frozen
class TeamMember:
    """Someone on the project team: requests come from them, care tasks go to them (name in normal form C)."""

    name: str = attrs.field(converter=nfc)
    identities: tuple[Identity, ...] = attrs.field(default=(), converter=_identities)

    def account(self, tool: str) -> str | None:
        """The member's account in ``tool``, or ``None``."""
        return _account_in(self.identities, tool)


@attrs.frozen
class Stakeholder:
    """A person whose engagement the project cares about, as declared in the register.

    ``power`` (1–5) is how far they can decide or set off chain reactions;
    ``interest`` (1–5) how much the project touches them; ``prior_acceptance``
    (−3…+3) is what conversations suggested before any evidence.  The names
    (its own, ``owner``, ``reachable_via``) are kept in Unicode normal form C.
    """

    name: str = attrs.field(converter=nfc)
    identities: tuple[Identity, ...] = attrs.field(default=(), converter=_identities)
    power: int = 3
    interest: int = 3
    prior_acceptance: float | None = None
    role: str | None = None
    owner: str | None = attrs.field(default=None, converter=_optional_nfc)
    """Name of the team member who owns the relationship."""
    reachable_via: str | None = attrs.field(default=None, converter=_optional_nfc)
    """Name of someone with a direct line to this stakeholder."""
    ambassador_consent: bool = False
    opted_out: bool = False

    def account(self, tool: str) -> str | None:
        """The stakeholder's account in ``tool``, or ``None``."""
        return _account_in(self.identities, tool)


@attrs.frozen
class Item:
    """A tracker item an activity happened on: an issue, pull request, card or mail thread."""

    tool: str
    id: str
    url: str | None = None
    title: str | None = None
    labels: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    kind: ItemKind = attrs.field(default=ItemKind.TASK, converter=ItemKind)
    project: str | None = None
    """The project, repository or board that holds the item."""


_NO_DETAILS: Mapping[str, Any] = MappingProxyType({})


def _kind(value: ActivityKind | str) -> ActivityKind:
    return value if type(value) is ActivityKind else ActivityKind(value)


def _verdict(value: Verdict | str | None) -> Verdict | None:
    if value is None or type(value) is Verdict:
        return value
    return Verdict(value)


# Activities are created by the million, so this class trades slots for a
# faster constructor (attrs writes frozen dict-based instances directly) and
# its converters take a fast path when values already have the right type.
@attrs.frozen(eq=False, slots=False)
class Activity:
    """One normalized tracker event: who did what, to whom, on which item, when.

    ``actor`` and ``addressees`` are accounts in ``item.tool``; ``None`` as
    actor means a deleted account.  ``timestamp`` is always aware UTC.
    """

    kind: ActivityKind = attrs.field(converter=_kind)
    actor: str | None
    item: Item
    timestamp: datetime = attrs.field(converter=ensure_utc)
    addressees: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    verdict: Verdict | None = attrs.field(default=None, converter=_verdict)
    due: datetime | None = attrs.field(default=None, converter=_optional_utc)
    link_type: str | None = None
    """For links: ``blocks``, ``is blocked by``, ``relates``..."""
    external: bool = False
    """For links: the other end is in another project than the item's.  Adapters also put
    that project in ``details["other_project"]``, so the engine can tell the register's
    own projects (``[project] own_projects``) from really foreign ones."""
    count: int = 1
    """For reactions: how many the actor added."""
    id: str | None = None
    """A stable id from the tool, used to recognize the same event across runs."""
    details: Mapping[str, Any] = attrs.field(default=_NO_DETAILS, repr=False)
    """Tool-specific extras, e.g. ``request_kind`` of a request.  Never comment bodies."""
    actor_name: str | None = None
    """The name the tool shows for ``actor`` (``Maria Jensen`` for ``5b10a284...``), when it gives one.

    Only for showing people as people in reports and warnings; it never counts in scoring and is
    not part of an activity's identity."""

    @property
    def tool(self) -> str:
        """The tool the activity happened in."""
        return self.item.tool

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Activity):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Any, ...]:
        return (
            self.kind,
            self.actor,
            self.item.tool,
            self.item.id,
            self.timestamp,
            self.addressees,
            self.verdict,
            self.due,
            self.link_type,
            self.external,
            self.count,
            self.id,
        )


@attrs.frozen
class Evidence:
    """A derived behaviour or resistance signal, with the activities behind it."""

    signal: Signal
    stakeholder: str
    timestamp: datetime
    weight: float
    """The signal's weight after time decay."""
    activities: tuple[Activity, ...]
    note: str = ""

    @property
    def links(self) -> tuple[str, ...]:
        """The item links behind this evidence, without repeats."""
        return tuple(dict.fromkeys(a.item.url for a in self.activities if a.item.url))


@attrs.frozen
class StakeholderScore:
    """Where a stakeholder stands on the map, and why."""

    stakeholder: Stakeholder
    acceptance: float
    """−3 (rejects) … +3 (accepts)."""
    energy: float
    """1 (invisible) … 5 (very visible)."""
    category: Category
    priority: int
    """power × interest, 1 … 25."""
    trend: Trend
    recent_energy: float
    baseline_energy: float
    at_risk: bool
    """A partner (by acceptance and baseline energy) whose recent energy fell clearly below
    their own baseline."""
    signal_counts: Mapping[str, int]
    evidence: tuple[Evidence, ...]
    """The most recent evidence per signal, newest first, capped per signal."""
    at_risk_reason: AtRiskReason | None = None
    """Why the partner is at risk; ``None`` when :attr:`at_risk` is false."""
    recent_rate: float = 0.0
    """Distinct acts a week in the recent part of the window (``rules.windows.recent_days``).

    An act is one activity of the person's own that showed a signal, counted once however many
    signals it showed (a requested approval is one act)."""
    baseline_rate: float = 0.0
    """Distinct acts a week before the recent part: the person's own baseline."""
    rate_ratio: float | None = None
    """:attr:`recent_rate` / :attr:`baseline_rate`; ``None`` without acts before the recent part."""
    weekly_activity: tuple[int, ...] = ()
    """Distinct acts per week over the window, oldest first: the last week ends at the audit's
    ``until``, each week before it 7 days earlier (the first may begin before ``since``)."""

    @property
    def name(self) -> str:
        return self.stakeholder.name

    @property
    def map_energy(self) -> float:
        """Where the stakeholder stands on the energy axis: a partner at risk at their recent energy.

        The at-risk flag says their recent energy fell clearly below their own baseline;
        placing them at the window's overall energy would hide exactly that fall.
        """
        return self.recent_energy if self.at_risk else self.energy


@attrs.frozen
class CareSuggestion:
    """A suggested care task for one stakeholder, ready to be posted to a tracker.

    ``wording`` is neutral text fit for a task the stakeholder may read: it never
    carries a score or a category.  ``explanation`` is for the team.
    """

    action: CareAction
    stakeholder: str
    owner: str | None
    title: str
    wording: str
    explanation: str
    evidence: tuple[Evidence, ...]
    due: datetime
    fingerprint: str
    period: str
    """The cadence period the suggestion belongs to, e.g. ``2026-W48/14d``."""
    priority: int
    via: str | None = None
    """For ``via_intermediary``: who to go through."""

    @property
    def links(self) -> tuple[str, ...]:
        """Links to the evidence behind the suggestion."""
        return tuple(dict.fromkeys(link for e in self.evidence for link in e.links))
