"""Action items and agile squads (B11): opening, status history, closing with an outcome, scoping and the
idempotent escalation of overdue items to the owner's superior."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.errors import Conflict
from lendpilot.core.models import ActionItem, ActionItemStatusChange
from lendpilot.insights.review.actions import (
    action_item_cancel,
    action_item_close,
    action_item_create,
    action_item_start,
    action_items_escalate_overdue,
)
from lendpilot.insights.review.selectors import action_items_visible
from lendpilot.insights.review.tasks import escalate_overdue_action_items_task

SH = ZoneInfo("Asia/Shanghai")
FRIDAY_3PM = datetime(2026, 11, 27, 15, 0, tzinfo=SH)


def open_item(world, creator="east_a_lead", owner="am_wang", **kwargs):
    kwargs.setdefault("now", FRIDAY_3PM)
    return action_item_create(actor=world.user(creator), title="材料太多：精简清单", owner_id=world.user(owner).pk,
                              **kwargs)


def test_an_item_is_due_48_business_hours_later_and_starts_its_history(world):
    item = open_item(world, members=[(world.user("risk_l1").pk, "risk"), (world.user("operations").pk,
                                                                          "operations")])
    assert item.due_at == datetime(2026, 12, 1, 15, 0, tzinfo=SH)
    assert item.status == "open"
    assert sorted(item.members.values_list("function", flat=True)) == ["operations", "risk"]
    assert list(item.status_history.values_list("from_status", "to_status")) == [("", "open")]
    assert AuditEvent.objects.filter(event_code="insights.action_item_created", object_id=str(item.pk)).exists()


def test_every_move_writes_a_history_row_and_closing_keeps_the_outcome(world):
    item = open_item(world, members=[(world.user("risk_l1").pk, "risk")])
    action_item_start(actor=world.user("am_wang"), item_id=item.pk)
    item = action_item_close(actor=world.user("risk_l1"), item_id=item.pk, outcome="清单从 12 项减到 7 项")
    assert item.status == "done" and item.outcome == "清单从 12 项减到 7 项" and item.closed_at
    rows = list(ActionItemStatusChange.objects.filter(item=item).values_list("from_status", "to_status",
                                                                             "actor_label"))
    assert rows == [("", "open", "east_a_lead"), ("open", "in_progress", "am_wang"),
                    ("in_progress", "done", "risk_l1")]
    assert AuditEvent.objects.filter(event_code="insights.action_item_moved", object_id=str(item.pk)).count() == 2


def test_closing_without_an_outcome_is_refused_and_changes_nothing(world):
    item = open_item(world)
    with pytest.raises(ValidationError) as err:
        action_item_close(actor=world.user("am_wang"), item_id=item.pk, outcome="  ")
    assert "outcome" in err.value.message_dict
    item.refresh_from_db()
    assert item.status == "open" and item.status_history.count() == 1


def test_a_closed_item_does_not_move_again(world):
    item = open_item(world)
    action_item_close(actor=world.user("am_wang"), item_id=item.pk, outcome="完成")
    with pytest.raises(Conflict):
        action_item_start(actor=world.user("am_wang"), item_id=item.pk)


def test_cancelling_needs_a_reason_and_a_manager_or_the_creator(world):
    item = open_item(world)
    with pytest.raises(PermissionDenied):
        action_item_cancel(actor=world.user("am_wang"), item_id=item.pk, reason="重复")
    with pytest.raises(ValidationError) as err:
        action_item_cancel(actor=world.user("east_a_lead"), item_id=item.pk, reason="")
    assert "reason" in err.value.message_dict
    assert action_item_cancel(actor=world.user("east_a_lead"), item_id=item.pk, reason="重复").status == "cancelled"


def test_bad_input_names_the_field(world):
    with pytest.raises(ValidationError) as err:
        action_item_create(actor=world.user("east_a_lead"), title="", owner_id=world.user("am_wang").pk)
    assert "title" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        action_item_create(actor=world.user("east_a_lead"), title="x", owner_id=999999)
    assert "owner_id" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        action_item_create(actor=world.user("east_a_lead"), title="x", members=[(world.user("risk_l1").pk, "legal")])
    assert "members" in err.value.message_dict
    assert not ActionItem.objects.exists()


def test_an_owner_outside_the_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        open_item(world, creator="east_a_lead", owner="am_chen")
    with pytest.raises(PermissionDenied):
        open_item(world, creator="am_zhao", owner="am_wang")
    assert not ActionItem.objects.exists()


def test_a_team_lead_sees_the_teams_items_and_the_squads_they_sit_on(world):
    east = open_item(world, creator="east_a_lead", owner="am_wang")
    south = open_item(world, creator="south_head", owner="am_chen", members=[(world.user("am_zhao").pk, "sales")])
    assert set(action_items_visible(world.user("east_a_lead"))) == {east}
    assert set(action_items_visible(world.user("south_head"))) == {south}
    assert set(action_items_visible(world.user("am_zhao"))) == {south}
    assert set(action_items_visible(world.user("director"))) == {east, south}
    with pytest.raises(Http404):
        action_item_start(actor=world.user("east_a_lead"), item_id=south.pk)


def test_a_source_opens_one_item(world):
    first = open_item(world, source_kind="diagnostic", source_ref="funnel:team:1:meeting:2026-11-01:2026-11-14")
    again = open_item(world, source_kind="diagnostic", source_ref="funnel:team:1:meeting:2026-11-01:2026-11-14")
    assert again.pk == first.pk
    action_item_close(actor=world.user("am_wang"), item_id=first.pk, outcome="完成")
    third = open_item(world, source_kind="diagnostic", source_ref="funnel:team:1:meeting:2026-11-01:2026-11-14")
    assert third.pk == first.pk and ActionItem.objects.count() == 1


def test_overdue_items_escalate_once_to_the_owners_superior(world):
    wang = open_item(world, owner="am_wang")                          # reports to the team lead
    chen = open_item(world, creator="south_head", owner="am_chen")    # no reporting line: the regional head
    lead = open_item(world, creator="east_head", owner="east_a_lead")  # reports to the regional head
    head = open_item(world, creator="director", owner="south_head")   # the director
    done = open_item(world, owner="am_zhao")
    action_item_close(actor=world.user("am_zhao"), item_id=done.pk, outcome="完成")
    not_yet = action_item_create(actor=world.user("east_a_lead"), title="later", owner_id=world.user("am_wang").pk,
                                 now=datetime(2026, 11, 30, 9, tzinfo=SH))

    at_due = datetime(2026, 12, 1, 15, 0, tzinfo=SH)
    assert action_items_escalate_overdue(now=at_due) == 0  # due at 15:00 is not overdue at 15:00
    later = datetime(2026, 12, 1, 15, 1, tzinfo=SH)
    assert action_items_escalate_overdue(now=later) == 4
    targets = dict(ActionItem.objects.filter(escalated=True).values_list("pk", "escalated_to__username"))
    assert targets == {wang.pk: "east_a_lead", chen.pk: "south_head", lead.pk: "east_head", head.pk: "director"}
    assert not ActionItem.objects.filter(pk__in=[done.pk, not_yet.pk], escalated=True).exists()
    events = AuditEvent.objects.filter(event_code="insights.action_items_escalated").count()

    assert action_items_escalate_overdue(now=datetime(2026, 12, 2, 9, tzinfo=SH)) == 0
    assert ActionItem.objects.get(pk=wang.pk).escalated_at == later
    assert AuditEvent.objects.filter(event_code="insights.action_items_escalated").count() == events


def test_the_daily_task_escalates(world):
    item = open_item(world, now=datetime(2026, 1, 5, 9, tzinfo=SH))
    escalate_overdue_action_items_task.call(business_date="2026-01-20")
    assert ActionItem.objects.get(pk=item.pk).escalated
