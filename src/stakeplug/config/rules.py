"""Reading the rules: the shipped defaults, a rules file and a config's ``[rules]`` overrides.

The defaults ship in ``stakeplug/data/rules.toml``, where each number is
documented.  A user overrides any of them with the same names in the
``[rules]`` table of their config, or by passing a mapping to
:func:`load_rules`.  Unknown names and values of the wrong type are refused
with a :class:`~stakeplug.errors.ConfigError` that names the key.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from datetime import date
from importlib import resources
from typing import Any

from stakeplug.config.checks import Checker
from stakeplug.config.register import read_toml
from stakeplug.domain.model import CareAction, Category, Signal
from stakeplug.domain.rules import CareRule, Rules
from stakeplug.domain.suggest import did_you_mean

__all__ = ["default_rules_text", "load_rules"]


def default_rules_text() -> str:
    """The shipped rules file, comments included."""
    return resources.files("stakeplug").joinpath("data/rules.toml").read_text("utf-8")


def _merge(base: dict[str, Any], override: Mapping[str, Any], where: str, check: Checker) -> None:
    for key, value in override.items():
        here = f"{where}.{key}"
        if key not in base:
            raise check.fail(
                here, f"unknown rule{did_you_mean(key, base)}; known here: {', '.join(sorted(base))}"
            )
        current = base[key]
        if isinstance(current, dict):
            if not isinstance(value, Mapping):
                raise check.fail(here, f"must be a table, got {type(value).__name__}")
            _merge(current, value, here, check)
            continue
        if isinstance(current, bool) or isinstance(value, bool):
            ok = isinstance(value, bool) and isinstance(current, bool)
        elif isinstance(current, int | float):
            ok = isinstance(value, int | float)
        elif isinstance(current, list):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:
            ok = isinstance(value, type(current))
        if not ok:
            raise check.fail(here, f"must be {type(current).__name__}, got {type(value).__name__} {value!r}")
        base[key] = value


def load_rules(
    path: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    source: str | None = None,
) -> Rules:
    """Load the shipped rules, then a rules file at ``path``, then ``overrides``.

    ``source`` names the file the overrides came from, for error messages.
    """
    data: dict[str, Any] = tomllib.loads(default_rules_text())
    if path is not None:
        _merge(data, read_toml(path), "rules", Checker(str(path)))
    if overrides:
        _merge(data, copy.deepcopy(dict(overrides)), "rules", Checker(source))
    return _build(data, Checker(source or (str(path) if path else None)))


def _build(data: dict[str, Any], check: Checker) -> Rules:
    windows, scoring, m, trend, planner = (
        data["windows"],
        data["scoring"],
        data["map"],
        data["trend"],
        data["planner"],
    )
    _check_ranges(data, check)
    acc, energy = _signal_weights(data, check)
    care = _care_rules(data, check)
    try:
        epoch = date.fromisoformat(planner["epoch"])
    except ValueError:
        raise check.fail(
            "rules.planner.epoch", f"must be a date like 2024-01-01, got {planner['epoch']!r}"
        ) from None
    return Rules(
        data=data,
        half_life_days=float(windows["half_life_days"]),
        answer_days=float(windows["answer_days"]),
        quick_response_hours=float(windows["quick_response_hours"]),
        due_grace_days=float(windows["due_grace_days"]),
        recent_days=int(windows["recent_days"]),
        reorder_tolerance_seconds=float(windows["reorder_tolerance_seconds"]),
        acceptance_weight=acc,
        energy_weight=energy,
        reaction_factor=float(data["factors"]["reaction"]),
        approval_bonus=float(data["factors"]["approval_bonus"]),
        smoothing=float(scoring["smoothing"]),
        prior_strength=float(scoring["prior_strength"]),
        energy_scale=float(scoring["energy_scale"]),
        evidence_per_signal=int(scoring["evidence_per_signal"]),
        accept_above=float(m["accept_above"]),
        reject_below=float(m["reject_below"]),
        high_energy=float(m["high_energy"]),
        rising_ratio=float(trend["rising_ratio"]),
        falling_ratio=float(trend["falling_ratio"]),
        min_baseline_per_30d=float(trend["min_baseline_per_30d"]),
        at_risk_ratio=float(trend["at_risk_ratio"]),
        max_per_owner=int(planner["max_per_owner"]),
        max_per_stakeholder=int(planner["max_per_stakeholder"]),
        intermediary_min_power=int(planner["intermediary_min_power"]),
        silent_critic_min_power=int(planner["silent_critic_min_power"]),
        epoch=epoch,
        care=care,
    )


def _check_ranges(data: Mapping[str, Any], check: Checker) -> None:
    for table, key in (
        ("windows", "half_life_days"),
        ("windows", "answer_days"),
        ("windows", "quick_response_hours"),
        ("windows", "recent_days"),
        ("scoring", "energy_scale"),
        ("scoring", "evidence_per_signal"),
        ("planner", "max_per_owner"),
        ("planner", "max_per_stakeholder"),
        ("map", "changes_requested_min_reviews"),
    ):
        check.positive(data[table][key], f"rules.{table}.{key}")
    for table, key in (
        ("factors", "reactions_per_week"),
        ("scoring", "smoothing"),
        ("scoring", "prior_strength"),
        ("windows", "due_grace_days"),
    ):
        check.positive(data[table][key], f"rules.{table}.{key}", zero=True)
    m = data["map"]
    if not -3 <= m["reject_below"] <= m["accept_above"] <= 3:
        raise check.fail(
            "rules.map",
            "need -3 <= reject_below <= accept_above <= 3, got "
            f"reject_below={m['reject_below']:g}, accept_above={m['accept_above']:g}",
        )
    if not 1 <= m["high_energy"] <= 5:
        raise check.fail("rules.map.high_energy", f"must be from 1 to 5, got {m['high_energy']:g}")
    if not 0 <= m["changes_requested_share"] <= 1:
        raise check.fail(
            "rules.map.changes_requested_share",
            f"is a share of reviews, from 0 to 1, got {m['changes_requested_share']:g}",
        )


def _signal_weights(
    data: Mapping[str, Any], check: Checker
) -> tuple[dict[Signal, float], dict[Signal, float]]:
    acc: dict[Signal, float] = {}
    energy: dict[Signal, float] = {}
    for signal in Signal:
        table = data["signals"].get(signal.value)
        if table is None:
            raise check.fail(f"rules.signals.{signal.value}", "missing weights")
        acc[signal] = float(table["acceptance"])
        energy[signal] = float(table["energy"])
        if acc[signal] < 0 or energy[signal] < 0:
            raise check.fail(
                f"rules.signals.{signal.value}",
                "weights are zero or more (resistance already counts against acceptance)",
            )
    return acc, energy


def _care_rules(data: Mapping[str, Any], check: Checker) -> dict[CareAction, CareRule]:
    care: dict[CareAction, CareRule] = {}
    for action in CareAction:
        table = data["care"].get(action.value)
        if table is None:
            raise check.fail(f"rules.care.{action.value}", "missing care rule")
        cats = []
        for name in table["categories"]:
            try:
                cats.append(Category(name))
            except ValueError:
                raise check.fail(
                    f"rules.care.{action.value}.categories",
                    f"unknown category {name!r}{did_you_mean(name, [c.value for c in Category])}",
                ) from None
        care[action] = CareRule(
            action=action,
            categories=frozenset(cats),
            cadence_days=max(1, int(table["cadence_days"])),
            cooldown_days=max(0, int(table["cooldown_days"])),
            due_days=max(0, int(table["due_days"])),
            min_priority=int(table["min_priority"]),
            recent_days=int(table.get("recent_days", 21)),
            wording=str(data["wording"][action.value]),
            wording_via=str(data["wording"].get(f"{action.value}_via", "")),
        )
    return care
