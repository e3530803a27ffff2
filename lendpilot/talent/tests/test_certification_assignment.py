"""An expired certification a product requires takes the person out of that product's lead assignment;
reminders at 90/60/30 days are sent once each."""

from datetime import date

import pytest

from lendpilot.org.selectors import staff_ineligible_for_product
from lendpilot.talent import services
from lendpilot.talent.models import CertificationReminder

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def test_expired_required_certification_makes_the_manager_ineligible(world):
    d = world.user("director")
    product = world.products["mortgage"]
    assert not staff_ineligible_for_product(product.pk, TODAY).exists()
    services.certification_requirement_set(actor=d, product_id=product.pk, kinds=["banking"])
    services.certification_record(actor=d, staff=world.staff["am_wang"], kind="banking",
                                  obtained_on=date(2023, 1, 1), expires_on=date(2027, 1, 1))
    services.certification_record(actor=d, staff=world.staff["am_zhao"], kind="banking",
                                  obtained_on=date(2022, 1, 1), expires_on=date(2026, 5, 31))
    ineligible = set(staff_ineligible_for_product(product.pk, TODAY).values_list("pk", flat=True))
    assert world.staff["am_zhao"].pk in ineligible
    assert world.staff["am_sun"].pk in ineligible  # never certified
    assert world.staff["am_wang"].pk not in ineligible
    assert not staff_ineligible_for_product(world.products["credit"].pk, TODAY).exists()


def test_reminders_are_sent_once_per_threshold(world):
    d = world.user("director")
    services.certification_record(actor=d, staff=world.staff["am_wang"], kind="cfp",
                                  obtained_on=date(2022, 1, 1), expires_on=date(2026, 7, 15))
    assert services.certification_reminders_send(today=TODAY) == 2  # 44 days left: 90 and 60
    assert services.certification_reminders_send(today=TODAY) == 0
    assert services.certification_reminders_send(today=date(2026, 6, 20)) == 1  # 25 days: 30
    assert sorted(CertificationReminder.objects.values_list("days_before", flat=True)) == [30, 60, 90]
