"""An in-memory adapter that supports every capability, and a small realistic activity stream.

:class:`MemoryAdapter` is the reference implementation of the
:class:`~stakeplug.adapter.Adapter` port: the conformance kit runs against it
in stakeplug's own suite, the engine's tests feed it activities, and a script
can use it to try a pipeline without any tracker.
"""

from __future__ import annotations

import bisect
import itertools
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any, ClassVar

from stakeplug.adapter import (
    Capabilities,
    Option,
    PostResult,
    SourceStats,
    TaskDraft,
    TaskRef,
    config_place,
    in_window,
    parse_options,
    utc_window,
)
from stakeplug.domain.model import Activity, ActivityKind, Item, ItemKind, Verdict, ensure_utc
from stakeplug.errors import AuthenticationError, ConfigError, TrackerError

__all__ = ["SAMPLE_START", "MemoryAdapter", "sample_activities"]

SAMPLE_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""The Monday the default :func:`sample_activities` stream starts on."""


_when = attrgetter("timestamp")


def sample_activities(start: datetime = SAMPLE_START, *, tool: str = "memory") -> list[Activity]:
    """A small, realistic three-week activity stream, oldest first.

    The team is ``dana`` and ``lee``; the stakeholders are ``maria`` (a partner
    who answers, reviews and keeps her agreements), ``omar`` (a critic who asks
    for changes and reopens) and ``sam`` (a quiet supporter who only reacts).
    Every activity has a distinct timestamp and a stable ``id``.
    """
    start = ensure_utc(start)
    return [
        Activity(kind=kind, actor=actor, item=it, timestamp=start + offset, id=f"ev-{n}", **extra)
        for n, (offset, kind, actor, it, extra) in enumerate(_sample_rows(start, tool), start=1)
    ]


_SampleRow = tuple[timedelta, ActivityKind, str | None, Item, dict[str, Any]]


def _sample_item(tool: str, number: int, title: str, kind: ItemKind, *labels: str) -> Item:
    project = "apollo"
    return Item(
        tool=tool,
        id=f"{project}-{number}",
        url=f"https://tracker.example.org/{project}/{number}",
        title=title,
        labels=labels,
        kind=kind,
        project=project,
    )


def _sample_rows(start: datetime, tool: str) -> list[_SampleRow]:
    """The sample stream as (offset from start, kind, actor, item, extra fields)."""

    def item(number: int, title: str, kind: ItemKind, *labels: str) -> Item:
        return _sample_item(tool, number, title, kind, *labels)

    report = item(1, "Status report, week 10", ItemKind.STATUS_REPORT, "status-report")
    question = item(2, "Which export format do the labs need?", ItemKind.INPUT_NEEDED)
    change = item(3, "Add CSV export", ItemKind.PULL_REQUEST)
    task = item(4, "Check the export with the lab's data", ItemKind.TASK)
    plan = item(5, "Roadmap discussion", ItemKind.DISCUSSION)
    due = start + timedelta(days=10)
    h = timedelta(hours=1)
    d = timedelta(days=1)
    return [
        (0 * d, ActivityKind.CREATED, "dana", report, {}),
        (0 * d + 2 * h, ActivityKind.CREATED, "lee", question, {}),
        (0 * d + 3 * h, ActivityKind.COMMENT, "lee", question, {"addressees": ("maria",)}),
        (1 * d, ActivityKind.COMMENT, "maria", question, {}),
        (1 * d + 4 * h, ActivityKind.COMMENT, "maria", report, {}),
        (2 * d, ActivityKind.CREATED, "dana", change, {}),
        (2 * d + h, ActivityKind.REQUEST, "dana", change, {"addressees": ("maria", "omar")}),
        (3 * d, ActivityKind.REVIEW, "maria", change, {"verdict": Verdict.APPROVED}),
        (3 * d + 2 * h, ActivityKind.REVIEW_COMMENT, "omar", change, {}),
        (
            3 * d + 3 * h,
            ActivityKind.REVIEW,
            "omar",
            change,
            {"verdict": Verdict.CHANGES_REQUESTED},
        ),
        (4 * d, ActivityKind.ASSIGNED, "dana", task, {"addressees": ("maria",), "due": due}),
        (4 * d + h, ActivityKind.REACTION, "sam", report, {"count": 2}),
        (5 * d, ActivityKind.TRANSITIONED, "maria", task, {}),
        (6 * d, ActivityKind.LINKED, "maria", plan, {"link_type": "relates", "external": True}),
        (7 * d, ActivityKind.MEMBER_ADDED, "maria", plan, {"addressees": ("dana",)}),
        (8 * d, ActivityKind.COMPLETED, "maria", task, {"addressees": ("maria",), "due": due}),
        (9 * d, ActivityKind.REOPENED, "omar", task, {}),
        (10 * d, ActivityKind.LINKED, "omar", change, {"link_type": "is blocked by"}),
        (12 * d, ActivityKind.COMMENT, None, report, {}),
        (14 * d, ActivityKind.UNASSIGNED, "omar", task, {"addressees": ("omar",)}),
        (17 * d, ActivityKind.COMMENT, "lee", plan, {"addressees": ("sam",)}),
        (20 * d, ActivityKind.COMMENT, "maria", plan, {}),
    ]


_EVERYTHING = Capabilities(
    comments=True,
    mentions=True,
    reviews=True,
    requests=True,
    assignments=True,
    due_dates=True,
    transitions=True,
    links=True,
    reactions=True,
    membership=True,
    created=True,
    posts_tasks=True,
    incremental=True,
)


class MemoryAdapter:
    """An adapter over a list held in memory; it can read and post everything.

    Seed it with activities (the constructor, or :meth:`add`); created tasks
    are kept in :attr:`tasks` and :attr:`drafts`.  ``token`` stands in for a
    credential so tests can check it never leaks; ``fail_with`` makes every
    collection raise that error, the way a tracker refusing credentials would.

    Built from a mapping, it accepts ``seed`` (``"sample"`` for
    :func:`sample_activities`, ``"empty"``), ``tool`` and ``token_env`` (the
    name of an environment variable holding a token; unset raises a
    :class:`~stakeplug.errors.ConfigError` naming it).
    """

    name: ClassVar[str] = "memory"
    version: ClassVar[str] = "1.0"
    capabilities: ClassVar[Capabilities] = _EVERYTHING
    OPTIONS: ClassVar[Mapping[str, Option]] = {
        "seed": Option(str, default="sample", help='"sample" or "empty"'),
        "tool": Option(str, default="memory", help="the tool name put on items"),
        "token_env": Option(str, help="environment variable with a token"),
    }

    def __init__(
        self,
        activities: Iterable[Activity] = (),
        *,
        tool: str = "memory",
        token: str | None = None,
        fail_with: TrackerError | None = None,
    ):
        self.tool = tool
        self._token = token
        self.fail_with = fail_with
        self._lock = threading.Lock()
        # Kept in time order, so each collect() is two binary searches (see in_window).
        self._activities: list[Activity] = sorted(activities, key=_when)
        self._items = {a.item.id for a in self._activities}
        self.tasks: list[TaskRef] = []
        self.drafts: dict[str, TaskDraft] = {}
        self._ids = itertools.count(1)
        self._collected = 0
        self._requests = 0
        self.closed = False

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        where: str | None = None,
    ) -> MemoryAdapter:
        """Build from a ``[[sources]]`` table (see the class docstring for the keys)."""
        options = parse_options(cls.name, config, cls.OPTIONS, where=where)
        place = config_place(cls.name, where)
        token = None
        if options["token_env"]:
            environ = os.environ if env is None else env
            token = environ.get(options["token_env"])
            if not token:
                raise ConfigError(
                    f"token_env: the environment variable {options['token_env']} is not set",
                    location=place,
                )
        if options["seed"] not in ("sample", "empty"):
            raise ConfigError(f"seed: must be 'sample' or 'empty', got {options['seed']!r}", location=place)
        tool = options["tool"]
        seed = sample_activities(tool=tool) if options["seed"] == "sample" else []
        return cls(seed, tool=tool, token=token)

    def __repr__(self) -> str:
        token = "set" if self._token else "none"
        return (
            f"MemoryAdapter(tool={self.tool!r}, activities={len(self._activities)}, "
            f"tasks={len(self.tasks)}, token={token})"
        )

    def add(self, *activities: Activity) -> None:
        """Add activities, as if they had just happened in the tool."""
        with self._lock:
            for activity in activities:
                bisect.insort(self._activities, activity, key=_when)
                self._items.add(activity.item.id)

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        """Yield the held activities with ``since <= timestamp < until``, oldest first."""
        since, until = utc_window(since, until)
        self._requests += 1
        if self.fail_with is not None:
            raise self.fail_with
        with self._lock:
            chosen = in_window(self._activities, since, until)
        for activity in chosen:
            self._collected += 1
            yield activity

    def find_tasks(self) -> Sequence[TaskRef]:
        """Every task created through :meth:`post_task`."""
        self._requests += 1
        if self.fail_with is not None:
            raise self.fail_with
        with self._lock:
            return list(self.tasks)

    def post_task(self, draft: TaskDraft, *, dry_run: bool = True) -> PostResult:
        """Create ``draft`` unless a task with its fingerprint exists; ``dry_run`` writes nothing."""
        if self.fail_with is not None:
            raise self.fail_with
        with self._lock:
            existing = next((t for t in self.tasks if t.fingerprint == draft.fingerprint), None)
            if existing is not None:
                return PostResult(
                    draft, created=False, dry_run=dry_run, task=existing, reason="already exists"
                )
            if dry_run:
                return PostResult(draft, created=False, dry_run=True, reason="dry run")
            self._requests += 1
            number = next(self._ids)
            task = TaskRef(
                fingerprint=draft.fingerprint,
                id=str(number),
                url=f"memory://tasks/{number}",
                created=datetime.now(UTC),
            )
            self.tasks.append(task)
            self.drafts[draft.fingerprint] = draft
        return PostResult(draft, created=True, dry_run=False, task=task)

    @property
    def stats(self) -> SourceStats:
        """Calls made (as requests), activities held and yielded."""
        return SourceStats(
            requests=self._requests,
            items=len(self._items),
            activities=self._collected,
        )

    def close(self) -> None:
        """Nothing to release; remembered for tests."""
        self.closed = True


def failing_memory_adapter(status: int = 401) -> MemoryAdapter:
    """A :class:`MemoryAdapter` whose every call fails as a tracker refusing credentials would."""
    return MemoryAdapter(
        fail_with=AuthenticationError(
            "the tracker refused the credentials", adapter=MemoryAdapter.name, status=status
        )
    )
