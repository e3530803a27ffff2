"""Signing checks the disclosures and the signer's identity step (C7): a generated contract carries the APR, the
total cost and the penalty terms, so it is signed; a contract missing one, or a borrower whose identity check
failed, is refused with the reasons named, and nothing changes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from lendpilot.compliance.checkpoints.checklist import GAP_LABELS
from lendpilot.lending import services
from lendpilot.lending.models import Application, Contract
from lendpilot.lending.services.contracts import signing_facts
from lendpilot.lending.tests.conftest import approve_all, submitted


def _contract(world) -> Contract:
    app = approve_all(world, submitted(world), ["risk_l1", "risk_l3"])
    return services.contract_generate(actor=world.user("operations"), application=app)


def test_a_generated_contract_carries_every_disclosure_and_is_signed(lending_world):
    contract = _contract(lending_world)
    facts = signing_facts(contract)
    assert facts.apr > 0 and facts.total_cost > 0 and facts.penalty_terms and facts.identity_verified
    signed = services.contract_sign(actor=lending_world.user("operations"), contract=contract)
    assert signed.status == Contract.Status.SIGNED


def test_missing_penalty_terms_and_a_failed_identity_check_refuse_the_signature(lending_world):
    world = lending_world
    contract = _contract(world)
    Contract.objects.filter(pk=contract.pk).update(disclosures={**contract.disclosures, "penalty_rate": "n/a"})
    services.cross_check_record(actor=world.user("risk_l1"), application=contract.application,
                                kind="identity_vs_bureau",
                                passed=False, evidence="征信报告姓名与身份证不一致")
    with pytest.raises(ValidationError) as refused:
        services.contract_sign(actor=world.user("operations"), contract=contract)
    message = " ".join(refused.value.message_dict["disclosures"])
    assert str(GAP_LABELS["penalty"]) in message and str(GAP_LABELS["identity"]) in message
    assert str(GAP_LABELS["apr"]) not in message
    contract.refresh_from_db()
    assert contract.status == Contract.Status.GENERATED
    assert contract.application.status == Application.Status.CONTRACTED


def test_the_signing_page_names_the_gaps(lending_world, client):
    world = lending_world
    contract = _contract(world)
    services.cross_check_record(actor=world.user("risk_l1"), application=contract.application,
                                kind="identity_vs_bureau",
                                passed=False, evidence="人证不一致")
    client.force_login(world.user("operations"))
    response = client.post(f"/lending/applications/{contract.application_id}/sign/", follow=True)
    assert escape(str(GAP_LABELS["identity"])) in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.GENERATED
