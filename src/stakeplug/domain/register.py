"""The register's values: the project's settings, its team and its stakeholders.

A register is read from TOML and checked by :mod:`stakeplug.config.register`;
this module holds only the values and the identity lookup, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from stakeplug.domain.model import Stakeholder, TeamMember, fold_name, nfc

__all__ = ["ProjectSettings", "Register", "normalize_account"]


@attrs.frozen
class ProjectSettings:
    """The ``[project]`` table."""

    name: str
    lookback_days: int = 180
    status_report_labels: tuple[str, ...] = ("status-report",)
    """Items carrying one of these labels are status reports."""
    status_report_titles: tuple[str, ...] = ()
    """Items whose title contains one of these (case-insensitive) are status reports."""
    own_projects: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    """Per tool, the projects, repositories or boards that belong to this project."""


@attrs.frozen
class Register:
    """The project's team and stakeholders, with a fast identity lookup."""

    project: ProjectSettings
    team: tuple[TeamMember, ...]
    stakeholders: tuple[Stakeholder, ...]
    path: str | None = None
    _index: dict[tuple[str, str], tuple[str, str]] = attrs.field(
        init=False, repr=False, eq=False, factory=dict
    )
    _own: dict[str, frozenset[str]] = attrs.field(init=False, repr=False, eq=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        for kind, people in (("team", self.team), ("stakeholder", self.stakeholders)):
            for person in people:
                for ident in person.identities:
                    self._index[(ident.tool, normalize_account(ident.account))] = (kind, person.name)
        for tool, projects in self.project.own_projects.items():
            self._own[tool] = frozenset(p.casefold() for p in projects)

    def lookup(self, tool: str, account: str | None) -> tuple[str, str] | None:
        """Return ``("team" | "stakeholder", name)`` for an account, or ``None``."""
        if account is None:
            return None
        return self._index.get((tool, normalize_account(account)))

    def stakeholder(self, name: str) -> Stakeholder | None:
        """The stakeholder called ``name`` (case-insensitive, in any Unicode normal form), or ``None``."""
        folded = fold_name(name)
        return next((s for s in self.stakeholders if fold_name(s.name) == folded), None)

    def team_member(self, name: str) -> TeamMember | None:
        """The team member called ``name`` (case-insensitive, in any Unicode normal form), or ``None``."""
        folded = fold_name(name)
        return next((m for m in self.team if fold_name(m.name) == folded), None)

    def is_own_project(self, tool: str, project: str | None) -> bool:
        """True when ``project`` in ``tool`` belongs to this project."""
        return project is not None and project.casefold() in self._own.get(tool, ())


def normalize_account(account: str) -> str:
    """Accounts compare case-insensitively, in Unicode normal form C, and without surrounding
    spaces or a leading ``@``."""
    return nfc(account.strip().lstrip("@").casefold())
