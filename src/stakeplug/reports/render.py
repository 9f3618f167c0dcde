"""The report functions under their earlier module path, for code not yet importing :mod:`stakeplug.reports`.

New code imports from :mod:`stakeplug.reports`; this module only re-exports.
"""

from __future__ import annotations

from stakeplug.reports import (
    FORMATS,
    SCHEMA_VERSION,
    build_report,
    check_writable,
    load_previous,
    render_html,
    render_markdown,
    render_summary,
    report_schema,
    write_all,
    write_reports,
)
from stakeplug.reports.text import partial_sources

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "build_report",
    "check_writable",
    "load_previous",
    "render_html",
    "render_markdown",
    "render_summary",
    "report_schema",
    "write_all",
    "write_reports",
]

_sources_partial = partial_sources
"""The command line's earlier private name for :func:`stakeplug.reports.partial_sources`."""
