"""The conformance kit for adapter authors, an in-memory fake adapter, and the fake-tracker kit.

Checking an adapter against the contract takes one class in a test module::

    import pytest
    from stakeplug.testing import AdapterContract, ContractSubject

    class TestMyAdapter(AdapterContract):
        @pytest.fixture
        def contract_subject(self):
            return ContractSubject(adapter=..., since=..., until=...)

A fake tracker (a loopback HTTP server that answers like a tracker's REST API)
subclasses :class:`FakeServer` and adds its routes::

    from stakeplug.testing import FakeServer, Reply, Request, Routes

    class FakeTodo(FakeServer):
        def add_routes(self, routes: Routes) -> None:
            routes.add("GET", "/todos/{number:int}", self.todo)

        def todo(self, request: Request) -> Reply:
            return Reply(200, {"number": int(request.params["number"])})

    with FakeTodo() as fake:
        fake.fail(503, path="/todos", times=2)  # faults: status, delay, dropped connection
        ...                                     # point a client at fake.address
        assert fake.stats()["requests"] == 3    # also GET /_fake/stats; POST /_fake/reset

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
from stakeplug.testing._faults import Fault, FaultQueue
from stakeplug.testing._loopback import LoopbackServer, QuietThreadingServer
from stakeplug.testing._routes import Handler, Reply, ReplyNow, Request, Routes
from stakeplug.testing._server import FakeServer, RequestLog
from stakeplug.testing._subject import ContractSubject

if TYPE_CHECKING:
    from stakeplug.testing._contract import KIND_CAPABILITY, AdapterContract

__all__ = [
    "KIND_CAPABILITY",
    "SAMPLE_START",
    "AdapterContract",
    "ContractSubject",
    "FakeServer",
    "Fault",
    "FaultQueue",
    "Handler",
    "LoopbackServer",
    "MemoryAdapter",
    "QuietThreadingServer",
    "Reply",
    "ReplyNow",
    "Request",
    "RequestLog",
    "Routes",
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
