"""The conformance kit for adapter authors, and an in-memory fake adapter.

Checking an adapter against the contract takes one class in a test module::

    import pytest
    from stakeplug.testing import AdapterContract, ContractSubject

    class TestMyAdapter(AdapterContract):
        @pytest.fixture
        def contract_subject(self):
            return ContractSubject(adapter=..., since=..., until=...)

:class:`AdapterContract` needs pytest (``pip install "stakeplug[testing]"``)
and is imported on first use, so :class:`MemoryAdapter`,
:func:`sample_activities` and :class:`ContractSubject` work without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stakeplug.testing._fake import (
    SAMPLE_START,
    MemoryAdapter,
    failing_memory_adapter,
    sample_activities,
)
from stakeplug.testing._loopback import FaultQueue, LoopbackServer
from stakeplug.testing._subject import ContractSubject

if TYPE_CHECKING:
    from stakeplug.testing._contract import KIND_CAPABILITY, AdapterContract

__all__ = [
    "KIND_CAPABILITY",
    "SAMPLE_START",
    "AdapterContract",
    "ContractSubject",
    "FaultQueue",
    "LoopbackServer",
    "MemoryAdapter",
    "failing_memory_adapter",
    "sample_activities",
]


def __getattr__(name: str) -> Any:
    if name in ("AdapterContract", "KIND_CAPABILITY"):
        try:
            from stakeplug.testing import _contract
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                'stakeplug.testing.AdapterContract needs pytest: pip install "stakeplug[testing]"'
            ) from exc
        return getattr(_contract, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
