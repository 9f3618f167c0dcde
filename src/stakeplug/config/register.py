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

import codecs
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from stakeplug.config.checks import Checker, show
from stakeplug.domain.model import Identity, Stakeholder, TeamMember, fold_name, nfc
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
    """Read a TOML file, turning every failure into a :class:`ConfigError` naming the file.

    A UTF-8 byte order mark at the start (which some Windows editors write) is skipped.
    """
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
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return tomllib.loads(raw[bom:].decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte {exc.start + bom})", path=str(p)) from None
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
        result.append(Identity(nfc(str(tool)), nfc(account.strip())))
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


def _name(c: Checker, entry: Mapping[str, Any], loc: str, seen: dict[str, str], table: str) -> str:
    """The entry's name in normal form C, refused when an earlier entry (at ``seen[folded]``) has it."""
    name = nfc(c.string(entry, "name", loc, required=True) or "")
    first = seen.get(fold_name(name))
    if first is not None:
        raise c.fail(
            f"{loc}.name",
            f"{name!r} appears twice in {table}, here and at {first} (compared ignoring case and how "
            "accents are encoded); names must be unique, so rename one or merge the two entries",
        )
    seen[fold_name(name)] = f"{loc}.name"
    return name


def _team(c: Checker, raw: Any) -> list[TeamMember]:
    team: list[TeamMember] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(c.array(raw, "team", "[[team]]")):
        loc = f"team[{i}]"
        entry = c.table(item, loc)
        c.keys(entry, TEAM_KEYS, loc)
        name = _name(c, entry, loc, seen, "[[team]]")
        team.append(TeamMember(name=name, identities=_identities(c, entry, loc)))
    return team


def _stakeholder_names(c: Checker, people_list: Sequence[Any]) -> list[tuple[Mapping[str, Any], str]]:
    """Every entry and name, checked unique first: ``reachable_via`` may name one listed later."""
    named: list[tuple[Mapping[str, Any], str]] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(people_list):
        loc = f"stakeholders[{i}]"
        entry = c.table(raw, loc)
        named.append((entry, _name(c, entry, loc, seen, "[[stakeholders]]")))
    return named


def _stakeholders(c: Checker, raw: Any, team: Sequence[TeamMember]) -> list[Stakeholder]:
    named = _stakeholder_names(c, c.array(raw, "stakeholders", "[[stakeholders]]"))
    team_names = {fold_name(m.name): m.name for m in team}
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
    if fold_name(name) in team_names:
        raise c.fail(f"{loc}.name", f"{name!r} is also a team member; a person is one or the other")
    owner = c.string(entry, "owner", loc)
    if owner is not None:
        if fold_name(owner) not in team_names:
            hint = did_you_mean(owner, list(team_names.values()))
            raise c.fail(f"{loc}.owner", f"{owner!r} is not a [[team]] member{hint}")
        owner = team_names[fold_name(owner)]
    via = c.string(entry, "reachable_via", loc)
    if via is not None:
        via = nfc(via)
        if fold_name(via) == fold_name(name):
            raise c.fail(f"{loc}.reachable_via", "cannot be the stakeholder themselves")
        if fold_name(via) not in {fold_name(known) for known in everyone}:
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
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    groups: tuple[tuple[str, Sequence[TeamMember | Stakeholder]], ...] = (
        ("team", team),
        ("stakeholders", stakeholders),
    )
    for kind, people in groups:
        for i, person in enumerate(people):
            for ident in person.identities:
                key = (ident.tool, normalize_account(ident.account))
                here = f"{kind}[{i}].identities.{ident.tool}"
                if key in seen and seen[key][0] != person.name:
                    owner, first = seen[key]
                    raise c.fail(
                        here,
                        f"account {ident.account!r} is already given to {owner!r} at {first}; "
                        "an account belongs to one person",
                    )
                seen.setdefault(key, (person.name, here))
