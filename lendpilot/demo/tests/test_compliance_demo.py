"""The compliance desk of the demo bank: 30 regulator documents with revisions and attestations, a screening
run that leaves hits in review, canaries and a drill with its result."""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from lendpilot.compliance.drills.models import CanaryRecord, LeakDrill
from lendpilot.compliance.register.models import Attestation, ManualRevision, RegulatoryDocument
from lendpilot.compliance.screening.models import ScreeningHit
from lendpilot.core.seeding import SeedContext
from lendpilot.demo.steps import run_steps


def test_the_demo_bank_has_a_compliance_desk(db, client):
    ctx = SeedContext.create(scale="tiny", seed=5, show_progress=False)
    run_steps(ctx, steps=("lendpilot.org.demo", "lendpilot.products.demo", "lendpilot.customers.demo",
                          "lendpilot.demo.compliance"))
    assert RegulatoryDocument.objects.count() == 30
    assert ManualRevision.objects.exists() and Attestation.objects.exists()
    assert ScreeningHit.objects.filter(status=ScreeningHit.Status.REVIEW).exists()
    assert CanaryRecord.objects.count() == 3
    assert LeakDrill.objects.exclude(result="").count() == 1
    client.login(username="compliance", password=ctx.password)
    for name in ("compliance:desk", "compliance:hits", "compliance:register", "compliance:drills"):
        assert client.get(reverse(name)).status_code == 200, name

    out = StringIO()
    call_command("screen_customers", stdout=out)
    assert "0 new hits" in out.getvalue()  # the book was screened by the step: nothing new
