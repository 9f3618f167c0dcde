"""stakeplug: keep a project's partners on board.

Read what stakeholders do in the team's trackers, place each on a stakeholder
map, notice when a partner drifts away, and suggest care actions posted back
into the tracker as tasks.

The public API is re-exported here; modules whose names start with an
underscore are private.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from stakeplug._version import __version__
from stakeplug.adapter import (
    Adapter,
    Capabilities,
    Option,
    PostResult,
    SourceStats,
    TaskDraft,
    TaskRef,
    tasks_by_fingerprint,
)
from stakeplug.app import AuditRun, Collection, ExitCode, ExitStatus, Posting, run_audit
from stakeplug.care.planner import fingerprint, plan_care
from stakeplug.care.posting import (
    ACTION_LABEL_PREFIX,
    FINGERPRINT_LABEL_PREFIX,
    TASK_LABEL,
    fingerprint_from_labels,
    fingerprint_from_text,
    fingerprint_marker,
    neutral_title,
    post_care,
    render_task,
)
from stakeplug.config.loader import Config, SourceConfig, TasksConfig, load_config
from stakeplug.config.register import load_register
from stakeplug.config.rules import default_rules_text, load_rules
from stakeplug.domain.model import (
    Activity,
    ActivityKind,
    AtRiskReason,
    CareAction,
    CareSuggestion,
    Category,
    Evidence,
    Identity,
    Item,
    ItemKind,
    Signal,
    Stakeholder,
    StakeholderScore,
    TeamMember,
    Trend,
    Verdict,
)
from stakeplug.domain.register import ProjectSettings, Register
from stakeplug.domain.rules import CareRule, Rules
from stakeplug.engine import audit as _engine_audit
from stakeplug.engine.results import Audit, Candidate, SourceReport
from stakeplug.plugins.registry import (
    AdapterInfo,
    available_adapters,
    build_adapter,
    get_adapter,
    list_adapters,
    register_adapter,
    unregister_adapter,
)
from stakeplug.reports.explain import Explanation, explain


def audit(
    register: Register,
    sources: Iterable[_engine_audit.SourceLike],
    since: datetime | None = None,
    until: datetime | None = None,
    rules: Rules | None = None,
    *,
    progress: _engine_audit.ProgressCallback | None = None,
) -> Audit:
    """Score every registered stakeholder from the activities of ``sources``.

    The engine's audit (see :func:`stakeplug.engine.audit.audit`) with the reports'
    explainer, so that :meth:`Audit.explain` gives an :class:`Explanation`.
    """
    return _engine_audit.audit(register, sources, since, until, rules, progress=progress, explainer=explain)


__all__ = [
    "ACTION_LABEL_PREFIX",
    "FINGERPRINT_LABEL_PREFIX",
    "TASK_LABEL",
    "Activity",
    "ActivityKind",
    "Adapter",
    "AdapterInfo",
    "AtRiskReason",
    "Audit",
    "AuditRun",
    "Candidate",
    "Capabilities",
    "CareAction",
    "CareRule",
    "CareSuggestion",
    "Category",
    "Collection",
    "Config",
    "Evidence",
    "ExitCode",
    "ExitStatus",
    "Explanation",
    "Identity",
    "Item",
    "ItemKind",
    "Option",
    "PostResult",
    "Posting",
    "ProjectSettings",
    "Register",
    "Rules",
    "Signal",
    "SourceConfig",
    "SourceReport",
    "SourceStats",
    "Stakeholder",
    "StakeholderScore",
    "TaskDraft",
    "TaskRef",
    "TasksConfig",
    "TeamMember",
    "Trend",
    "Verdict",
    "__version__",
    "audit",
    "available_adapters",
    "build_adapter",
    "default_rules_text",
    "fingerprint",
    "fingerprint_from_labels",
    "fingerprint_from_text",
    "fingerprint_marker",
    "get_adapter",
    "list_adapters",
    "load_config",
    "load_register",
    "load_rules",
    "neutral_title",
    "plan_care",
    "post_care",
    "register_adapter",
    "render_task",
    "run_audit",
    "tasks_by_fingerprint",
    "unregister_adapter",
]
