"""What a simulated call is: its plan, the outcomes of the far end, its state (simulator and CDR)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..domain.apps import Application
from .routing import Route

RECORD_DOMAIN = "ostor.pns-mock.local"


@dataclass(frozen=True)
class Outcome:
    """How the far end behaves, and the codes the platform reports for it (spec tables)."""

    state_code: int
    q850: int
    sip: int
    rings: bool
    answered: bool


OUTCOMES: dict[str, Outcome] = {
    "answer": Outcome(0, 0, 200, rings=True, answered=True),
    "busy": Outcome(8102, 17, 486, rings=False, answered=False),
    "no-answer": Outcome(8101, 19, 480, rings=True, answered=False),
    # 7504 in both tables (hang-up cause "call refused", disconnect point "call rejected")
    "reject": Outcome(7504, 21, 603, rings=True, answered=False),
    "power-off": Outcome(8104, 20, 480, rings=False, answered=False),
    "caller-abandon": Outcome(7502, 16, 487, rings=True, answered=False),
}


@dataclass(frozen=True)
class CallPlan:
    caller: str
    dialled: str
    digits: str | None = None  # AXE: the extension the caller keys
    outcome: str = "answer"
    answer_after: float = 5.0  # seconds of ringing before the callee answers (or gives up)
    talk: float = 30.0  # seconds of conversation
    hangup_by: str = "caller"


class Sink(Protocol):
    def event(self, app: Application, webhook: str, body: dict[str, Any]) -> None: ...

    def cdr(self, app: Application, webhook: str, fee_info: dict[str, Any]) -> None: ...

    def block(self, app: Application, webhook: str, body: dict[str, Any]) -> dict[str, Any] | None: ...


@dataclass
class SimulatedCall:
    session_id: str
    app: Application
    plan: CallPlan
    route: Route
    start: float
    times: dict[str, float] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)  # event types emitted so far
    ended: bool = False
    state_code: int | None = None
    last_min_voice_at: float | None = None
