"""Complaint deadlines (FEATURES E7, 银行业保险业消费投诉处理管理办法 art. 26-27). Pure: no ORM.

A decision and its notice are due within ``decision_days`` calendar days of receipt (15); a complex case
may be extended so that the whole term is ``first_extension_total_days`` (30), and once more by
``second_extension_days`` (30, so 60 in all), each extension with a recorded internal approval. A complaint
received 2026-03-01 is due 03-16, 03-31 after the first extension and 04-30 after the second. The figures
come from settings (``LENDPILOT_COMPLAINT_DEADLINES``) because a revision of the rule is in draft.

Escalation up the reporting line happens once ``escalation_share`` (80%) of the current term has run: the
escalation day is receipt + ceil(share x term days).
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

MAX_EXTENSIONS = 2


@dataclass(frozen=True)
class DeadlinePolicy:
    decision_days: int = 15
    first_extension_total_days: int = 30
    second_extension_days: int = 30
    escalation_share: float = 0.8

    @classmethod
    def from_mapping(cls, values: dict | None) -> "DeadlinePolicy":
        """The policy from a settings mapping; missing keys keep the rule's figures."""
        values = values or {}
        return cls(
            decision_days=int(values.get("decision_days", cls.decision_days)),
            first_extension_total_days=int(values.get("first_extension_total_days", cls.first_extension_total_days)),
            second_extension_days=int(values.get("second_extension_days", cls.second_extension_days)),
            escalation_share=float(values.get("escalation_share", cls.escalation_share)),
        )

    def term_days(self, extensions: int) -> int:
        """Calendar days from receipt to the deadline after `extensions` approved extensions (0, 1 or 2)."""
        if extensions < 0 or extensions > MAX_EXTENSIONS:
            raise ValueError("extensions must be 0, 1 or 2")
        if extensions == 0:
            return self.decision_days
        if extensions == 1:
            return self.first_extension_total_days
        return self.first_extension_total_days + self.second_extension_days


def due_date(received: date, *, extensions: int = 0, policy: DeadlinePolicy | None = None) -> date:
    """The day the decision and its notice are due."""
    policy = policy or DeadlinePolicy()
    return received + timedelta(days=policy.term_days(extensions))


def escalation_date(received: date, *, extensions: int = 0, policy: DeadlinePolicy | None = None) -> date:
    """The day the complaint goes up the line if still open: when the share of the current term has run."""
    policy = policy or DeadlinePolicy()
    return received + timedelta(days=math.ceil(policy.escalation_share * policy.term_days(extensions)))


def days_left(received: date, *, today: date, extensions: int = 0, policy: DeadlinePolicy | None = None) -> int:
    """Calendar days until the deadline (negative when overdue)."""
    return (due_date(received, extensions=extensions, policy=policy) - today).days
