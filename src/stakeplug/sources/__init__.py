"""Sources that ship inside stakeplug itself (the tool adapters are separate distributions).

``file`` (:class:`stakeplug.sources.file.FileAdapter`) reads activities from a
JSON Lines file, for any tool without an adapter.
"""

from __future__ import annotations

from stakeplug.sources.file import FileAdapter

__all__ = ["FileAdapter"]
