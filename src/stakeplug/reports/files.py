"""Writing reports to files, all or nothing.

Each file goes to a temporary file in the target folder and is moved into
place with :func:`os.replace` once every format has been rendered, so a
failure never leaves a half-written report behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from stakeplug.errors import ConfigError
from stakeplug.reports.html import render_html
from stakeplug.reports.markdown import render_markdown
from stakeplug.reports.tables import render_stakeholders_csv, render_suggestions_csv

__all__ = ["FORMATS", "check_writable", "render_files", "write_all", "write_reports"]


def _json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


_RENDERERS: Mapping[str, Sequence[tuple[str, Callable[[Mapping[str, Any]], str]]]] = {
    "md": [("report.md", render_markdown)],
    "json": [("report.json", _json)],
    "html": [("report.html", render_html)],
    "csv": [("stakeholders.csv", render_stakeholders_csv), ("suggestions.csv", render_suggestions_csv)],
}

FORMATS: Mapping[str, tuple[str, ...]] = {
    fmt: tuple(name for name, _ in files) for fmt, files in _RENDERERS.items()
}
"""Each report format and the files it is written to."""


def render_files(report: Mapping[str, Any], formats: Iterable[str]) -> list[tuple[str, str]]:
    """Render ``report`` in each of ``formats``: ``(file name, text)`` pairs, in format order."""
    return [(name, render(report)) for fmt in formats for name, render in _RENDERERS[fmt]]


def check_writable(out_dir: str | os.PathLike[str]) -> Path:
    """Create ``out_dir`` if needed and prove a file can be written there, before any work.

    Raises :class:`ConfigError` naming the folder and what to do.
    """
    p = Path(out_dir)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError("exists and is not a folder; pass --out with a folder path", path=str(p)) from None
    except OSError as exc:
        raise ConfigError(
            f"output folder cannot be created ({exc.strerror}); pass --out with a writable folder",
            path=str(p),
        ) from None
    if not p.is_dir():
        raise ConfigError("exists and is not a folder; pass --out with a folder path", path=str(p))
    try:
        fd, probe = tempfile.mkstemp(prefix=".stakeplug-probe-", dir=p)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(
            f"output folder cannot be written ({exc.strerror}); pass --out with a writable folder",
            path=str(p),
        ) from None
    return p


def write_reports(
    report: Mapping[str, Any], out_dir: str | os.PathLike[str], formats: Iterable[str]
) -> list[Path]:
    """Write ``report`` in each of ``formats`` to ``out_dir``, all or nothing.

    Every format is rendered and written to a temporary file first; only when
    all succeeded are they moved into place.  ``out_dir`` is created when
    missing.  Returns the written paths.
    """
    p = Path(out_dir)
    texts = [(p / name, text) for name, text in render_files(report, formats)]
    try:
        p.mkdir(parents=True, exist_ok=True)
        write_all(texts)
    except OSError as exc:
        raise ConfigError(
            f"report could not be written ({exc.strerror}); pass --out with a writable folder",
            path=str(p),
        ) from None
    return [final for final, _ in texts]


def write_all(texts: Sequence[tuple[Path, str]]) -> None:
    """Write each text to its path (UTF-8, ``\\n`` line ends), all or nothing.

    Each text goes to a temporary file beside its path first; only when all are
    written are they moved into place.  On an ``OSError`` the temporary files
    are removed and the error is raised.
    """
    staged: list[tuple[str, Path]] = []
    moved = 0
    try:
        for final, text in texts:
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
            staged.append((tmp, final))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        for tmp, final in staged:
            os.replace(tmp, final)
            moved += 1
    finally:
        for tmp, _ in staged[moved:]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
