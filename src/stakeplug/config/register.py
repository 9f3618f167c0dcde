"""Reading the register: the project, its team and its stakeholders, from TOML.

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

from stakeplug.config.checks import Checker, show
from stakeplug.domain.model import Identity, Stakeholder, TeamMember
from stakeplug.domain.register import ProjectSettings, Register, normalize_account
from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import ConfigError, SecretInConfigError

__all__ = [
    "check_no_secrets",
    "load_register",
    "read_toml",
    "register_from_mapping",
]

TOP_LEVEL_KEYS = ("project", "team", "stakeholders", "sources", "tasks", "rules", "limits", "store")

_SECRET_KEY = re.compile(
    r"(^|_)(token|password|passwd|passphrase|secret|api_?key|apikey|private_?key|credentials?|pat)$",
    re.IGNORECASE,
)
# Shapes of real credentials: GitHub tokens, Atlassian API tokens, Trello tokens, bearer strings.
_SECRET_VALUE = re.compile(
    r"^(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|ATATT[A-Za-z0-9_\-=]{20,}"
    r"|ATTA[a-f0-9]{40,}|Bearer\s+\S{16,}|xox[abp]-[A-Za-z0-9-]{10,})$"
)


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


def _identities(c: Checker, table: Mapping[str, Any], location: str) -> tuple[Identity, ...]:
    value = c.table(table.get("identities", {}), f"{location}.identities")
    result = []
    for tool, account in value.items():
        if not isinstance(account, str) or not account.strip():
            raise c.fail(
                f"{location}.identities.{tool}",
                f"must be the person's account in {tool} as a string, got {show(account)}",
            )
        result.append(Identity(str(tool), account.strip()))
    return tuple(result)


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
    c = Checker(path)
    check_no_secrets(data, path=path)
    c.keys(data, TOP_LEVEL_KEYS, "")
    project = _project(c, data.get("project", {}))
    team = _team(c, data.get("team", []))
    stakeholders = _stakeholders(c, data.get("stakeholders", []), team)
    _check_accounts_unique(c, team, stakeholders)
    return Register(project=project, team=tuple(team), stakeholders=tuple(stakeholders), path=path)


def _project(c: Checker, raw: Any) -> ProjectSettings:
    project_table = c.table(raw, "project")
    c.keys(project_table, PROJECT_KEYS, "project")
    own = c.table(project_table.get("own_projects", {}), "project.own_projects")
    own_projects: dict[str, tuple[str, ...]] = {}
    for tool in own:
        own_projects[str(tool)] = c.strings(own, tool, "project.own_projects", ())
    return ProjectSettings(
        name=c.string(project_table, "name", "project", required=True) or "",
        lookback_days=c.integer(project_table, "lookback_days", "project", 7, 3650, 180),
        status_report_labels=c.strings(project_table, "status_report_labels", "project", ("status-report",)),
        status_report_titles=c.strings(project_table, "status_report_titles", "project", ()),
        own_projects=own_projects,
    )


def _team(c: Checker, raw: Any) -> list[TeamMember]:
    team: list[TeamMember] = []
    for i, item in enumerate(c.array(raw, "team", "[[team]]")):
        loc = f"team[{i}]"
        entry = c.table(item, loc)
        c.keys(entry, TEAM_KEYS, loc)
        name = c.string(entry, "name", loc, required=True) or ""
        if any(m.name.casefold() == name.casefold() for m in team):
            raise c.fail(f"{loc}.name", f"{name!r} appears twice in [[team]]; names must be unique")
        team.append(TeamMember(name=name, identities=_identities(c, entry, loc)))
    return team


def _stakeholder_names(c: Checker, people_list: Sequence[Any]) -> list[tuple[Mapping[str, Any], str]]:
    """Every entry and name, checked unique first: ``reachable_via`` may name one listed later."""
    named: list[tuple[Mapping[str, Any], str]] = []
    folded_names: set[str] = set()
    for i, raw in enumerate(people_list):
        entry = c.table(raw, f"stakeholders[{i}]")
        name = c.string(entry, "name", f"stakeholders[{i}]", required=True) or ""
        if name.casefold() in folded_names:
            raise c.fail(
                f"stakeholders[{i}].name", f"{name!r} appears twice in [[stakeholders]]; names must be unique"
            )
        named.append((entry, name))
        folded_names.add(name.casefold())
    return named


def _stakeholders(c: Checker, raw: Any, team: Sequence[TeamMember]) -> list[Stakeholder]:
    named = _stakeholder_names(c, c.array(raw, "stakeholders", "[[stakeholders]]"))
    team_names = {m.name.casefold(): m.name for m in team}
    everyone = [*(name for _, name in named), *team_names.values()]
    return [
        _stakeholder(c, entry, name, f"stakeholders[{i}]", team_names, everyone)
        for i, (entry, name) in enumerate(named)
    ]


def _stakeholder(
    c: Checker,
    entry: Mapping[str, Any],
    name: str,
    loc: str,
    team_names: Mapping[str, str],
    everyone: Sequence[str],
) -> Stakeholder:
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
        if via.casefold() not in {known.casefold() for known in everyone}:
            raise c.fail(
                f"{loc}.reachable_via",
                f"{via!r} is neither a stakeholder nor a team member{did_you_mean(via, list(everyone))}",
            )
    return Stakeholder(
        name=name,
        identities=_identities(c, entry, loc),
        power=c.integer(entry, "power", loc, 1, 5, 3),
        interest=c.integer(entry, "interest", loc, 1, 5, 3),
        prior_acceptance=c.number(entry, "acceptance", loc, -3, 3),
        role=c.string(entry, "role", loc),
        owner=owner,
        reachable_via=via,
        ambassador_consent=c.boolean(entry, "ambassador_consent", loc),
        opted_out=c.boolean(entry, "opted_out", loc),
    )


def _check_accounts_unique(
    c: Checker, team: Sequence[TeamMember], stakeholders: Sequence[Stakeholder]
) -> None:
    """An account belongs to one person, across the team and the stakeholders."""
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
