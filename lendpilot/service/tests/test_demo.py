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


def test_demo_bank_has_a_year_of_posts_with_one_spike_and_its_crisis_worked_to_the_end():
    from lendpilot.service.models import Incident, Post, PostCluster, SentimentAlert

    ctx = seed_demo(scale="tiny", seed=7, show_progress=False)
    assert Post.objects.dates("posted_on", "month").count() >= 12
    alert = SentimentAlert.objects.get()
    assert alert.topic == "collection" and alert.volume > 3 * alert.expected
    assert (ctx.today - alert.day).days == 36
    crisis = Incident.objects.get(is_drill=False)
    assert alert.incident == crisis and crisis.status == "closed" and crisis.steps.count() == 7
    assert crisis.timeline.count() >= 10 and crisis.statements.filter(status="approved").count() == 2
    assert crisis.compensations.filter(status="approved").exists()
    assert Incident.objects.filter(is_drill=True).exists()
    assert PostCluster.objects.exists()
    assert Survey.objects.exclude(stage="").exclude(comment="").exists()
