"""The demo bank holds a year of complaints and surveys, so the command centre shows NPS and the complaint
rate with month-on-month."""

import pytest

from lendpilot.demo.steps import seed_demo
from lendpilot.insights.metrics import metric_values
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.service.models import Complaint, Referral, Survey

pytestmark = pytest.mark.django_db


def test_demo_bank_has_a_year_of_complaints_and_surveys_and_live_metrics():
    ctx = seed_demo(scale="tiny", seed=7, show_progress=False)
    assert Complaint.objects.dates("received_on", "month").count() >= 12
    assert Survey.objects.filter(score__isnull=False).exists()
    assert Complaint.objects.filter(action_item__isnull=False).exists()
    assert Referral.objects.exists()
    director = Staff.objects.filter(role=Role.DIRECTOR).first().user
    month = f"month:{ctx.today:%Y-%m}"
    values = {v.code: v for v in metric_values(actor=director, period=month, codes=["nps", "complaint_rate"],
                                               today=ctx.today)}
    assert values["complaint_rate"].value is not None and values["complaint_rate"].previous is not None
    assert values["nps"].previous is not None
