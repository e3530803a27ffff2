"""Each role's desk: what the home page shows a person first, built from the selectors of every package
(scoped to the acting user). It sums up several floors, so it sits with the home page above them all and only
reads; each role's desk is one function in the module of its kind of work."""

from collections.abc import Callable
from datetime import date

from lendpilot.desk import back_office, front_office, leaders
from lendpilot.org.access import Actor
from lendpilot.org.roles import Role

DESKS: dict[str, Callable[..., dict]] = {
    Role.DIRECTOR: leaders.director_desk,
    Role.REGIONAL_HEAD: leaders.slice_desk,
    Role.TEAM_LEAD: leaders.slice_desk,
    Role.ACCOUNT_MANAGER: front_office.manager_desk,
    Role.CHANNEL_PARTNER: front_office.partner_desk,
    Role.RISK_OFFICER: back_office.risk_desk,
    Role.OPERATIONS: back_office.operations_desk,
    Role.COMPLIANCE_OFFICER: back_office.compliance_desk,
}


def desk_for(actor: Actor, *, today: date) -> dict:
    """The acting person's desk (empty for people without a role, such as a bare admin login)."""
    build = DESKS.get(actor.role or "")
    return {"desk": actor.role, **build(actor, today=today)} if build else {}
