"""Deadlines: requests waiting for an answer and agreements waiting for a completion.

A request's deadline is checked when the request is next touched (an answer,
or asking again), and all passed deadlines are recorded at the start of each
part and before each fold (:meth:`Deadlines.expire`); agreements likewise.
That gives the same signals, at the same times, as checking before every
activity, while pending requests and agreements are kept only until their
deadline passes.
"""

from __future__ import annotations

import heapq
from collections import deque
from datetime import datetime
from itertools import count

from stakeplug.domain.model import Activity
from stakeplug.domain.rules import Rules
from stakeplug.engine.identities import Handle
from stakeplug.engine.ledger import DAY, Ledger, PendingRequest
from stakeplug.engine.signals import MISSES_AGREEMENTS

# Request kinds; compared by identity in the hot loop.
MENTION = "mention"
REQUEST = "request"
REVIEW = "review"
ASSIGNMENT = "assignment"

ItemKey = tuple[str, str]
"""An item as (tool, item id)."""

Agreement = tuple[float, Activity]
"""An agreement: the due time, and the assignment that made it."""


class Deadlines:
    """The pending requests' deadlines and the open agreements, in deadline order."""

    def __init__(self, ledger: Ledger, rules: Rules):
        self.ledger = ledger
        self.answer_s = rules.answer_days * DAY
        self.grace_s = rules.due_grace_days * DAY
        # Pending requests live on the handles; their deadlines, as (deadline, opened,
        # handle, item id), wait in a queue while they arrive in time order (answer_days
        # after activities that arrive in time order), else in a heap, where a sequence
        # number after the times keeps entries comparable.
        self.request_queue: deque[tuple[float, float, Handle, str]] = deque()
        self.request_heap: list[tuple[float, float, int, Handle, str]] = []
        self.sequence = count()
        self.agreements: dict[ItemKey, dict[int, Agreement]] = {}
        """Per item: the open agreements by stakeholder index."""
        self.agreement_heap: list[tuple[float, float, ItemKey, int]] = []
        self.missed_agreements: set[tuple[ItemKey, int]] = set()
        """Agreements counted as missed when their due date passed, until the item is completed."""

    def wait_for_answer(self, ts: float, handle: Handle, item_id: str) -> None:
        """Queue the deadline of a request opened at ``ts``."""
        deadline = ts + self.answer_s
        queue = self.request_queue
        if not queue or queue[-1][0] <= deadline:
            queue.append((deadline, ts, handle, item_id))
        else:
            heapq.heappush(self.request_heap, (deadline, ts, next(self.sequence), handle, item_id))

    def expire(self, now: float) -> None:
        """Record the requests and agreements whose deadline passed before ``now``."""
        queue, heap = self.request_queue, self.request_heap
        while True:
            # A request's deadline passed: unanswered, unless it was answered or asked again since.
            if queue and queue[0][0] < now:
                _, opened, handle, item_id = queue.popleft()
            elif heap and heap[0][0] < now:
                _, opened, _, handle, item_id = heapq.heappop(heap)
            else:
                break
            pending = handle.pending
            entry = pending.get(item_id)
            if entry is not None and entry[0] == opened:
                del pending[item_id]
                self.unanswered(handle, entry)
        agreement_heap = self.agreement_heap
        while agreement_heap and agreement_heap[0][0] < now:
            _, due, item_key, index = heapq.heappop(agreement_heap)
            open_items = self.agreements.get(item_key)
            if not open_items:
                continue
            agreement = open_items.get(index)
            if agreement is not None and agreement[0] == due:
                del open_items[index]
                if not open_items:
                    del self.agreements[item_key]
                self.missed(index, agreement)

    def unanswered(self, handle: Handle, entry: PendingRequest) -> None:
        """A request whose deadline passed without an answer (assignments only lapse)."""
        if entry[1] is not ASSIGNMENT:
            handle.lapsed.append(entry)

    def missed(self, index: int, agreement: Agreement) -> None:
        """An agreement whose due date (plus grace) passed without completion."""
        due_ts, assigned = agreement
        self.missed_agreements.add(((assigned.item.tool, assigned.item.id), index))
        self.ledger.add(
            self.ledger.people[index],
            MISSES_AGREEMENTS,
            due_ts + self.grace_s,
            (assigned,),
            "not completed by the agreed due date",
        )

    def open_agreement(self, index: int, due: datetime, activity: Activity, ts: float) -> None:
        """Wait for the completion of an assignment due at ``due``, made at ``ts``."""
        due_ts = due.timestamp()
        item_key = (activity.item.tool, activity.item.id)
        open_items = self.agreements.setdefault(item_key, {})
        earlier = open_items.get(index)
        if earlier is not None and ts > earlier[0] + self.grace_s:
            self.missed(index, earlier)
        open_items[index] = (due_ts, activity)
        heapq.heappush(self.agreement_heap, (due_ts + self.grace_s, due_ts, item_key, index))

    def drop_agreement(self, item_key: ItemKey, index: int, ts: float) -> None:
        """The stakeholder gave the item up at ``ts``: a missed agreement if its due date had passed."""
        open_items = self.agreements.get(item_key)
        if open_items:
            dropped = open_items.pop(index, None)
            if dropped is not None and ts > dropped[0] + self.grace_s:
                self.missed(index, dropped)

    def was_missed(self, item_key: ItemKey, index: int) -> bool:
        """Whether the stakeholder's agreement on the item was counted as missed; forgets it."""
        try:
            self.missed_agreements.remove((item_key, index))
        except KeyError:
            return False
        return True

    def close_agreements(self, item_key: ItemKey) -> dict[int, Agreement]:
        """The open agreements on a completed item, by stakeholder index; they are closed now."""
        return self.agreements.pop(item_key, None) or {}
