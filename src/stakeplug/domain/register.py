"""The register: the project, its team and its stakeholders, read from TOML.

A register file looks like this (every key is explained in the README)::

    [project]
    name = "Apollo"
    lookback_days = 180
    status_report_labels = ["status-report"]
    own_projects = { jira = ["APOLLO"], github = ["acme/apollo"] }

    [[team]]
    name = "Dana Whitfield"
    identities = { jira = "5b10ac8d82e05b22cc7d4ef5", github = "dana-w" }

    [[stakeholders]]
    name = "Maria Jensen"
    power = 4
    interest = 3
    acceptance = 1
    role = "sponsor"
    owner = "Dana Whitfield"
    identities = { jira = "5b10a2844c20165700ede21g", email = "maria@example.org" }

Validation errors name the file, the entry and the field, and say what is
allowed.  Keys that look like secrets are refused: credentials belong in
environment variables, named by ``*_env`` keys.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from stakeplug.domain.model import Identity, Stakeholder, TeamMember
from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import ConfigError, SecretInConfigError

__all__ = [
    "ProjectSettings",
    "Register",
    "check_no_secrets",
    "load_register",
    "read_toml",
    "register_from_mapping",
]

TOP_LEVEL_KEYS = ("project", "team", "stakeholders", "sources", "tasks", "rules")

_SECRET_KEY = re.compile(
    r"(^|_)(token|password|passwd|passphrase|secret|api_?key|apikey|private_?key|credentials?|pat)$",
    re.IGNORECASE,
)
# Shapes of real credentials: GitHub tokens, Atlassian API tokens, Trello tokens, bearer strings.
_SECRET_VALUE = re.compile(
    r"^(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|ATATT[A-Za-z0-9_\-=]{20,}"
    r"|ATTA[a-f0-9]{40,}|Bearer\s+\S{16,}|xox[abp]-[A-Za-z0-9-]{10,})$"
)


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
        """The stakeholder called ``name`` (case-insensitive), or ``None``."""
        folded = name.casefold()
        return next((s for s in self.stakeholders if s.name.casefold() == folded), None)

    def team_member(self, name: str) -> TeamMember | None:
        """The team member called ``name`` (case-insensitive), or ``None``."""
        folded = name.casefold()
        return next((m for m in self.team if m.name.casefold() == folded), None)

    def is_own_project(self, tool: str, project: str | None) -> bool:
        """True when ``project`` in ``tool`` belongs to this project."""
        return project is not None and project.casefold() in self._own.get(tool, ())


def normalize_account(account: str) -> str:
    """Accounts compare case-insensitively and without surrounding spaces or a leading ``@``."""
    return account.strip().lstrip("@").casefold()


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a :class:`ConfigError` naming the file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            "file not found; create one with `stakeplug init` or pass --config", path=str(p)
        ) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, expected a TOML file", path=str(p)) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read: {exc.strerror}", path=str(p)) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte {exc.start})", path=str(p)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML syntax error: {exc}", path=str(p)) from None


def check_no_secrets(data: Any, *, path: str | None = None, location: str = "") -> None:
    """Refuse keys or values that look like credentials, without echoing them."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            here = f"{location}.{key}" if location else str(key)
            if isinstance(key, str) and _SECRET_KEY.search(key) and not key.endswith("_env"):
                raise SecretInConfigError(
                    "looks like a secret, and secrets are never read from files; "
                    f"put it in an environment variable and name the variable instead, "
                    f'e.g. {key}_env = "MY_{key.upper()}"',
                    path=path,
                    location=here,
                )
            check_no_secrets(value, path=path, location=here)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            check_no_secrets(value, path=path, location=f"{location}[{i}]")
    elif isinstance(data, str) and _SECRET_VALUE.match(data.strip()):
        raise SecretInConfigError(
            "holds what looks like a credential, and secrets are never read from files; "
            "put it in an environment variable and name the variable with a *_env key",
            path=path,
            location=location,
        )


def load_register(path: str | os.PathLike[str]) -> Register:
    """Load and validate a register (or a whole ``stakeplug.toml``) from ``path``."""
    data = read_toml(path)
    return register_from_mapping(data, path=str(path))


class _Checker:
    """Small helpers that raise :class:`ConfigError` with the file and the place."""

    def __init__(self, path: str | None):
        self.path = path

    def fail(self, location: str, message: str) -> ConfigError:
        return ConfigError(message, path=self.path, location=location)

    def table(self, value: Any, location: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(location, f"must be a table, got {_kind(value)}")
        return value

    def keys(self, table: Mapping[str, Any], allowed: Sequence[str], location: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(
                    f"{location}.{key}" if location else key,
                    f"unknown key{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}",
                )

    def string(
        self, table: Mapping[str, Any], key: str, location: str, *, required: bool = False
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(f"{location}.{key}", "is required and must be a non-empty string")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{location}.{key}", f"must be a non-empty string, got {_show(value)}")
        return value.strip()

    def integer(
        self, table: Mapping[str, Any], key: str, location: str, lo: int, hi: int, default: int
    ) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.fail(f"{location}.{key}", f"must be an integer {lo}–{hi}, got {_show(value)}")
        return value

    def number(self, table: Mapping[str, Any], key: str, location: str, lo: float, hi: float) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise self.fail(
                f"{location}.{key}", f"must be a number from {lo:g} to {hi:g}, got {_show(value)}"
            )
        return float(value)

    def boolean(self, table: Mapping[str, Any], key: str, location: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{location}.{key}", f"must be true or false, got {_show(value)}")
        return value

    def strings(
        self, table: Mapping[str, Any], key: str, location: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = table.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{location}.{key}", f"must be a list of strings, got {_show(value)}")
        return tuple(value)

    def identities(self, table: Mapping[str, Any], location: str) -> tuple[Identity, ...]:
        value = table.get("identities", {})
        value = self.table(value, f"{location}.identities")
        result = []
        for tool, account in value.items():
            if not isinstance(account, str) or not account.strip():
                raise self.fail(
                    f"{location}.identities.{tool}",
                    f"must be the person's account in {tool} as a string, got {_show(account)}",
                )
            result.append(Identity(str(tool), account.strip()))
        return tuple(result)


def _kind(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


PROJECT_KEYS = ("name", "lookback_days", "status_report_labels", "status_report_titles", "own_projects")
TEAM_KEYS = ("name", "identities")
STAKEHOLDER_KEYS = (
    "name",
    "identities",
    "power",
    "interest",
    "acceptance",
    "role",
    "owner",
    "reachable_via",
    "ambassador_consent",
    "opted_out",
)


def register_from_mapping(data: Mapping[str, Any], *, path: str | None = None) -> Register:
    """Validate parsed TOML and build a :class:`Register`.

    The ``sources``, ``tasks`` and ``rules`` tables of a full config are allowed
    here and validated by :func:`stakeplug.load_config`.
    """
    c = _Checker(path)
    check_no_secrets(data, path=path)
    c.keys(data, TOP_LEVEL_KEYS, "")

    project_table = c.table(data.get("project", {}), "project")
    c.keys(project_table, PROJECT_KEYS, "project")
    own = c.table(project_table.get("own_projects", {}), "project.own_projects")
    own_projects: dict[str, tuple[str, ...]] = {}
    for tool in own:
        own_projects[str(tool)] = c.strings(own, tool, "project.own_projects", ())
    project = ProjectSettings(
        name=c.string(project_table, "name", "project", required=True) or "",
        lookback_days=c.integer(project_table, "lookback_days", "project", 7, 3650, 180),
        status_report_labels=c.strings(project_table, "status_report_labels", "project", ("status-report",)),
        status_report_titles=c.strings(project_table, "status_report_titles", "project", ()),
        own_projects=own_projects,
    )

    team_list = data.get("team", [])
    if not isinstance(team_list, list):
        raise c.fail("team", "must be an array of tables ([[team]]), got " + _kind(team_list))
    team: list[TeamMember] = []
    for i, raw in enumerate(team_list):
        loc = f"team[{i}]"
        entry = c.table(raw, loc)
        c.keys(entry, TEAM_KEYS, loc)
        name = c.string(entry, "name", loc, required=True) or ""
        if any(m.name.casefold() == name.casefold() for m in team):
            raise c.fail(f"{loc}.name", f"{name!r} appears twice in [[team]]; names must be unique")
        team.append(TeamMember(name=name, identities=c.identities(entry, loc)))

    people_list = data.get("stakeholders", [])
    if not isinstance(people_list, list):
        raise c.fail(
            "stakeholders", "must be an array of tables ([[stakeholders]]), got " + _kind(people_list)
        )
    team_names = {m.name.casefold(): m.name for m in team}
    # Every stakeholder's name first, so that `reachable_via` may name one listed later.
    entries: list[Mapping[str, Any]] = []
    raw_names: list[str] = []
    folded_names: set[str] = set()
    for i, raw in enumerate(people_list):
        entry = c.table(raw, f"stakeholders[{i}]")
        name = c.string(entry, "name", f"stakeholders[{i}]", required=True) or ""
        if name.casefold() in folded_names:
            raise c.fail(
                f"stakeholders[{i}].name", f"{name!r} appears twice in [[stakeholders]]; names must be unique"
            )
        entries.append(entry)
        raw_names.append(name)
        folded_names.add(name.casefold())
    all_names = folded_names | set(team_names)

    stakeholders: list[Stakeholder] = []
    for i, (entry, name) in enumerate(zip(entries, raw_names, strict=True)):
        loc = f"stakeholders[{i}]"
        c.keys(entry, STAKEHOLDER_KEYS, loc)
        if name.casefold() in team_names:
            raise c.fail(f"{loc}.name", f"{name!r} is also a team member; a person is one or the other")
        owner = c.string(entry, "owner", loc)
        if owner is not None:
            if owner.casefold() not in team_names:
                hint = did_you_mean(owner, list(team_names.values()))
                raise c.fail(f"{loc}.owner", f"{owner!r} is not a [[team]] member{hint}")
            owner = team_names[owner.casefold()]
        via = c.string(entry, "reachable_via", loc)
        if via is not None:
            if via.casefold() == name.casefold():
                raise c.fail(f"{loc}.reachable_via", "cannot be the stakeholder themselves")
            if via.casefold() not in all_names:
                raise c.fail(
                    f"{loc}.reachable_via",
                    f"{via!r} is neither a stakeholder nor a team member"
                    f"{did_you_mean(via, [*raw_names, *team_names.values()])}",
                )
        stakeholders.append(
            Stakeholder(
                name=name,
                identities=c.identities(entry, loc),
                power=c.integer(entry, "power", loc, 1, 5, 3),
                interest=c.integer(entry, "interest", loc, 1, 5, 3),
                prior_acceptance=c.number(entry, "acceptance", loc, -3, 3),
                role=c.string(entry, "role", loc),
                owner=owner,
                reachable_via=via,
                ambassador_consent=c.boolean(entry, "ambassador_consent", loc),
                opted_out=c.boolean(entry, "opted_out", loc),
            )
        )

    seen: dict[tuple[str, str], str] = {}
    groups: tuple[tuple[str, Sequence[TeamMember | Stakeholder]], ...] = (
        ("team", team),
        ("stakeholders", stakeholders),
    )
    for kind, people in groups:
        for i, person in enumerate(people):
            for ident in person.identities:
                key = (ident.tool, normalize_account(ident.account))
                if key in seen and seen[key] != person.name:
                    raise c.fail(
                        f"{kind}[{i}].identities.{ident.tool}",
                        f"account {ident.account!r} is already given to {seen[key]!r}; "
                        "an account belongs to one person",
                    )
                seen[key] = person.name
    return Register(project=project, team=tuple(team), stakeholders=tuple(stakeholders), path=path)
