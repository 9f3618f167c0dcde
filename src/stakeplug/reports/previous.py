"""Reading an earlier JSON report, the run a new report is compared with (``--previous``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from stakeplug.errors import ConfigError

__all__ = ["load_previous"]


def load_previous(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read an earlier JSON report for ``--previous``; a :class:`ConfigError` when it is not one."""
    p = Path(path)
    try:
        data = json.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "previous report not found; pass the report.json of an earlier run", path=str(p)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"previous report cannot be read: {exc}", path=str(p)) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"previous report is not JSON (line {exc.lineno}, column {exc.colno}); "
            "pass the report.json of an earlier run",
            path=str(p),
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data or "stakeholders" not in data:
        raise ConfigError(
            "is not a stakeplug JSON report; pass the report.json of an earlier run", path=str(p)
        )
    return data
