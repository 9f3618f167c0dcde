"""The one validation kit: checks that raise a :class:`ConfigError` naming the place and the fix.

The register, the config file, the rules and every adapter's options are
checked with a :class:`Checker`, so every message has the same shape: the
file (when there is one), the place, and what would be accepted::

    check = Checker(path="stakeplug.toml")
    power = check.integer(entry, "power", "stakeholders[3]", 1, 5, 3)
    # stakeplug.toml: stakeholders[3].power: must be an integer 1–5, got 9

An adapter checks its own keys with a checker bound to its config table
(``Checker(place=config_place("jira", where))``); then the key leads the
message and the table is the place::

    raise check.fail("url", "must start with https://")
    # sources[1] (jira): url: must start with https://

:func:`secret_from_env` reads a credential from the environment variable an
option names, the one way every adapter does it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from stakeplug.domain.suggest import did_you_mean
from stakeplug.errors import ConfigError

__all__ = ["Checker", "describe", "secret_from_env", "show", "type_name"]


class Checker:
    """Checks of one file or one adapter table; each failure is a :class:`ConfigError`.

    ``path`` is the file the values came from.  ``place`` binds the checker to
    one table (an adapter's ``sources[2] (jira)``): then the location given to
    :meth:`fail` is a key, written at the start of the message.
    """

    def __init__(self, path: str | None = None, *, place: str | None = None):
        self.path = path
        self.place = place

    def fail(self, location: str, message: str) -> ConfigError:
        """The error for ``location`` (a dotted place, or a key of the bound table)."""
        if self.place is None:
            return ConfigError(message, path=self.path, location=location or None)
        text = f"{location}: {message}" if location else message
        return ConfigError(text, path=self.path, location=self.place)

    def table(self, value: Any, location: str) -> Mapping[str, Any]:
        """``value`` if it is a table."""
        if not isinstance(value, Mapping):
            raise self.fail(location, f"must be a table, got {describe(value)}")
        return value

    def array(self, value: Any, location: str, how: str) -> list[Any]:
        """``value`` if it is an array; ``how`` says how to write it (``[[team]]``)."""
        if not isinstance(value, list):
            raise self.fail(location, f"must be an array of tables ({how}), got {describe(value)}")
        return value

    def keys(self, table: Mapping[str, Any], allowed: Sequence[str], location: str) -> None:
        """Refuse keys outside ``allowed``, with a did-you-mean."""
        for key in table:
            if key not in allowed:
                raise self.fail(
                    f"{location}.{key}" if location else key,
                    f"unknown key{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}",
                )

    def string(
        self, table: Mapping[str, Any], key: str, location: str, *, required: bool = False
    ) -> str | None:
        """A non-empty string, stripped; ``None`` when absent and not required."""
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(f"{location}.{key}", "is required and must be a non-empty string")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{location}.{key}", f"must be a non-empty string, got {show(value)}")
        return value.strip()

    def integer(
        self, table: Mapping[str, Any], key: str, location: str, lo: int, hi: int, default: int
    ) -> int:
        """An integer from ``lo`` to ``hi``; ``default`` when absent."""
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.fail(f"{location}.{key}", f"must be an integer {lo}–{hi}, got {show(value)}")
        return value

    def number(self, table: Mapping[str, Any], key: str, location: str, lo: float, hi: float) -> float | None:
        """A number from ``lo`` to ``hi``; ``None`` when absent."""
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise self.fail(f"{location}.{key}", f"must be a number from {lo:g} to {hi:g}, got {show(value)}")
        return float(value)

    def positive(self, value: Any, location: str, *, zero: bool = False) -> float:
        """A number above zero (or zero and above, with ``zero``)."""
        number = float(value)
        if number < 0 or (number == 0 and not zero):
            raise self.fail(location, f"must be {'zero or more' if zero else 'above zero'}, got {number:g}")
        return number

    def boolean(self, table: Mapping[str, Any], key: str, location: str) -> bool:
        """``true`` or ``false``; false when absent."""
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{location}.{key}", f"must be true or false, got {show(value)}")
        return value

    def strings(
        self, table: Mapping[str, Any], key: str, location: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        """A list of strings; ``default`` when absent."""
        value = table.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{location}.{key}", f"must be a list of strings, got {show(value)}")
        return tuple(value)


def secret_from_env(
    options: Mapping[str, Any],
    key: str,
    *,
    place: str,
    what: str,
    env: Mapping[str, str] | None = None,
) -> str:
    """The secret held by the environment variable that option ``key`` names, stripped.

    ``env`` replaces :data:`os.environ`; ``place`` is the adapter's table
    (:func:`~stakeplug.adapter.config_place`) and ``what`` says what the
    variable must hold.  An unset or empty variable is a :class:`ConfigError`
    naming the variable, never a value.
    """
    variable = options.get(key)
    if not isinstance(variable, str) or not variable.strip():
        raise ConfigError(f"{key}: name the environment variable that holds {what}", location=place)
    environ = os.environ if env is None else env
    value = environ.get(variable.strip(), "").strip()
    if not value:
        raise ConfigError(f"environment variable {variable} is not set; it must hold {what}", location=place)
    return value


def describe(value: Any) -> str:
    """The kind of a TOML value, for messages: ``a table``, ``a list``, ``int``..."""
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def show(value: Any) -> str:
    """A value as messages quote it, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def type_name(t: type | tuple[type, ...]) -> str:
    """How messages name an option's type: ``an integer``, ``a string or an integer``."""
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    names.update({list: "a list", dict: "a table"})
    if isinstance(t, tuple):
        return " or ".join(names.get(x, x.__name__) for x in t)
    return names.get(t, t.__name__)
