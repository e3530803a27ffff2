"""The talent demo step on the tiny bank: requisitions, candidates, a completed review, curricula with
completions, certifications with reminders, cases; the audit chain still verifies."""

from datetime import date

import pytest

from lendpilot.compliance.audit import verify_chain
from lendpilot.core.seeding import SeedContext
from lendpilot.demo.steps import run_steps
from lendpilot.talent.models import Candidate, Case, Enrolment, Requisition, ReviewEntry, TalentReview

STEPS = ("lendpilot.org.demo", "lendpilot.products.demo", "lendpilot.talent.demo")


@pytest.mark.django_db(transaction=True)
def test_talent_demo_step():
    ctx = SeedContext.create(scale="tiny", seed=5, show_progress=False, today=date(2026, 6, 30))
    run_steps(ctx, steps=STEPS)
    assert Requisition.objects.count() == 20
    assert Candidate.objects.count() == 300
    assert Candidate.objects.filter(stage="hired").exists()
    assert Case.objects.count() == 50
    review = TalentReview.objects.get()
    assert review.status == "completed"
    assert not ReviewEntry.objects.filter(box__isnull=True).exists()
    assert Enrolment.objects.filter(completed_on__isnull=False).exists()
    assert verify_chain().ok
