"""stakeplug: keep a project's partners on board.

Read what stakeholders do in the team's trackers, place each on a stakeholder
map, notice when a partner drifts away, and suggest care actions posted back
into the tracker as tasks.

The public API is re-exported here; modules whose names start with an
underscore are private.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from stakeplug._model import (
    Activity,
    ActivityKind,
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
from stakeplug._register import ProjectSettings, Register, load_register
from stakeplug._registry import (
    AdapterInfo,
    available_adapters,
    build_adapter,
    get_adapter,
    list_adapters,
    register_adapter,
    unregister_adapter,
)
from stakeplug._tasks import post_care, render_task
from stakeplug.adapter import (
    Adapter,
    Capabilities,
    Option,
    PostResult,
    SourceStats,
    TaskDraft,
    TaskRef,
)

try:
    __version__ = version("stakeplug")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "Activity",
    "ActivityKind",
    "Adapter",
    "AdapterInfo",
    "Capabilities",
    "CareAction",
    "CareSuggestion",
    "Category",
    "Evidence",
    "Identity",
    "Item",
    "ItemKind",
    "Option",
    "PostResult",
    "ProjectSettings",
    "Register",
    "Signal",
    "SourceStats",
    "Stakeholder",
    "StakeholderScore",
    "TaskDraft",
    "TaskRef",
    "TeamMember",
    "Trend",
    "Verdict",
    "__version__",
    "available_adapters",
    "build_adapter",
    "get_adapter",
    "list_adapters",
    "load_register",
    "post_care",
    "register_adapter",
    "render_task",
    "unregister_adapter",
]
