"""A promotion moves a person one rung up the sales ladder in the organisation: an account manager becomes
team lead (a team has one lead), the team's account managers report to the new lead, the reason is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.org.access import actor_of
from lendpilot.org.models import Staff
from lendpilot.org.roles import DataScope, Role
from lendpilot.org.services import staff_promote

pytestmark = pytest.mark.django_db


def test_an_account_manager_becomes_lead_of_a_team_without_one(world):
    sun = world.staff["am_sun"]  # East B has no team lead; 孙丽 reports to the regional head
    promoted = staff_promote(actor=world.user("director"), staff=sun, role=Role.TEAM_LEAD,
                             reason="高潜力，人才盘点决定晋升")
    promoted.refresh_from_db()
    assert promoted.role == Role.TEAM_LEAD and promoted.team == world.teams["east-b"]
    assert promoted.reports_to == world.staff["east_head"]
    assert actor_of(Staff.objects.get(pk=sun.pk).user).scope == DataScope.TEAM
    event = AuditEvent.objects.get(event_code="org.staff_updated", object_id=str(sun.pk))
    assert event.before["role"] == Role.ACCOUNT_MANAGER and event.after["role"] == Role.TEAM_LEAD
    assert event.after["reason"] == "高潜力，人才盘点决定晋升"


def test_a_team_has_one_lead(world):
    d = world.user("director")
    wang = world.staff["am_wang"]
    with pytest.raises(ValidationError) as exc:
        staff_promote(actor=d, staff=wang, role=Role.TEAM_LEAD, reason="业绩突出")
    assert "team" in exc.value.error_dict
    # Promoted to lead East B instead: moves there, and East B's account managers now report to her.
    staff_promote(actor=d, staff=wang, role=Role.TEAM_LEAD, team=world.teams["east-b"], reason="业绩突出")
    wang.refresh_from_db()
    assert (wang.role, wang.team) == (Role.TEAM_LEAD, world.teams["east-b"])
    assert Staff.objects.get(pk=world.staff["am_sun"].pk).reports_to == wang
    assert Staff.objects.get(pk=world.staff["am_zhao"].pk).reports_to == world.staff["east_a_lead"]


def test_one_rung_at_a_time_with_a_reason_by_the_director_only(world):
    sun = world.staff["am_sun"]
    for kwargs, field in (({"role": Role.REGIONAL_HEAD, "reason": "x"}, "role"),
                          ({"role": Role.DIRECTOR, "reason": "x"}, "role"),
                          ({"role": Role.TEAM_LEAD, "reason": "  "}, "reason")):
        with pytest.raises(ValidationError) as exc:
            staff_promote(actor=world.user("director"), staff=sun, **kwargs)
        assert field in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        staff_promote(actor=world.user("east_head"), staff=sun, role=Role.TEAM_LEAD, reason="x")
    sun.refresh_from_db()
    assert sun.role == Role.ACCOUNT_MANAGER
    assert not AuditEvent.objects.filter(event_code="org.staff_updated").exists()
