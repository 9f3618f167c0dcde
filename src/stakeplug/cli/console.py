"""Where the command writes: results on stdout, errors, warnings and progress on stderr, all redacted."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from stakeplug.errors import ConfigError
from stakeplug.redact import redact

__all__ = ["Console", "Progress", "progress_enabled", "where"]


class Console:
    """The command's output; ``quiet`` silences what is not the command's result or an error."""

    def __init__(self, *, quiet: bool, debug: bool) -> None:
        self.quiet = quiet
        self.debug = debug

    def redact(self, text: str) -> str:
        return redact(text)

    def out(self, text: str = "") -> None:
        if not self.quiet:
            print(self.redact(text), file=sys.stdout)

    def result(self, text: str) -> None:
        """Output that is the point of the command (explain, adapters --json): printed even with -q."""
        print(self.redact(text), file=sys.stdout)

    def error(self, what: str, where: str | None = None, fix: str | None = None) -> None:
        parts = [p for p in (what, where, fix) if p]
        print(self.redact("stakeplug: error: " + " — ".join(parts)), file=sys.stderr)

    def warn(self, text: str) -> None:
        print(self.redact(f"stakeplug: warning: {text}"), file=sys.stderr)

    def progress(self) -> Progress:
        """A progress display on stderr, switched on only on a terminal outside CI and without -q."""
        return Progress(sys.stderr, enabled=not self.quiet and progress_enabled(sys.stderr))


def where(exc: ConfigError) -> str | None:
    """The place a config error names, for the error line: ``in stakeplug.toml at sources[0]``."""
    if exc.path and exc.location:
        return f"in {exc.path} at {exc.location}"
    if exc.path:
        return f"in {exc.path}"
    if exc.location:
        return f"at {exc.location}"
    return None


def progress_enabled(stream: TextIO) -> bool:
    """True when ``stream`` is a terminal and ``CI`` is not set."""
    ci = os.environ.get("CI", "").strip().lower()
    if ci in ("true", "1", "yes"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A one-line ``\\r`` progress display on a terminal, per source: activities and requests."""

    def __init__(self, stream: TextIO, *, enabled: bool, interval: float = 0.1) -> None:
        self.stream = stream
        self.enabled = enabled
        self.interval = interval
        self.last = 0.0
        self.width = 0
        self.counts: dict[str, tuple[int, int]] = {}

    def __call__(self, source: str, activities: int, requests: int) -> None:
        if not self.enabled:
            return
        self.counts[source] = (activities, requests)
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        line = "collecting: " + ", ".join(
            f"{name} {a} activities/{r} requests" for name, (a, r) in self.counts.items()
        )
        self.width = max(self.width, len(line))
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
