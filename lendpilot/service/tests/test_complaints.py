from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.core.models import ActionItem
from lendpilot.customers.models import CustomerMessage
from lendpilot.service.models import Complaint, Survey
from lendpilot.service.services import (
    complaint_acknowledge,
    complaint_close,
    complaint_decide,
    complaint_extend,
    complaint_receive,
    complaint_recuse,
    complaint_respond,
    complaint_withdraw,
    complaints_escalate,
)
from lendpilot.testing import build_world

pytestmark = pytest.mark.django_db
MARCH_1 = date(2026, 3, 1)


@pytest.fixture
def world():
    return build_world()


def _receive(world, **kwargs):
    args = {"actor": world.user("operations"), "customer": world.customers["am_wang_person"], "channel": "phone",
            "summary": "还款扣款两次", "request": "退还多扣的款项", "received_on": MARCH_1}
    return complaint_receive(**{**args, **kwargs})


def test_complaint_received_march_first_is_due_16th_then_extended_with_approval(world):
    complaint = _receive(world)
    assert complaint.due_on == date(2026, 3, 16) and complaint.manager == world.staff["am_wang"]
    complaint = complaint_extend(actor=world.user("director"), complaint=complaint, reason="需调取外部记录")
    assert complaint.due_on == date(2026, 3, 31)
    complaint = complaint_extend(actor=world.user("director"), complaint=complaint, reason="涉及第三方机构")
    assert complaint.due_on == date(2026, 4, 30)
    assert [e.approved_by for e in complaint.extension_records.all()] == [world.user("director")] * 2
    with pytest.raises(ValidationError):
        complaint_extend(actor=world.user("director"), complaint=complaint, reason="再次")
    assert Complaint.objects.get(pk=complaint.pk).due_on == date(2026, 4, 30)


def test_an_extension_needs_an_approver(world):
    complaint = _receive(world)
    with pytest.raises(PermissionDenied):
        complaint_extend(actor=world.user("operations"), complaint=complaint, reason="复杂")
    assert Complaint.objects.get(pk=complaint.pk).extensions == 0


def test_group_complaint_names_at_most_five_representatives(world):
    complaint = _receive(world, is_group=True, representatives=["甲", "乙", "丙", "丁", "戊"])
    assert complaint.representatives.count() == 5
    with pytest.raises(ValidationError) as error:
        _receive(world, is_group=True, representatives=["甲", "乙", "丙", "丁", "戊", "己"])
    assert "representatives" in error.value.message_dict
    assert Complaint.objects.count() == 1


def test_withdrawal_ends_the_case(world):
    complaint = complaint_withdraw(actor=world.user("operations"), complaint=_receive(world), today=MARCH_1)
    assert complaint.status == Complaint.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        complaint_acknowledge(actor=world.user("operations"), complaint=complaint, owner=world.staff["am_zhao"])


def test_handler_with_an_interest_cannot_take_the_case(world):
    complaint = _receive(world)
    with pytest.raises(ValidationError):  # the complained-about manager
        complaint_acknowledge(actor=world.user("operations"), complaint=complaint, owner=world.staff["am_wang"])
    complaint_recuse(actor=world.user("operations"), complaint=complaint, staff=world.staff["am_zhao"],
                     reason="客户是其亲属")
    with pytest.raises(ValidationError):
        complaint_acknowledge(actor=world.user("operations"), complaint=complaint, owner=world.staff["am_zhao"])
    assert Complaint.objects.get(pk=complaint.pk).owner is None


def test_closed_loop_confirm_then_close_opens_remediation_item_and_survey(world):
    complaint = _receive(world)
    complaint = complaint_acknowledge(actor=world.user("operations"), complaint=complaint,
                                      owner=world.staff["east_a_lead"], today=MARCH_1)
    complaint = complaint_decide(actor=world.user("east_a_lead"), complaint=complaint, decision="退还多扣款项",
                                 today=date(2026, 3, 5))
    complaint = complaint_respond(actor=world.user("operations"), complaint=complaint, confirmed=False,
                                  today=date(2026, 3, 6))
    assert complaint.status == Complaint.Status.APPEALED
    complaint = complaint_decide(actor=world.user("east_a_lead"), complaint=complaint, decision="退款并补偿利息",
                                 today=date(2026, 3, 8))
    with pytest.raises(ValidationError):
        complaint_close(actor=world.user("east_a_lead"), complaint=complaint, root_cause="x", remediation="y")
    complaint = complaint_respond(actor=world.user("operations"), complaint=complaint, confirmed=True,
                                  today=date(2026, 3, 9))
    complaint = complaint_close(actor=world.user("east_a_lead"), complaint=complaint, root_cause="扣款批次重跑",
                                remediation="批次加幂等键", today=date(2026, 3, 9))
    assert complaint.status == Complaint.Status.CLOSED
    item = ActionItem.objects.get(pk=complaint.action_item_id)
    assert item.owner == world.user("east_a_lead") and item.source_ref == f"complaint:{complaint.pk}"
    survey = Survey.objects.get(source_ref=f"complaint:{complaint.pk}")
    assert CustomerMessage.objects.filter(dedup_key=f"survey:{survey.source_ref}").exists()


def test_escalation_at_eighty_percent_runs_once(world):
    complaint = _receive(world)
    complaint_acknowledge(actor=world.user("operations"), complaint=complaint, owner=world.staff["am_zhao"],
                          today=MARCH_1)
    assert complaints_escalate(today=date(2026, 3, 12)) == 0
    assert complaints_escalate(today=date(2026, 3, 13)) == 1
    assert complaints_escalate(today=date(2026, 3, 14)) == 0
    assert Complaint.objects.get(pk=complaint.pk).escalated_to == world.staff["east_a_lead"]
