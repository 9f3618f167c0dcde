"""What one repository's read settles at its end, and only that: the rest streams.

The reader yields each activity as its page is translated.  Three things about
an activity may only be known later in the run, and :class:`PostPass` holds
back just the activities they concern:

* a review request that a later ``review_request_removed`` may take back (the
  request is dropped when the reviewer did nothing on the item in between);
  only the requests with a removal of the same reviewer on the same item after
  them are held, and only the reviewer's own footprints on such items (when
  they acted there) are noted, as times;
* a line comment whose review has not been read yet (it takes that review's
  verdict, :meth:`~stakeplug_github._mapping.Translator.with_review_verdict`);
* an activity addressing a login the run has not seen yet (a mention is spelt
  as GitHub spells the login elsewhere in the run, once it shows up).

The removals are known before anything that could answer a request is
translated except the issues listing, which is read first: each item's
creation is noted (one time per item) and counts as a footprint like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

import attrs

from stakeplug import Activity, ActivityKind
from stakeplug_github._mapping import Translator

__all__ = ["PostPass"]

_Pair = tuple[str, str]
"""An item id and a lowercased login."""


class PostPass:
    """Streams a repository's activities through, holding back what its end must settle."""

    def __init__(self, tr: Translator, since: datetime, until: datetime):
        self.tr = tr
        self.since = since
        self.until = until
        self.held: list[Activity] = []
        """Activities in the window waiting for a verdict or a login's spelling."""
        self.requests: list[Activity] = []
        """Review requests (in or out of the window) that a later removal may take back."""
        self.removals: dict[_Pair, list[datetime]] = {}
        self.footprints: dict[_Pair, list[datetime]] = {}
        self.watching = False

    def watch_removals(self) -> None:
        """From now on the removals the translator has seen decide what is held and noted."""
        for item_id, reviewer, removed in self.tr.withdrawn:
            self.removals.setdefault((item_id, reviewer), []).append(removed)
        self.footprints = {pair: times for pair, times in self.footprints.items() if pair in self.removals}
        self.watching = True

    def settle(self, activities: Iterable[Activity]) -> Iterator[Activity]:
        """Pass ``activities`` on as far as they are settled; hold back the rest."""
        for a in activities:
            actor = a.actor.lower() if a.actor else ""
            pair = (a.item.id, actor)
            if not self.watching or pair in self.removals:
                self.footprints.setdefault(pair, []).append(a.timestamp)
            if a.kind is ActivityKind.REQUEST and self._may_be_taken_back(a):
                self.requests.append(a)
                continue
            if not self.since <= a.timestamp < self.until:
                continue
            if self._waits(a):
                self.held.append(a)
                continue
            yield self._spelt(a)

    def rest(self) -> Iterator[Activity]:
        """What was held, settled with everything the run has seen."""
        for a in [*self.held, *self._kept_requests()]:
            if self.since <= a.timestamp < self.until:
                yield self._spelt(self.tr.with_review_verdict(a))
        self.held, self.requests = [], []

    def _may_be_taken_back(self, a: Activity) -> bool:
        return any(
            removed >= a.timestamp
            for reviewer in a.addressees
            for removed in self.removals.get((a.item.id, reviewer.lower()), ())
        )

    def _waits(self, a: Activity) -> bool:
        """Whether ``a`` needs a review not read yet, or names a login not seen yet."""
        if a.kind is ActivityKind.REVIEW_COMMENT and a.verdict is None:
            review_id = a.details.get("review_id")
            if isinstance(review_id, int) and review_id not in self.tr.verdicts:
                return True
        logins = self.tr.logins
        return any(x.lower() not in logins for x in a.addressees)

    def _spelt(self, a: Activity) -> Activity:
        spelt = self.tr.canonical(a.addressees)
        return a if spelt == a.addressees else attrs.evolve(a, addressees=spelt)

    def _kept_requests(self) -> list[Activity]:
        """The held requests without those taken back before the reviewer answered.

        For each removal the latest request before it of that reviewer on that item is
        the one taken back, unless the reviewer acted on the item between the two.
        """
        requests = self.requests
        dropped: set[int] = set()
        for item_id, reviewer, removed in self.tr.withdrawn:
            asked = [
                (a.timestamp, i)
                for i, a in enumerate(requests)
                if a.item.id == item_id
                and a.timestamp <= removed
                and reviewer in (x.lower() for x in a.addressees)
                and i not in dropped
            ]
            if not asked:
                continue
            since, index = max(asked)
            footprints = self.footprints.get((item_id, reviewer), ())
            if not any(since <= t <= removed for t in footprints):
                dropped.add(index)
        return [a for i, a in enumerate(requests) if i not in dropped]
