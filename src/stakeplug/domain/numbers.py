"""How a score is written for people: one rounding, used by every text that shows one.

A score is first rounded to two decimals (as the JSON report stores it), then
to one decimal for people, halves rounded up both times.  Because the first
step is the JSON's own, a number re-rendered from a report reads exactly like
the number written straight from the audit: ``2.9488`` is ``2.95`` in the
JSON and ``+3.0`` in every text, never ``+2.9`` in one place and ``+3.0`` in
another.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["one_decimal", "signed_one_decimal", "two_decimals"]

_HUNDREDTH = Decimal("0.01")
_TENTH = Decimal("0.1")


def _hundredths(value: float) -> Decimal:
    # Through repr, so that 2.675 (stored as 2.67499999...) rounds the way people read it.
    return Decimal(repr(float(value))).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def two_decimals(value: float) -> float:
    """A score as the JSON report stores it: two decimals, halves up."""
    return float(_hundredths(value))


def _tenths(value: float) -> Decimal:
    return _hundredths(value).quantize(_TENTH, rounding=ROUND_HALF_UP)


def one_decimal(value: float) -> str:
    """A score for people, one decimal: ``2.9488`` → ``3.0``; ``1.84`` → ``1.8``."""
    return f"{_tenths(value):.1f}"


def signed_one_decimal(value: float) -> str:
    """An acceptance for people, with its sign: ``+3.0``, ``-1.3``, and ``+0.0`` for a tiny negative."""
    tenths = _tenths(value)
    return f"{'-' if tenths < 0 else '+'}{abs(tenths):.1f}"
