"""Sales services: de-duplication and screening of leads, node moves and their guards, proposals within
the product and the rate authority, assignment within scope and capacity, manual overrides audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.org.access import actor_of
from lendpilot.sales import selectors, services
from lendpilot.sales.funnel import LossReason, Node
from lendpilot.sales.models import Lead, Opportunity, PlaybookEntry, Proposal, Transition
from lendpilot.sales.services import lead_assignment
from lendpilot.sales.tests.factories import enterprise_identifiers, new_lead, skills
from lendpilot.scoring.services import blacklist_add
from lendpilot.testing import published_playbook_entry

pytestmark = pytest.mark.django_db


# --- leads ----------------------------------------------------------------------------------------

def test_lead_passes_screening_and_links_existing_customer(world):
    lead = new_lead(world)
    assert lead.status == Lead.Status.QUALIFIED and lead.disqualification_reasons == []
    assert lead.id_number_masked.count("*") == 11 and lead.id_number_cipher
    assert len(lead.id_number_hash) == 64
    assert AuditEvent.objects.filter(event_code="sales.lead_created", object_id=str(lead.pk)).exists()


@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_duplicate_open_lead_is_merged_into_it(world, field):
    first = new_lead(world)
    from lendpilot.compliance.crypto import decrypt

    value = decrypt(getattr(first, f"{field}_cipher"))
    again = new_lead(world, actor="partner", **{field: value})
    assert again.status == Lead.Status.MERGED and again.merged_into_id == first.pk
    assert Lead.objects.filter(status__in=Lead.OPEN_STATUSES).count() == 1
    assert AuditEvent.objects.filter(event_code="sales.lead_created", object_id=str(again.pk)).exists()


def test_duplicate_credit_code_and_after_closing(world):
    ids = enterprise_identifiers()
    lead = new_lead(world, kind="enterprise", id_number="", **ids)
    merged = new_lead(world, kind="enterprise", id_number="", credit_code=ids["credit_code"], phone="")
    assert merged.merged_into_id == lead.pk
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.DISQUALIFIED)
    fresh = new_lead(world, kind="enterprise", id_number="", **ids)
    assert fresh.pk != lead.pk and fresh.status == Lead.Status.QUALIFIED and fresh.merged_into_id is None


def test_lead_links_an_existing_customer_by_id_number(world):
    from lendpilot.compliance.crypto import decrypt

    customer = world.customers["am_wang_person"]
    lead = new_lead(world, id_number=decrypt(customer.id_number_cipher), phone="")
    assert lead.customer_id == customer.pk


def test_screening_rules(world):
    blacklisted = new_lead(world, phone="")
    from lendpilot.compliance.crypto import decrypt

    lead = new_lead(world, amount_wanted=Decimal("9000000"))
    assert lead.status == Lead.Status.DISQUALIFIED and "amount_out_of_range" in lead.disqualification_reasons
    number = decrypt(blacklisted.id_number_cipher)
    Lead.objects.filter(pk=blacklisted.pk).update(status=Lead.Status.DISQUALIFIED)
    blacklist_add(actor=world.user("director"), kind="id_number", value=number, reason="fraud ring")
    again = new_lead(world, id_number=number, phone="")
    assert "blacklisted" in again.disqualification_reasons
    served = services.ScreeningRules(served_regions=("SOUTH",))
    far = new_lead(world, rules=served)
    assert far.disqualification_reasons == ["region_not_served"]


def test_bad_lead_input_names_fields(world):
    with pytest.raises(ValidationError) as err:
        new_lead(world, id_number="123", source="nowhere")
    assert "source" in err.value.error_dict
    with pytest.raises(ValidationError) as err:
        new_lead(world, id_number="123")
    assert "id_number" in err.value.error_dict
    with pytest.raises(ValidationError) as err:
        new_lead(world, id_number="", phone="")
    assert "phone" in err.value.error_dict


# --- opportunities -------------------------------------------------------------------------------

def opportunity(world, key="am_wang_person", actor="am_wang"):
    return services.opportunity_create(actor=world.user(actor), customer=world.customers[key],
                                       product=world.products["credit"], amount="200000")


def test_moves_follow_the_table_and_keep_a_history(world):
    opp = opportunity(world)
    user = world.user("am_wang")
    services.opportunity_move(actor=user, opportunity=opp, to_node=Node.FIRST_CONTACT)
    with pytest.raises(ValidationError) as err:
        services.opportunity_move(actor=user, opportunity=opp, to_node=Node.SIGNING)
    assert "node" in err.value.error_dict
    services.opportunity_move(actor=user, opportunity=opp, to_node=Node.PROPOSAL)
    path = list(Transition.objects.filter(opportunity=opp).values_list("to_node", flat=True))
    assert path == ["screening", "first_contact", "proposal"]


def test_lost_needs_reason_and_closed_does_not_move(world):
    opp = opportunity(world)
    user = world.user("am_wang")
    with pytest.raises(ValidationError) as err:
        services.opportunity_move(actor=user, opportunity=opp, to_node=Node.LOST)
    assert "loss_reason" in err.value.error_dict
    services.opportunity_move(actor=user, opportunity=opp, to_node=Node.LOST, loss_reason=LossReason.RATE)
    with pytest.raises(ValidationError):
        services.opportunity_move(actor=user, opportunity=opp, to_node=Node.FIRST_CONTACT)


def test_out_of_scope_manager_cannot_move(world):
    opp = opportunity(world)
    with pytest.raises(PermissionDenied):
        services.opportunity_move(actor=world.user("am_zhao"), opportunity=opp, to_node=Node.FIRST_CONTACT)
    services.opportunity_move(actor=world.user("east_a_lead"), opportunity=opp, to_node=Node.FIRST_CONTACT)


# --- proposals -----------------------------------------------------------------------------------

def proposal(world, opp, actor="am_wang", **overrides):
    data = dict(product=world.products["credit"], amount="200000", term_months=24,
                repayment_method="equal_instalment", annual_rate="0.0800", needs={"purpose": "经营周转"})
    data.update(overrides)
    return services.proposal_save(actor=world.user(actor), opportunity=opp, **data)


def test_proposals_are_versioned_with_a_preview(world):
    opp = opportunity(world)
    first, second = proposal(world, opp), proposal(world, opp, term_months=36)
    assert (first.version, second.version) == (1, 2)
    assert first.apr == Decimal("0.080000")  # no fees: the IRR rate equals the nominal rate
    assert first.first_payment > 0 and first.total_interest > 0


@pytest.mark.parametrize(("field", "value"), [
    ("amount", "9000000"), ("term_months", 120), ("repayment_method", "bullet"), ("annual_rate", "0.30"),
])
def test_proposal_outside_product_limits(world, field, value):
    opp = opportunity(world)
    with pytest.raises(ValidationError) as err:
        proposal(world, opp, **{field: value})
    assert field in err.value.error_dict
    assert not Proposal.objects.exists()


def test_proposal_below_rate_authority(world):
    opp = opportunity(world)
    with pytest.raises(ValidationError) as err:  # account managers may not go below 5.00% alone
        proposal(world, opp, annual_rate="0.0450")
    assert "annual_rate" in err.value.error_dict
    assert proposal(world, opp, actor="east_a_lead", annual_rate="0.0450").version == 1  # team lead: 4.35%
    services.resource_pack_save(actor=world.user("director"), name="制造业攻坚包", team=world.teams["east-a"],
                                rate_floor="0.0440")
    assert proposal(world, opp, annual_rate="0.0445").version == 2


# --- assignment ----------------------------------------------------------------------------------

def test_assignment_picks_skilled_manager_with_reason_and_audits_override(world):
    skills(world.staff["am_wang"], industries={"C": 5}, products={"credit": 4}, conversion="0.3")
    skills(world.staff["am_zhao"], industries={"F": 5}, conversion="0.1")
    leads = [new_lead(world, industry="C"), new_lead(world, industry="F")]
    lead_user = world.user("east_a_lead")
    plan = services.assignment_preview(actor=lead_user, lead_ids=[x.pk for x in leads])
    assert [r.manager.pk for r in plan.rows] == [world.staff["am_wang"].pk, world.staff["am_zhao"].pk]
    assert plan.rows[0].reasons[0] == "industry"
    assert plan.objective >= plan.baseline_objective
    opps = services.assignment_apply(actor=lead_user, lead_ids=[x.pk for x in leads],
                                     overrides={leads[1].pk: world.staff["am_wang"].pk})
    assert {o.owner_id for o in opps} == {world.staff["am_wang"].pk}
    assert all(o.node == Node.SCREENING for o in opps)
    assert AuditEvent.objects.filter(event_code="sales.assignment_overridden").count() == 1
    assert Lead.objects.filter(status=Lead.Status.CONVERTED).count() == 2


def test_assignment_rejects_out_of_scope_manager_and_over_capacity(world, monkeypatch):
    lead = new_lead(world)
    lead_user = world.user("east_a_lead")
    with pytest.raises(ValidationError) as err:  # am_sun is in another team
        services.assignment_apply(actor=lead_user, lead_ids=[lead.pk], overrides={lead.pk: world.staff["am_sun"].pk})
    assert "manager_ids" in err.value.error_dict
    with pytest.raises(ValidationError):
        services.assignment_preview(actor=lead_user, lead_ids=[lead.pk], manager_ids=[world.staff["am_chen"].pk])
    monkeypatch.setattr(lead_assignment, "MAX_OPEN_OPPORTUNITIES", 1)
    opportunity(world)  # am_wang now carries one open opportunity: full
    with pytest.raises(ValidationError) as err:
        services.assignment_apply(actor=lead_user, lead_ids=[lead.pk], overrides={lead.pk: world.staff["am_wang"].pk})
    assert "overrides" in err.value.error_dict
    assert Opportunity.objects.count() == 1 and Lead.objects.get(pk=lead.pk).owner_id is None


def test_account_manager_may_not_assign(world):
    lead = new_lead(world)
    with pytest.raises(PermissionDenied):
        services.assignment_preview(actor=world.user("am_wang"), lead_ids=[lead.pk])


# --- scoping, activities, playbooks ----------------------------------------------------------------

def test_scoping_of_leads_and_opportunities(world):
    east, south = new_lead(world), new_lead(world, region="south")
    partner_lead = new_lead(world, actor="partner")
    assert partner_lead.source == "channel"
    opp_wang = opportunity(world)
    opp_chen = opportunity(world, key="am_chen_person", actor="am_chen")

    def leads(key):
        return set(selectors.leads_visible(actor_of(world.user(key))).values_list("pk", flat=True))

    def opps(key):
        return set(selectors.opportunities_visible(actor_of(world.user(key))).values_list("pk", flat=True))

    assert leads("director") == {east.pk, south.pk, partner_lead.pk}
    assert leads("east_head") == {east.pk, partner_lead.pk}
    assert leads("south_head") == {south.pk}
    assert leads("partner") == {partner_lead.pk}
    assert leads("am_wang") == set()
    assert opps("am_wang") == {opp_wang.pk} and opps("am_zhao") == set()
    assert opps("east_a_lead") == {opp_wang.pk} and opps("south_head") == {opp_chen.pk}
    with pytest.raises(PermissionDenied):
        selectors.opportunities_visible(actor_of(world.user("partner")))


def test_overdue_follow_ups_and_playbook_usage(world):
    import datetime

    from django.utils import timezone

    opp = opportunity(world)
    services.activity_log(actor=world.user("am_wang"), opportunity=opp, kind="call", outcome="positive",
                          next_step="送方案", next_step_on=timezone.localdate() + datetime.timedelta(days=1))
    later = timezone.localdate() + datetime.timedelta(days=5)
    assert selectors.follow_ups_overdue(actor_of(world.user("am_wang")), today=later).count() == 1
    services.activity_log(actor=world.user("am_wang"), opportunity=opp, kind="visit", outcome="neutral")
    assert selectors.follow_ups_overdue(actor_of(world.user("am_wang")), today=later).count() == 0
    with pytest.raises(ValidationError) as err:
        services.activity_log(actor=world.user("am_wang"), opportunity=opp, kind="fax", outcome="neutral")
    assert "kind" in err.value.error_dict
    director = world.user("director")
    script = published_playbook_entry(world, kind="script", node=Node.SCREENING, title="开场白", body="您好，我是…")
    answer = published_playbook_entry(world, kind="objection", objection=LossReason.RATE, title="利率太高",
                                      body="对比综合成本…")
    published_playbook_entry(world, kind="script", node=Node.PROPOSAL, title="方案讲解", body="…")
    # a draft (no compliance approval yet) is not shown to managers
    services.playbook_entry_save(actor=director, kind="objection", objection=LossReason.RATE, title="利率草稿",
                                 body="草稿：利率更低")
    assert set(selectors.playbook_for(opp)) == {script, answer}
    assert services.playbook_use(actor=world.user("am_wang"), entry=answer) == 1
    assert list(selectors.playbook_search(actor_of(director), text="利率")) == [answer]
    with pytest.raises(PermissionDenied):
        services.playbook_entry_save(actor=world.user("am_wang"), kind="script", title="x", body="y")
    assert PlaybookEntry.objects.count() == 4
