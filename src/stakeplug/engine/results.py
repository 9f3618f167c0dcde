"""What an audit returns: the map (:class:`Audit`), candidates to add, and how each source went."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import attrs

from stakeplug.adapter import SourceStats
from stakeplug.domain.model import CareSuggestion, Category, StakeholderScore, fold_name
from stakeplug.domain.register import ProjectSettings, Register
from stakeplug.domain.rules import Rules
from stakeplug.domain.suggest import did_you_mean

__all__ = ["Audit", "Candidate", "Explainer", "ExplanationLike", "SourceReport"]


@attrs.frozen
class Candidate:
    """An active account that the register does not know: someone to consider adding."""

    tool: str
    account: str
    activities: int
    last_seen: datetime
    display_name: str | None = None
    """The name the tool shows for the account, when its activities carried one."""


@attrs.frozen
class SourceReport:
    """How collecting one source went."""

    name: str
    adapter: str
    status: str
    """``ok``, ``partial`` (some data missing) or ``failed`` (nothing usable)."""
    error: str | None
    stats: SourceStats
    activities: int = 0


class ExplanationLike(Protocol):
    """The evidence trail behind one stakeholder's score and their suggestions, as the reports render it."""

    @property
    def score(self) -> StakeholderScore: ...

    @property
    def suggestions(self) -> tuple[CareSuggestion, ...]: ...

    def to_dict(self) -> dict[str, Any]: ...


class Explainer(Protocol):
    """Builds the explanation of one score; suggestions ``None`` means plan them now."""

    def __call__(
        self, audit: Audit, score: StakeholderScore, suggestions: Sequence[CareSuggestion] | None
    ) -> ExplanationLike: ...


@attrs.frozen
class Audit:
    """The result of an audit: the map, the evidence behind it and how collection went."""

    project: ProjectSettings
    register: Register
    rules: Rules
    since: datetime
    until: datetime
    scores: Mapping[str, StakeholderScore]
    candidates: tuple[Candidate, ...]
    sources: tuple[SourceReport, ...]
    warnings: tuple[str, ...]
    activities_seen: int
    tools_seen: frozenset[str] = frozenset()
    """The tools the activities in the window came from."""
    explainer: Explainer | None = attrs.field(default=None, eq=False, repr=False)
    """What :meth:`explain` delegates to; :func:`stakeplug.audit` supplies the reports' one."""

    @property
    def partners_at_risk(self) -> tuple[StakeholderScore, ...]:
        """Partners whose recent energy fell clearly below their own baseline."""
        return tuple(s for s in self.scores.values() if s.at_risk)

    @property
    def is_partial(self) -> bool:
        """True when a source failed or had to skip data."""
        return any(r.status != "ok" for r in self.sources)

    def by_category(self) -> dict[Category, list[StakeholderScore]]:
        """Scores grouped by category, every category present."""
        groups: dict[Category, list[StakeholderScore]] = {c: [] for c in Category}
        for s in self.scores.values():
            groups[s.category].append(s)
        return groups

    def score(self, name: str) -> StakeholderScore:
        """The score of the stakeholder called ``name`` (case-insensitive, in any Unicode normal form)."""
        folded = fold_name(name)
        for key, value in self.scores.items():
            if fold_name(key) == folded:
                return value
        raise KeyError(f"no stakeholder named {name!r} in the register{did_you_mean(name, self.scores)}")

    def explain(self, name: str, suggestions: Sequence[CareSuggestion] | None = None) -> ExplanationLike:
        """The evidence behind ``name``'s score and each care suggestion for them.

        Without ``suggestions`` the care planner runs with ``now = until``.
        """
        score = self.score(name)
        if self.explainer is None:
            raise TypeError(
                "this Audit has no explainer: audit with stakeplug.audit(), which supplies one, "
                "or pass explainer=stakeplug.reports.explain.explain"
            )
        return self.explainer(self, score, suggestions)
