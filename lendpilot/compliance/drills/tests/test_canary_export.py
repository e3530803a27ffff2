"""A segment export is a touch of every customer it carries: exporting a segment with a canary customer raises
exactly one alert to compliance for that export; an export without one raises none."""

from lendpilot.compliance.drills.models import CanaryAlert
from lendpilot.compliance.drills.services import canary_plant
from lendpilot.compliance.models import AuditEvent
from lendpilot.compliance.screening.selectors import customer_ref
from lendpilot.customers.services import segment_export_whitelist, segment_save


def test_exporting_a_segment_with_a_canary_raises_exactly_one_alert(world):
    canary = world.customers["am_chen_person"]
    canary_plant(actor=world.user("compliance"), ref=customer_ref(canary.pk), label="哨兵客户")
    south = segment_save(actor=world.user("director"), name="华南", query="region = SOUTH")
    east = segment_save(actor=world.user("director"), name="华东", query="region = EAST")

    assert canary.pk not in segment_export_whitelist(actor=world.user("director"), segment=east)
    assert not CanaryAlert.objects.exists()

    ids = segment_export_whitelist(actor=world.user("director"), segment=south)
    assert canary.pk in ids and len(ids) > 1
    alert = CanaryAlert.objects.get()
    assert alert.action == CanaryAlert.Action.EXPORT and alert.refs == [customer_ref(canary.pk)]
    assert alert.actor == world.user("director") and alert.detail["segment"] == south.pk
    assert AuditEvent.objects.filter(event_code="compliance.canary_alert_raised").count() == 1

    # the next export is another touch: one more alert, never one per customer
    segment_export_whitelist(actor=world.user("director"), segment=south)
    assert CanaryAlert.objects.count() == 2
