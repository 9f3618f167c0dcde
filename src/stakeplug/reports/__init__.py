"""Reports: one report document, rendered to Markdown, JSON, HTML, CSV and a terminal summary.

The JSON document is the source of truth: :func:`build_report` turns an audit,
its care suggestions and what posting did into a plain ``dict`` following the
shipped schema (:func:`report_schema`); every renderer only formats that dict,
so the formats never disagree and a report can be re-rendered from its JSON
file.  :func:`write_reports` writes the chosen formats all or nothing.

A script that writes the reports of an audit::

    import stakeplug
    from stakeplug import reports

    result = stakeplug.audit(register, sources)
    suggestions = stakeplug.plan_care(result)
    report = reports.build_report(result, suggestions)
    reports.write_reports(report, "out", ["md", "html", "json", "csv"])

The modules, one job each: ``document`` (building and the schema), ``text``
(the one sort order, number formats, plurals, terminal widths), ``markdown``,
``html`` with ``charts`` (the map, the grid and sparklines as inline SVG), ``labels``
(where the map writes each name) and ``html_style``, ``tables`` (CSV), ``summary`` (the
terminal), ``ci`` (the GitHub job summary and annotations), ``previous`` (reading an earlier
report) and ``files`` (atomic writing).
"""

from __future__ import annotations

from stakeplug.reports.ci import github_annotations, github_error, publish_github, step_summary
from stakeplug.reports.document import SCHEMA_VERSION, build_report, report_schema
from stakeplug.reports.files import FORMATS, check_writable, render_files, write_all, write_reports
from stakeplug.reports.html import render_html
from stakeplug.reports.markdown import render_markdown
from stakeplug.reports.previous import load_previous
from stakeplug.reports.summary import render_summary
from stakeplug.reports.tables import render_stakeholders_csv, render_suggestions_csv
from stakeplug.reports.text import ordered_stakeholders, partial_sources

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "build_report",
    "check_writable",
    "github_annotations",
    "github_error",
    "load_previous",
    "ordered_stakeholders",
    "partial_sources",
    "publish_github",
    "render_files",
    "render_html",
    "render_markdown",
    "render_stakeholders_csv",
    "render_suggestions_csv",
    "render_summary",
    "report_schema",
    "step_summary",
    "write_all",
    "write_reports",
]
