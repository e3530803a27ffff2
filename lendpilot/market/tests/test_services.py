"""Market writes: checked, audited, scoped; imports all-or-nothing; pricing proposals maker-checker."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from lendpilot.compliance.models import AuditEvent
from lendpilot.market import selectors, services
from lendpilot.market.models import Competitor, LprFixing, OfferOutcome, PricingProposal, ProposalStatus

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def test_lpr_recorded_with_source_and_audited(world):
    director = world.user("director")
    services.lpr_record(actor=director, effective=date(2026, 2, 20), tenor="1Y", rate=Decimal("0.03"),
                        source="PBOC / NIFC")
    assert AuditEvent.objects.filter(event_code="market.lpr_recorded").count() == 1
    [one_year] = selectors.lpr_current(director, today=TODAY)
    assert one_year.example_label == "4.50%" and not one_year.stale
    assert selectors.lpr_current(director, today=date(2026, 5, 1))[0].stale
    with pytest.raises(ValidationError) as error:
        services.lpr_record(actor=director, effective=date(2026, 2, 20), tenor="1Y", rate=Decimal("0.03"), source="")
    assert "source" in error.value.message_dict


def test_a_manager_cannot_keep_market_data(world):
    with pytest.raises(PermissionDenied):
        services.lpr_record(actor=world.user("am_wang"), effective=date(2026, 2, 20), tenor="1Y",
                            rate=Decimal("0.03"), source="x")
    assert not LprFixing.objects.exists()


def test_import_is_all_or_nothing_with_row_errors(world):
    director = world.user("director")
    bad = b"effective,tenor,rate_percent,source\n2026-01-20,1Y,3.10,PBOC\n2026-02-20,9Y,3.00,PBOC\n"
    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.figures_import(actor=director, kind="lpr", content=bad, filename="lpr.csv")
    assert error.value.message_dict["file"] == ["row 3: choose 1Y or 5Y"]
    assert not LprFixing.objects.exists()
    good = bad.replace(b"9Y", b"5Y")
    assert services.figures_import(actor=director, kind="lpr", content=good, filename="lpr.csv") == 2


def _offers(region, *, start: date, days: int, rate: str, take_up: float, n: int = 100):
    rows = []
    for i in range(n):
        rows.append(OfferOutcome(product="credit", region=region, channel="branch", risk_grade="B",
                                 amount=Decimal("200000"), rate=Decimal(rate), competitor_rate=Decimal("0.040"),
                                 accepted=i < n * take_up, offered_on=start + timedelta(days=i % days)))
    OfferOutcome.objects.bulk_create(rows)


def test_gap_and_take_up_drop_raise_a_proposal_approved_by_another(world):
    head, director = world.user("east_head"), world.user("director")
    east = world.regions["east"]
    services.lpr_record(actor=director, effective=date(2026, 1, 20), tenor="1Y", rate=Decimal("0.03"), source="PBOC")
    rival = services.competitor_save(actor=director, name="Rival Bank", source="branch visit", as_of=TODAY)
    services.competitor_move_record(actor=head, competitor=rival, kind="rate", product="credit", region="EAST",
                                    effective=date(2026, 1, 1), apr=Decimal("0.040"), approval_days=Decimal("3"),
                                    source="rate sheet")
    _offers(east, start=TODAY - timedelta(days=60), days=29, rate="0.0450", take_up=0.40)
    _offers(east, start=TODAY - timedelta(days=29), days=29, rate="0.0450", take_up=0.30)
    [proposal] = services.pricing_check(actor=head, today=TODAY)
    assert (proposal.gap_bp, proposal.spread_from_bp, proposal.spread_to_bp) == (50, 150, 100)
    assert services.pricing_check(actor=head, today=TODAY) == []  # one open proposal per product and region
    with pytest.raises(PermissionDenied):
        services.pricing_decide(actor=head, proposal_id=proposal.pk, approve=True)
    services.pricing_decide(actor=director, proposal_id=proposal.pk, approve=True)
    assert PricingProposal.objects.get().status == ProposalStatus.APPROVED
    assert AuditEvent.objects.filter(event_code="market.pricing_decided").count() == 1


def test_director_cannot_approve_own_proposal(world):
    director = world.user("director")
    east = world.regions["east"]
    services.lpr_record(actor=director, effective=date(2026, 1, 20), tenor="1Y", rate=Decimal("0.03"), source="PBOC")
    rival = Competitor.objects.create(name="R", source="s", as_of=TODAY)
    services.competitor_move_record(actor=director, competitor=rival, kind="rate", product="credit", region="EAST",
                                    effective=date(2026, 1, 1), apr=Decimal("0.040"), approval_days=Decimal("3"),
                                    source="s")
    _offers(east, start=TODAY - timedelta(days=60), days=29, rate="0.0450", take_up=0.40)
    _offers(east, start=TODAY - timedelta(days=29), days=29, rate="0.0450", take_up=0.30)
    [proposal] = services.pricing_check(actor=director, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.pricing_decide(actor=director, proposal_id=proposal.pk, approve=True)
    assert PricingProposal.objects.get().status == ProposalStatus.PROPOSED


def test_feedback_becomes_evidence_of_a_change_request(world):
    feedback = services.feedback_record(actor=world.user("am_wang"), source="lost_deal", product="credit",
                                        reason="rate too high", day=TODAY, region="EAST")
    request = services.change_request_save(actor=world.user("director"), product="credit",
                                           title="Differentiated rate for grade A", owner_id=world.user("east_head").pk,
                                           evidence_ids=[feedback.pk])
    assert list(request.evidence.all()) == [feedback]
    with pytest.raises(ValidationError) as error:
        services.change_request_save(actor=world.user("director"), product="credit", title="x",
                                     owner_id=world.user("east_head").pk, evidence_ids=[999])
    assert "evidence" in error.value.message_dict


def test_pilot_planned_randomised_and_decided(world):
    director = world.user("director")
    clusters = {f"T{i}": ("EAST" if i < 6 else "SOUTH") for i in range(12)}
    pilot = services.pilot_plan(actor=director, name="Pre-filled forms", change="forms", metric="conversion",
                                baseline_rate=Decimal("0.10"), target_rate=Decimal("0.12"), icc=Decimal("0.01"),
                                starts=date(2026, 1, 5), ends=date(2026, 2, 27), clusters=clusters, seed=4)
    assert pilot.clusters.filter(treated=True).count() == 6
    services.pilot_start(actor=director, pilot_id=pilot.pk)
    services.pilot_results_record(actor=director, pilot_id=pilot.pk, results={
        c.code: (100, Decimal("0.10"), Decimal("0.13") if c.treated else Decimal("0.10") + Decimal(i % 3) / 1000)
        for i, c in enumerate(pilot.clusters.all())})
    report = selectors.pilot_report(director, pilot)
    assert report["plan"].per_arm_unclustered == 3841
    assert report["cuped"]["estimate"] == pytest.approx(0.029, abs=0.002)
    assert report["recommendation"] == "roll_out"
    services.pilot_decide(actor=director, pilot_id=pilot.pk, decision="roll_out")
    pilot.refresh_from_db()
    assert pilot.status == "finished"
