"""Customer satisfaction feeds the appraisal: a manager's NPS over the appraisal months is its soft input."""

from datetime import date

import pytest

from lendpilot.incentives.selectors import appraisal_scores
from lendpilot.org.access import actor_of
from lendpilot.service.models import Survey
from lendpilot.testing import build_world

pytestmark = pytest.mark.django_db


def test_a_managers_nps_is_the_appraisals_satisfaction_component():
    world = build_world()
    customer = world.customers["am_wang_person"]
    for n, score in enumerate((10, 10, 9, 3)):  # NPS +50
        Survey.objects.create(customer=customer, manager=world.staff["am_wang"], trigger="annual",
                              source_ref=f"t:{n}", sent_on=date(2026, 3, 2), score=score, answered_on=date(2026, 3, 3))
    rows = {r["staff_id"]: r for r in appraisal_scores(actor_of(world.user("director")), start=date(2026, 3, 1))}
    wang, zhao = rows[world.staff["am_wang"].pk], rows[world.staff["am_zhao"].pk]
    assert wang["components"]["nps"] is not None and "nps" not in wang["missing"]
    assert "nps" in zhao["missing"]
