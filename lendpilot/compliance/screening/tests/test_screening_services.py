"""Watch-list import, screening runs and the two-officer decision: every step audited, a confirmed hit
freezes the subject without a message, a run repeated adds nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.compliance.screening import selectors, services
from lendpilot.compliance.screening.models import SanctionFreeze, ScreeningHit, WatchList
from lendpilot.compliance.screening.names import Subject
from lendpilot.compliance.screening.watchlist_file import WatchRow
from lendpilot.conftest import PASSWORD
from lendpilot.customers.models import CustomerMessage
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create


def rows():
    return [WatchRow(2, "ZHANG Wei", ("张伟",), ("110101196001010016",), None, ""),
            WatchRow(3, "OUYANG Xiaoming", (), (), None, "")]


@pytest.fixture
def second_officer(world):
    return staff_create(actor=None, username="compliance2", password=PASSWORD, name="合规复核",
                        employee_no="E9001", role=Role.COMPLIANCE_OFFICER).user


def test_import_needs_the_compliance_desk_and_a_new_version(world):
    with pytest.raises(PermissionDenied):
        services.watch_list_import(actor=world.user("am_wang"), name="UN", version="2026-01", rows=rows())
    services.watch_list_import(actor=world.user("compliance"), name="UN", version="2026-01", rows=rows())
    with pytest.raises(ValidationError) as exc:
        services.watch_list_import(actor=world.user("compliance"), name="UN", version="2026-01", rows=rows())
    assert "version" in exc.value.message_dict
    newer = services.watch_list_import(actor=world.user("compliance"), name="UN", version="2026-02", rows=rows())
    assert list(WatchList.objects.filter(is_active=True)) == [newer]


def test_run_finds_hits_once_and_id_numbers_match_the_customer_hash(world):
    officer = world.user("compliance")
    services.watch_list_import(actor=officer, name="UN", version="1", rows=rows())
    subjects = [Subject("customers.customer:1", "张伟"), Subject("customers.customer:2", "章伟"),
                Subject("customers.customer:3", "赵敏"),
                Subject("customers.customer:4", "无关", id_hash=services.id_hash_of("110101196001010016"))]
    run = services.screening_run(actor=officer, subjects=subjects)
    assert run.subjects == 4
    refs = set(ScreeningHit.objects.values_list("subject_ref", flat=True))
    assert refs == {"customers.customer:1", "customers.customer:2", "customers.customer:4"}
    assert set(ScreeningHit.objects.values_list("status", flat=True)) == {ScreeningHit.Status.REVIEW}
    again = services.screening_run(actor=officer, subjects=subjects)
    assert again.hits == 0 and ScreeningHit.objects.count() == 3
    assert AuditEvent.objects.filter(event_code="compliance.screening_run").count() == 2


def test_a_confirmed_hit_freezes_after_a_second_officer(world, second_officer):
    officer = world.user("compliance")
    services.watch_list_import(actor=officer, name="UN", version="1", rows=rows())
    services.screening_run(actor=officer, subjects=[Subject("customers.customer:1", "张伟")])
    hit = ScreeningHit.objects.get()
    with pytest.raises(ValidationError):
        services.hit_propose(actor=officer, hit=hit, decision="confirmed", note="")
    services.hit_propose(actor=officer, hit=hit, decision="confirmed", note="ID and name agree")
    with pytest.raises(ValidationError):
        services.hit_decide(actor=officer, hit=hit, approve=True)
    assert not selectors.is_frozen(ref="customers.customer:1")
    services.hit_decide(actor=second_officer, hit=hit, approve=True)
    hit.refresh_from_db()
    assert hit.status == ScreeningHit.Status.CONFIRMED
    assert selectors.is_frozen(ref=selectors.customer_ref(1))
    assert SanctionFreeze.objects.count() == 1
    assert not CustomerMessage.objects.exists()  # frozen without notice
    codes = list(AuditEvent.objects.filter(event_code__startswith="compliance.hit_").values_list("event_code",
                                                                                                  flat=True))
    assert codes == ["compliance.hit_proposed", "compliance.hit_decided"]


def test_a_homophone_hit_is_cleared_only_by_two_officers(world, second_officer):
    officer = world.user("compliance")
    services.watch_list_import(actor=officer, name="UN", version="1", rows=rows())
    services.screening_run(actor=officer, subjects=[Subject("customers.customer:2", "章伟")])
    hit = ScreeningHit.objects.get()
    services.hit_propose(actor=officer, hit=hit, decision="cleared", note="different person")
    services.hit_decide(actor=second_officer, hit=hit, approve=False)
    hit.refresh_from_db()
    assert hit.status == ScreeningHit.Status.REVIEW and hit.proposed_status == ""
    services.hit_propose(actor=second_officer, hit=hit, decision="cleared", note="different person")
    services.hit_decide(actor=officer, hit=hit, approve=True)
    hit.refresh_from_db()
    assert hit.status == ScreeningHit.Status.CLEARED
    assert not selectors.is_frozen(ref="customers.customer:2")
