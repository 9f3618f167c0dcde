"""Reading an earlier JSON report, the run a new report is compared with (``--previous``)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from stakeplug.errors import ConfigError

__all__ = ["load_previous"]


def load_previous(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read an earlier JSON report for ``--previous``; a :class:`ConfigError` when it is not one."""
    p = Path(path)
    try:
        data = json.loads(p.read_text("utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(
            "previous report not found; pass the report.json of an earlier run", path=str(p)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"previous report cannot be read: {exc}", path=str(p)) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"previous report is not JSON (line {exc.lineno}, column {exc.colno}); "
            "pass the report.json of an earlier run",
            path=str(p),
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data or "stakeholders" not in data:
        raise ConfigError(
            "previous report is not a stakeplug JSON report; pass the report.json of an earlier run",
            path=str(p),
        )
    wrong = _wrong_shape(data)
    if wrong is not None:
        location, expected = wrong
        raise ConfigError(
            f"previous report has the wrong shape here (must be {expected}); "
            "pass the report.json of an earlier run unchanged, or leave --previous out",
            path=str(p),
            location=location,
        )
    return data


def _wrong_shape(data: dict[str, Any]) -> tuple[str, str] | None:
    """The first place where what a comparison reads is not what a report holds, and what it must be."""
    if not isinstance(data.get("generated_at"), str | None):
        return "generated_at", "text"
    window = data.get("window")
    if not isinstance(window, dict | None):
        return "window", "an object with since and until"
    for key in ("since", "until"):
        if window is not None and not isinstance(window.get(key), str | None):
            return f"window.{key}", "text"
    people = data["stakeholders"]
    if not isinstance(people, list):
        return "stakeholders", "a list of stakeholders"
    for i, person in enumerate(people):
        place = f"stakeholders[{i}]"
        if not isinstance(person, dict):
            return place, "an object"
        if not isinstance(person.get("name"), str):
            return f"{place}.name", "a name (text)"
        for key, expected, kinds in _FIELDS:
            value = person.get(key)
            if value is not None and not _fits(value, kinds):
                return f"{place}.{key}", expected
    return None


_FIELDS: tuple[tuple[str, str, type | tuple[type, ...]], ...] = (
    ("category", "a category (text)", str),
    ("at_risk", "true or false", bool),
    ("acceptance", "a finite number", (int, float)),
    ("energy", "a finite number", (int, float)),
    ("recent_energy", "a finite number", (int, float)),
)
"""The fields of an earlier stakeholder entry the comparison reads: each may be absent or null."""


def _fits(value: object, kinds: type | tuple[type, ...]) -> bool:
    """Whether ``value`` is of ``kinds``; a number must be finite, and true or false is no number."""
    if not isinstance(value, kinds):
        return False
    if isinstance(value, bool):
        return kinds is bool
    return not isinstance(value, int | float) or math.isfinite(value)
