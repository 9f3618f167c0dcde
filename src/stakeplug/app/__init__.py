"""The application layer: one audit run as a typed pipeline, for the command line and for scripts.

A script that audits, dry-runs the care tasks and writes the reports::

    import stakeplug

    run = stakeplug.run_audit("stakeplug.toml", out="report", formats=["md", "html"])
    for name in (s.name for s in run.audit.partners_at_risk):
        print("at risk:", name)
    raise SystemExit(run.exit_status(["partner-at-risk"]).code)

``pipeline`` holds the steps and :func:`run_audit`; ``results`` the types
they return and the exit code computed from them.
"""

from __future__ import annotations

from stakeplug.app.identities import IdentityWarning, identity_warnings
from stakeplug.app.pipeline import (
    CollectionProgress,
    collect_and_plan,
    config_secrets,
    missing_evidence,
    open_config,
    post_suggestions,
    redact_report,
    require_sources,
    run_audit,
)
from stakeplug.app.results import FAIL_ON, AuditRun, Collection, ExitCode, ExitStatus, Posting, ReportDocument

__all__ = [
    "FAIL_ON",
    "AuditRun",
    "Collection",
    "CollectionProgress",
    "ExitCode",
    "ExitStatus",
    "IdentityWarning",
    "Posting",
    "ReportDocument",
    "collect_and_plan",
    "config_secrets",
    "identity_warnings",
    "missing_evidence",
    "open_config",
    "post_suggestions",
    "redact_report",
    "require_sources",
    "run_audit",
]
