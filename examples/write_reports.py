"""Write the reports of an audit through the public ``stakeplug.reports``.

Run it from the repository root::

    uv run python examples/write_reports.py OUT_FOLDER

It audits the bundled demo project, plans care, builds the report document
once and writes it as Markdown, HTML, JSON and CSV into ``OUT_FOLDER`` (all
or nothing), then prints the terminal summary.  No network, no credentials.
"""

from __future__ import annotations

import sys

import stakeplug
from stakeplug import demo, reports


def main(out: str) -> None:
    with demo.config_path() as path:
        config = stakeplug.load_config(path)
        audit = stakeplug.audit(config.register, config.build_sources(), until=demo.UNTIL)
    suggestions = stakeplug.plan_care(audit, now=demo.UNTIL)
    report = reports.build_report(audit, suggestions)
    for path in reports.write_reports(report, out, ["md", "html", "json", "csv"]):
        print(f"wrote {path}")
    print(reports.render_summary(report))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "stakeplug-report")
