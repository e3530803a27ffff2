"""Data-leak drills: a canary touch raises exactly one alert (reveal, export, the access-log sweep), the
bulk-access anomaly, the drill schedule with results and fixes, and the pages."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lendpilot.compliance.drills import selectors, services
from lendpilot.compliance.drills.anomaly import outliers
from lendpilot.compliance.drills.models import CanaryAlert
from lendpilot.compliance.models import AuditEvent
from lendpilot.customers.services import customer_reveal_pii
from lendpilot.org.access import actor_of


def plant(world, key="am_wang_person"):
    customer = world.customers[key]
    services.canary_plant(actor=world.user("compliance"), ref=f"customers.customer:{customer.pk}", label="fake")
    return customer


def test_only_compliance_plants_canaries(world):
    with pytest.raises(PermissionDenied):
        services.canary_plant(actor=world.user("am_wang"), ref="customers.customer:1", label="x")
    plant(world)
    with pytest.raises(ValidationError):
        plant(world)


def test_a_reveal_of_a_canary_raises_exactly_one_alert(world):
    customer = plant(world)
    log = services.pii_access_record(actor=world.user("am_wang"), object_type="customers.customer",
                                     object_id=str(customer.pk), field="phone", purpose="identity_check")
    assert CanaryAlert.objects.count() == 1
    assert services.canary_sweep() == 0
    alert = CanaryAlert.objects.get()
    assert alert.source_key == f"pii_access:{log.pk}" and alert.action == "reveal"
    assert AuditEvent.objects.filter(event_code="compliance.canary_alert_raised").count() == 1


def test_a_reveal_on_the_customer_page_alerts_at_once_and_the_sweep_adds_nothing(world):
    customer = plant(world)
    customer_reveal_pii(actor=world.user("am_wang"), customer=customer, field="phone", purpose="identity_check")
    assert CanaryAlert.objects.count() == 1
    other = world.customers["am_wang_company"]
    customer_reveal_pii(actor=world.user("am_wang"), customer=other, field="phone", purpose="identity_check")
    assert services.canary_sweep() == 0
    assert CanaryAlert.objects.count() == 1


def test_an_export_with_canaries_raises_one_alert_and_a_repeat_none(world):
    canary = plant(world)
    refs = [f"customers.customer:{c.pk}" for c in world.customers.values()]
    assert canary.pk
    first = services.canary_touch(actor=world.user("am_wang"), refs=refs, action="export",
                                  source_key="segment_export:1")
    again = services.canary_touch(actor=world.user("am_wang"), refs=refs, action="export",
                                  source_key="segment_export:1")
    clean = services.canary_touch(actor=world.user("am_wang"), refs=["customers.customer:999999"],
                                  action="bulk_query", source_key="q:2")
    assert first is not None and again is None and clean is None
    assert CanaryAlert.objects.count() == 1


def test_robust_z_flags_the_user_who_reveals_far_more():
    counts = {"a": 10, "b": 12, "c": 9, "d": 11, "e": 300}
    [found] = outliers(counts)
    assert found.key == "e" and found.z > 3.5
    assert outliers({"a": 10, "b": 12}) == []
    assert outliers({"a": 0, "b": 0, "c": 0, "d": 50})[0].key == "d"


def test_bulk_access_outliers_compare_peers_of_the_same_role(world):
    customer = world.customers["am_chen_person"]
    for _ in range(30):
        services.pii_access_record(actor=world.user("am_chen"), object_type="customers.customer",
                                   object_id=str(customer.pk), field="phone", purpose="other: test")
    found = selectors.bulk_access_outliers(actor_of(world.user("compliance")), today=timezone.localdate())
    assert [o.name for o in found] == ["陈杰"]


def test_drill_schedule_result_and_fixes(world, client):
    officer = world.user("compliance")
    drill = services.drill_schedule(actor=officer, title="客户经理导出客群", scenario="segment_export",
                                    scheduled_for=date(2026, 11, 1))
    with pytest.raises(ValidationError):
        services.drill_record(actor=officer, drill=drill, result="detected", findings="", run_on=date(2026, 11, 1))
    services.drill_record(actor=officer, drill=drill, result="partial", findings="告警延迟", run_on=date(2026, 11, 1),
                          detection_minutes=95)
    fix = services.drill_fix_add(actor=officer, drill=drill, description="导出加审批", owner=world.staff["operations"],
                                 due_date=date(2026, 12, 1))
    services.drill_fix_done(actor=world.user("operations"), fix=fix)
    client.force_login(officer)
    assert client.get(reverse("compliance:drills")).status_code == 200
    assert client.get(reverse("compliance:drill", args=[drill.pk])).status_code == 200
    assert client.get(reverse("compliance:desk")).status_code == 200
    client.force_login(world.user("am_wang"))
    assert client.get(reverse("compliance:drills")).status_code == 403
