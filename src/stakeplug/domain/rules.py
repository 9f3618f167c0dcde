"""The rules' values: every weight, window and threshold, typed for the engine and the planner.

The shipped defaults and a user's overrides are read and checked by
:mod:`stakeplug.config.rules`; this module holds only the values, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from stakeplug.domain.model import CareAction, Category, Signal

__all__ = ["CareRule", "Rules"]


@attrs.frozen
class CareRule:
    """When and how often one care action is suggested."""

    action: CareAction
    categories: frozenset[Category]
    cadence_days: int
    cooldown_days: int
    due_days: int
    min_priority: int
    recent_days: int
    wording: str
    wording_via: str = ""
    """The wording when the task goes through an intermediary (``{via}``); empty: ``wording``."""


@attrs.frozen
class Rules:
    """Validated rules with typed accessors for the engine and the planner.

    ``data`` holds the merged tables exactly as read, for reports.
    """

    data: Mapping[str, Any]
    half_life_days: float
    answer_days: float
    quick_response_hours: float
    due_grace_days: float
    recent_days: int
    reorder_tolerance_seconds: float
    acceptance_weight: Mapping[Signal, float]
    energy_weight: Mapping[Signal, float]
    reaction_factor: float
    approval_bonus: float
    smoothing: float
    prior_strength: float
    energy_scale: float
    evidence_per_signal: int
    accept_above: float
    reject_below: float
    high_energy: float
    rising_ratio: float
    falling_ratio: float
    min_baseline_per_30d: float
    at_risk_ratio: float
    max_per_owner: int
    max_per_stakeholder: int
    intermediary_min_power: int
    silent_critic_min_power: int
    epoch: date
    care: Mapping[CareAction, CareRule]

    @property
    def reactions_per_week(self) -> int:
        """At most this many reactions count per stakeholder and week (``factors.reactions_per_week``)."""
        return int(self.data["factors"]["reactions_per_week"])

    @property
    def changes_requested_share(self) -> float:
        """A share of reviews requesting changes above this keeps anyone from accepting (``map``)."""
        return float(self.data["map"]["changes_requested_share"])

    @property
    def changes_requested_min_reviews(self) -> int:
        """The share of reviews requesting changes is judged from this many reviews on (``map``)."""
        return int(self.data["map"]["changes_requested_min_reviews"])

    @property
    def pushing_back_drop(self) -> float:
        """How far recent acceptance must fall below the earlier pattern to be pushing back (``trend``)."""
        return float(self.data["trend"]["pushing_back_drop"])

    @property
    def pushing_back_min_resistance(self) -> float:
        """The least recent resistance weight that can make pushing back (``trend``)."""
        return float(self.data["trend"]["pushing_back_min_resistance"])
