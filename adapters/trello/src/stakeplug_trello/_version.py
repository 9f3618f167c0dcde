"""The installed distribution's version, for ``version`` and the User-Agent."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

__all__ = ["VERSION"]

try:
    VERSION = _dist_version("stakeplug-trello")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    VERSION = "0.0.0"
