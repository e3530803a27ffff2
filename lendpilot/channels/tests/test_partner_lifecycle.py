"""Terms and the joint-lending refusal, monthly re-tiering logged with reasons (idempotent), the quarterly
review putting the bottom decile on probation and, after two quarters, a committee delisting with appeal."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from lendpilot.channels.models import Delisting, Partner, Review, TierChange
from lendpilot.channels.selectors import joint_loan_check, tier_distribution
from lendpilot.channels.services import (
    MonthFacts,
    delisting_appeal,
    delisting_decide,
    ensure_joint_loan_fits,
    partner_facts_load,
    partners_retier,
    quarterly_review_run,
    terms_set,
)
from lendpilot.channels.tests.builders import admit, without_world_partner
from lendpilot.channels.tiers import RULES
from lendpilot.channels.vintage import Cell

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever the default language is."""
    with translation.override("en"):
        yield


def test_terms_refuse_fees_over_the_cap_and_a_share_below_thirty_per_cent(world):
    partner = admit(world, login=world.staff["partner"])
    with pytest.raises(ValidationError) as refused:
        terms_set(actor=world.user("east_head"), partner_id=partner.pk, products=[], fee_rate="0.10",
                  fee_cap="0.12", enhancement="guarantee", enhancement_fee_rate="0.03")
    assert "fee_rate" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        terms_set(actor=world.user("east_head"), partner_id=partner.pk, products=[], fee_rate="0.05",
                  fee_cap="0.12", joint_share="0.2")
    assert "joint_share" in refused.value.message_dict
    terms = terms_set(actor=world.user("east_head"), partner_id=partner.pk, products=[world.products["credit"]],
                      fee_rate="0.05", fee_cap="0.12", joint_share="0.40")
    assert terms.joint_share == Decimal("0.40")


def test_joint_loan_over_the_single_partner_cap_is_refused(world, settings):
    settings.CHANNELS_NET_TIER1_CAPITAL = "100000000"
    admit(world, login=world.staff["partner"])
    staff = world.staff["partner"]
    ok = joint_loan_check(staff=staff, amount=Decimal("1000000"), partner_balance=Decimal("0"),
                          all_partners_balance=Decimal("0"), total_loans=Decimal("1000000000"))
    assert ok.breaches == [] and ok.partner_share == Decimal("0.30")
    with pytest.raises(ValidationError):
        ensure_joint_loan_fits(staff=staff, amount=Decimal("1000000"), partner_balance=Decimal("24800000"),
                               all_partners_balance=Decimal("24800000"), total_loans=Decimal("1000000000"))
    ensure_joint_loan_fits(staff=world.staff["am_wang"], amount=Decimal("1000000"), partner_balance=Decimal("0"),
                           all_partners_balance=Decimal("0"), total_loans=Decimal("0"))  # not a partner's loan


def _facts(partner, month, rule, **changes):
    values = {"loans": rule.min_loans, "disbursed": rule.min_disbursed, "leads": rule.min_loans * 5,
              "applications": rule.min_loans * 2, "approved": rule.min_loans}
    values.update(changes)
    return MonthFacts(partner_id=partner.pk, month=month, **values)


def test_retiering_at_the_gold_boundary_logs_the_move_and_a_rerun_changes_nothing(world):
    without_world_partner(world)
    gold_bound, silver_bound = admit(world, name="金牌伙伴"), admit(world, name="差一分伙伴")
    june = date(2026, 6, 1)
    partner_facts_load(actor=world.user("director"), facts=[
        _facts(gold_bound, june, RULES["gold"]),
        _facts(silver_bound, june, RULES["gold"], disbursed=RULES["gold"].min_disbursed - Decimal("0.01"))])
    assert partners_retier(actor=world.user("director"), month=june) == 2
    assert Partner.objects.get(pk=gold_bound.pk).tier == "gold"
    assert Partner.objects.get(pk=silver_bound.pk).tier == "silver"
    assert partners_retier(actor=world.user("director"), month=june) == 0
    change = TierChange.objects.get(partner=silver_bound)
    assert change.from_tier == "bronze" and change.reasons and change.metrics["loans"] == RULES["gold"].min_loans
    partner_facts_load(actor=world.user("director"), facts=[_facts(gold_bound, june, RULES["gold"], incidents=1)])
    assert partners_retier(actor=world.user("director"), month=date(2026, 7, 1)) == 1
    down = TierChange.objects.get(partner=gold_bound, month=date(2026, 7, 1))
    assert (down.from_tier, down.to_tier) == ("gold", "silver") and any("incidents" in r for r in down.reasons)
    history = tier_distribution(world.user("director"), [date(2026, 5, 1), june, date(2026, 7, 1)])
    assert history == {"gold": [0, 1, 0], "silver": [0, 1, 2]}


def _quarter_facts(partners, weak, quarter):
    facts = []
    for p in partners:
        bad = p.pk == weak.pk
        facts.append(MonthFacts(partner_id=p.pk, month=quarter, leads=100, applications=50,
                                approved=10 if bad else 40, loans=5 if bad else 30,
                                complaints=3 if bad else 0,
                                cells=[Cell(quarter, 0, Decimal("1000000"),
                                            Decimal("90000") if bad else Decimal("0"), Decimal("0"),
                                            Decimal("90000") if bad else Decimal("0"))]))
    return facts


def test_bottom_decile_goes_on_probation_then_committee_delists_after_two_quarters(world):
    without_world_partner(world)
    partners = [admit(world, name=f"伙伴{i:02d}") for i in range(10)]
    weak = partners[3]
    director = world.user("director")
    for quarter in (date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)):
        partner_facts_load(actor=director, facts=_quarter_facts(partners, weak, quarter))
        quarterly_review_run(actor=world.user("east_head"), quarter=quarter)
        if quarter == date(2026, 1, 1):
            on_probation = Partner.objects.get(pk=weak.pk)
            assert on_probation.status == Partner.Status.PROBATION and on_probation.improvement_plan
            assert on_probation.is_listed
    assert [r.action for r in Review.objects.filter(partner=weak).order_by("quarter")] == [
        "probation", "continue", "propose_delisting"]
    assert Review.objects.filter(quarter=date(2026, 1, 1), bottom=True).count() == 1
    proposal = Delisting.objects.get(partner=weak)
    assert len(quarterly_review_run(actor=world.user("east_head"), quarter=date(2026, 7, 1))) == 10  # rerun
    delisting_appeal(actor=world.user("east_head"), delisting_id=proposal.pk, text="已整改，请复议")
    with pytest.raises(PermissionDenied):
        delisting_decide(actor=world.user("east_head"), delisting_id=proposal.pk, delist=True, note="x")
    delisting_decide(actor=world.user("compliance"), delisting_id=proposal.pk, delist=True, note="委员会维持")
    gone = Partner.objects.get(pk=weak.pk)
    assert gone.status == Partner.Status.DELISTED and not gone.is_listed
    assert Delisting.objects.get(pk=proposal.pk).appeal == "已整改，请复议"


def test_pages_for_the_director_and_the_partner_and_refusals(world, client):
    partner = admit(world, login=world.staff["partner"])
    client.force_login(world.user("director"))
    desk = client.get("/channels/")
    assert desk.status_code == 200 and partner.name in desk.content.decode()
    assert 'id="ranking-chart"' in desk.content.decode() and 'id="tier-chart"' in desk.content.decode()
    assert client.get(f"/channels/{partner.pk}/").status_code == 200
    assert client.get(f"/api/v1/channels/partners/{partner.pk}").json()["tier"] == "bronze"
    client.force_login(world.user("partner"))
    mine = client.get("/channels/mine/")
    assert mine.status_code == 200 and 'id="gaps"' in mine.content.decode()
    assert client.get("/api/v1/channels/mine").json()["gaps"]
    assert client.get("/channels/").status_code == 403
    other = admit(world, name="他人伙伴")
    assert client.get(f"/channels/{other.pk}/").status_code == 403
    client.force_login(world.user("am_wang"))
    assert client.get("/channels/").status_code == 403
    assert client.get("/api/v1/channels/partners").status_code == 403
