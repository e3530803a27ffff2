"""Each early-warning signal on a crafted history; no duplicate alerts; the feed's bad input."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lendpilot.compliance.crypto import decrypt
from lendpilot.lending.models import CreditLine
from lendpilot.monitoring import services, thresholds
from lendpilot.monitoring.models import AccountTransaction, Alert, CreditLineReview, Outbox, Signal
from lendpilot.monitoring.tests.conftest import make_line, make_loan, pay_first

DAY = date(2025, 3, 5)  # the loans below have paid their first instalment: nothing is overdue


def current_loan(world, customer="am_wang_person"):
    loan = make_loan(world, customer=customer)
    pay_first(loan, 1)
    return loan


def feed(world, rows, customer="am_wang_person"):
    cid = world.customers[customer].pk
    return services.transactions_import(actor=world.user("operations"), rows=[
        {"txn_id": t, "customer_id": cid, "booked_on": d.isoformat(), "direction": di, "amount": a,
         "merchant_category": m} for t, d, di, a, m in rows])


def codes(loan):
    return set(Signal.objects.filter(loan=loan).values_list("code", flat=True))


def test_large_outflow_against_own_baseline(world):
    loan = current_loan(world)
    feed(world, [(f"B{n}", DAY - timedelta(days=n * 3), "out", "2000.00", "5411") for n in range(1, 20)]
         + [("BIG", DAY, "out", "80000.00", "")])
    services.eod_run(actor=None, business_date=DAY)
    assert codes(loan) == {"large_outflow"}
    s = Signal.objects.get(loan=loan)
    assert s.evidence["txn_id"] == "BIG" and s.severity == 2
    assert Alert.objects.get(loan=loan).severity == 2


def test_same_size_outflow_for_a_big_spender_is_normal(world):
    loan = current_loan(world)
    feed(world, [(f"B{n}", DAY - timedelta(days=n * 3), "out", "60000.00", "") for n in range(1, 20)]
         + [("BIG", DAY, "out", "80000.00", "")])
    services.eod_run(actor=None, business_date=DAY)
    assert codes(loan) == set()


def test_inflow_drop(world):
    loan = current_loan(world)
    feed(world, [(f"I{n}", DAY - timedelta(days=30 + n * 7), "in", "10000.00", "") for n in range(0, 12)]
         + [("I-late", DAY - timedelta(days=2), "in", "500.00", "")])
    services.eod_run(actor=None, business_date=DAY)
    assert "inflow_drop" in codes(loan)


def test_high_risk_merchant(world):
    loan = current_loan(world)
    feed(world, [("G1", DAY, "out", "3000.00", "7995")])
    services.eod_run(actor=None, business_date=DAY)
    assert codes(loan) == {"high_risk_merchant"}


def test_court_judgement_opens_tier_three_and_freezes_the_line(world):
    line, loan = make_line(world)
    pay_first(loan, 1)
    services.external_event_record(actor=world.user("risk_l1"), customer=world.customers["am_wang_person"],
                                   kind="court_judgement", occurred_on=DAY, reference="(2025)沪0101民初123号")
    services.eod_run(actor=None, business_date=DAY)
    alert = Alert.objects.get(loan=loan)
    assert alert.tier == 3 and alert.severity == 3
    assert alert.interventions.filter(kind="line_freeze").exists()
    assert alert.interventions.filter(kind="sms_reminder").exists()  # the lower tiers' plan too
    line.refresh_from_db()
    assert line.status == CreditLine.Status.FROZEN


def test_new_blacklist_hit(world):
    from lendpilot.scoring.services import blacklist_add

    customer = world.customers["am_wang_person"]
    loan = current_loan(world)
    blacklist_add(actor=None, kind="id_number", value=decrypt(customer.id_number_cipher), reason="法院失信名单")
    services.eod_run(actor=None, business_date=DAY)
    # the entry was added today (after DAY): not yet a hit on DAY
    assert "blacklist_hit" not in codes(loan)
    found = services.detect_signals(day=timezone.localdate(), rules=services.active_ruleset().thresholds, version=1)
    assert any(s.code == "blacklist_hit" and s.loan_id == loan.pk for s in found)


def test_score_deterioration(world):
    loan = current_loan(world)
    customer = world.customers["am_wang_person"]
    services.customer_rescore(actor=None, customer=customer, scored_on=DAY - timedelta(days=30), score=680)
    services.customer_rescore(actor=None, customer=customer, scored_on=DAY, score=620)
    services.eod_run(actor=None, business_date=DAY)
    assert codes(loan) == {"score_drop"}


def test_many_signals_one_alert(world):
    loan = make_loan(world)  # first instalment unpaid: overdue too
    feed(world, [("G1", DAY, "out", "3000.00", "7995"), ("G2", DAY, "out", "3000.00", "6051")])
    services.external_event_record(actor=None, customer=world.customers["am_wang_person"], kind="court_judgement",
                                   occurred_on=DAY, reference="J-1")
    services.eod_run(actor=None, business_date=DAY)
    services.eod_run(actor=None, business_date=DAY, rerun=True)
    assert Alert.objects.filter(loan=loan).count() == 1
    assert Signal.objects.filter(loan=loan).count() == 4
    assert Alert.objects.get(loan=loan).severity == 3


@pytest.mark.parametrize("row,field", [
    ({"customer_id": 999999}, "customer_id"),
    ({"amount": "-5.00"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"txn_id": "DUP"}, "txn_id"),
    ({"booked_on": "2999-01-01"}, "booked_on"),
    ({"booked_on": "2025-02-30"}, "booked_on"),
    ({"direction": "sideways"}, "direction"),
])
def test_feed_bad_row_rejects_the_whole_file(world, row, field):
    cid = world.customers["am_wang_person"].pk
    good = {"txn_id": "OK1", "customer_id": cid, "booked_on": "2025-03-01", "direction": "out", "amount": "10.00"}
    services.transactions_import(actor=None, rows=[{**good, "txn_id": "DUP"}])
    with pytest.raises(ValidationError) as exc:
        services.transactions_import(actor=None, rows=[good, {**good, "txn_id": "BAD", **row}])
    assert f": {field}: " in " ".join(exc.value.message_dict["rows"])
    assert AccountTransaction.objects.count() == 1  # nothing half-applied


def test_feed_duplicate_inside_the_file(world):
    cid = world.customers["am_wang_person"].pk
    r = {"txn_id": "X", "customer_id": cid, "booked_on": "2025-03-01", "direction": "in", "amount": "1.00"}
    with pytest.raises(ValidationError):
        services.transactions_import(actor=None, rows=[r, r])
    assert not AccountTransaction.objects.exists()


def test_feed_needs_permission(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.transactions_import(actor=world.user("am_wang"), rows=[{}])


def test_credit_line_reduction_small_applied_large_needs_approval(world):
    small, loan_s = make_line(world, limit="500000", drawn="100000")
    big, loan_b = make_line(world, customer="am_chen_person", limit="1000000", drawn="100000")
    pay_first(loan_s, 1)
    pay_first(loan_b, 1)
    for c in ("am_wang_person", "am_chen_person"):
        services.customer_rescore(actor=None, customer=world.customers[c], scored_on=DAY, score=500)
    services.eod_run(actor=None, business_date=DAY)
    small.refresh_from_db()
    big.refresh_from_db()
    assert small.status == "reduced" and small.limit == Decimal("350000.00")
    assert big.status == "active" and big.limit == Decimal("1000000.00")
    review = CreditLineReview.objects.get(line=big)
    assert review.status == "pending" and review.proposed_limit == Decimal("700000.00")
    assert Outbox.objects.filter(dedup_key__startswith="review:", staff=small.customer.manager).exists()
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.line_review_decide(actor=world.user("am_chen"), review=review, approve=True)
    services.line_review_decide(actor=world.user("risk_l2"), review=review, approve=True)
    big.refresh_from_db()
    assert big.limit == Decimal("700000.00") and big.status == "reduced"
    # a re-run of the day changes nothing
    services.eod_run(actor=None, business_date=DAY, rerun=True)
    assert CreditLineReview.objects.count() == 2


def test_line_of_a_delinquent_borrower_is_frozen(world):
    line, loan = make_line(world)
    services.eod_run(actor=None, business_date=date(2025, 3, 20))  # first instalment 38 days overdue
    line.refresh_from_db()
    assert line.status == "frozen"
    assert CreditLineReview.objects.get(line=line).action == "freeze"


def test_ewma_band_finds_the_known_breach():
    rng = np.random.default_rng(3)
    series = 0.02 + rng.normal(0, 0.001, 120)
    series[100] = 0.03  # a jump of ten standard deviations
    band = thresholds.ewma_band(series, lam=0.2, k=3, warmup=20)
    assert 100 in band.breaches.tolist()
    assert len(band.breaches) <= 2
    assert thresholds.latest_breach(series[:101])[0] is True
    assert thresholds.latest_breach(series[:100])[0] is False


def test_ewma_with_seasonal_baseline():
    t = np.arange(96)
    series = 0.02 + 0.004 * np.sin(2 * np.pi * t / 12)
    assert thresholds.ewma_band(series, season=12, warmup=24).breaches.size == 0


def test_ruleset_versions(world):
    rs1 = services.active_ruleset()
    with pytest.raises(ValidationError) as exc:
        services.ruleset_publish(actor=world.user("risk_l1"), thresholds={"score_drop": {"points": -1}})
    assert "thresholds.score_drop.points" in exc.value.message_dict
    rs2 = services.ruleset_publish(actor=world.user("risk_l1"), thresholds={"score_drop": {"points": 10}})
    assert rs2.version == rs1.version + 1 and services.active_ruleset() == rs2
