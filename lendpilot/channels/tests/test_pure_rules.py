"""The pure channel rules: admission gates and score, joint-lending limits, tiers at their boundaries, the
vintage example of the issue and the bottom-decile review."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from lendpilot.channels.admission import PASS_SCORE, Criteria, assess
from lendpilot.channels.limits import Exposure, JointLimits, fee_breaches, joint_loan_fits
from lendpilot.channels.review import Standing, rank
from lendpilot.channels.tiers import RULES, TierMetrics, change_reasons, place
from lendpilot.channels.vintage import LoanMonth, cell_table, cells, cohort_totals, curves, latest_ratio


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever the default language is."""
    with translation.override("en"):
        yield

GOOD = Criteria(licence_held=True, registered_capital=Decimal("60000000"), regulatory_penalties=0,
                complaints_per_10k=Decimal("0.5"), data_security_grade="A")


def test_admission_full_marks_pass_and_gates_refuse_whatever_the_score():
    assert assess(GOOD).score == 100 and assess(GOOD).passed
    no_licence = assess(Criteria(False, GOOD.registered_capital, 0, Decimal("0.5"), "A"))
    assert not no_licence.passed and no_licence.gates
    grade_d = assess(Criteria(True, GOOD.registered_capital, 0, Decimal("0.5"), "D"))
    assert not grade_d.passed and grade_d.score >= PASS_SCORE - 25


def test_admission_weak_record_scores_below_the_pass_mark():
    weak = assess(Criteria(True, Decimal("10000000"), 2, Decimal("9"), "C"))
    assert not weak.gates and weak.score < PASS_SCORE and not weak.passed


LIMITS = JointLimits()
ROOM = Exposure(partner_balance=Decimal("0"), all_partners_balance=Decimal("0"), total_loans=Decimal("1000000000"),
                net_tier1_capital=Decimal("100000000"))


def test_joint_loan_within_limits_fits():
    assert joint_loan_fits(amount=Decimal("1000000"), partner_share=Decimal("0.30"), exposure=ROOM,
                           limits=LIMITS) == []


def test_joint_loan_partner_share_below_thirty_per_cent_is_refused():
    assert len(joint_loan_fits(amount=Decimal("1000000"), partner_share=Decimal("0.29"), exposure=ROOM,
                               limits=LIMITS)) == 1


def test_joint_loan_single_partner_cap_at_the_boundary():
    # 25% of 100M tier-1 = 25M; the bank funds 70% of a 1M loan = 0.7M.
    at_cap = Exposure(Decimal("24300000"), Decimal("24300000"), Decimal("1000000000"), Decimal("100000000"))
    assert joint_loan_fits(amount=Decimal("1000000"), partner_share=Decimal("0.30"), exposure=at_cap,
                           limits=LIMITS) == []
    over = Exposure(Decimal("24300000.01"), Decimal("24300000.01"), Decimal("1000000000"), Decimal("100000000"))
    assert len(joint_loan_fits(amount=Decimal("1000000"), partner_share=Decimal("0.30"), exposure=over,
                               limits=LIMITS)) == 1


def test_joint_loan_all_partners_cap_of_total_loans():
    crowded = Exposure(Decimal("0"), Decimal("500000000"), Decimal("1000000000"), Decimal("10000000000"))
    breaches = joint_loan_fits(amount=Decimal("1000000"), partner_share=Decimal("0.30"), exposure=crowded,
                               limits=LIMITS)
    assert len(breaches) == 1 and "total loans" in breaches[0]


def test_fee_cap_counts_credit_enhancement_fees():
    assert fee_breaches(fee_rate=Decimal("0.10"), enhancement_fee_rate=Decimal("0.05"), fee_cap=Decimal("0.15")) == []
    assert fee_breaches(fee_rate=Decimal("0.10"), enhancement_fee_rate=Decimal("0.06"), fee_cap=Decimal("0.15"))


def _metrics_of(rule, **changes):
    values = {"disbursed": rule.min_disbursed, "loans": rule.min_loans, "complaints": rule.max_complaints,
              "findings": rule.max_findings, "incidents": rule.max_incidents, "conversion": rule.min_conversion,
              "overdue": rule.max_overdue}
    values.update(changes)
    return TierMetrics(**values)


def test_tier_exactly_at_every_gold_bound_is_gold_and_one_short_is_silver():
    gold = RULES["gold"]
    assert place(_metrics_of(gold)).tier == "gold"
    assert place(_metrics_of(gold, disbursed=gold.min_disbursed - Decimal("0.01"))).tier == "silver"
    assert place(_metrics_of(gold, loans=gold.min_loans - 1)).tier == "silver"
    assert place(_metrics_of(gold, overdue=gold.max_overdue + Decimal("0.0001"))).tier == "silver"
    assert place(_metrics_of(gold, incidents=1)).tier == "silver"


def test_tier_gap_to_next_names_what_is_missing():
    placement = place(_metrics_of(RULES["gold"]))
    assert placement.gaps and any("more" in gap for gap in placement.gaps)
    assert place(_metrics_of(RULES["platinum"])).gaps == []


def test_tier_change_reasons_up_and_down():
    gold = place(_metrics_of(RULES["gold"]))
    assert change_reasons("silver", gold) and change_reasons("gold", gold) == []
    assert change_reasons("platinum", gold)


def test_vintage_example_ten_million_january_with_point_two_million_past_thirty_days_is_two_per_cent():
    january = date(2026, 1, 1)
    totals = cohort_totals([(january, Decimal("6000000")), (january, Decimal("4000000"))])
    rows = [LoanMonth(january, 3, Decimal("200000"), 45), LoanMonth(january, 3, Decimal("3000000"), 0),
            LoanMonth(january, 2, Decimal("200000"), 15)]
    result = cells(rows, totals)
    at3 = next(c for c in result if c.mob == 3)
    assert at3.ratio("m1") == Decimal("0.02") and at3.ratio("m2") == 0
    assert curves(result)[january] == [(2, Decimal("0")), (3, Decimal("0.02"))]
    assert latest_ratio(result, "m1") == Decimal("0.02")


def _standing(pid, conversion, quarters=None):
    return Standing(pid, Decimal(conversion), Decimal("0.5"), Decimal("0.02"), Decimal("0.01"), quarters)


def test_review_bottom_decile_goes_on_probation_and_two_quarters_lead_to_delisting():
    standings = [_standing(i, f"0.{20 + i}") for i in range(1, 20)] + [_standing(99, "0.01")]
    outcomes = {o.partner_id: o for o in rank(standings)}
    bottom = [o for o in outcomes.values() if o.bottom]
    assert sorted(o.partner_id for o in bottom) == [1, 99]  # ceil(20 / 10) = 2
    assert outcomes[99].action == "probation" and outcomes[5].action == "none"
    again = rank([_standing(i, f"0.{20 + i}") for i in range(1, 20)] + [_standing(99, "0.01", quarters=1)])
    assert next(o for o in again if o.partner_id == 99).action == "continue"
    twice = rank([_standing(i, f"0.{20 + i}") for i in range(1, 20)] + [_standing(99, "0.01", quarters=2)])
    assert next(o for o in twice if o.partner_id == 99).action == "propose_delisting"
    released = rank([_standing(i, f"0.{20 + i}") for i in range(1, 20)] + [_standing(99, "0.90", quarters=1)])
    assert next(o for o in released if o.partner_id == 99).action == "release"


def test_cell_table_sums_like_the_row_version():
    import numpy as np

    january = date(2026, 1, 1)
    table = cell_table(np.array([0, 0, 1]), np.array([0, 0, 0]), np.array([3, 3, 3]),
                       np.array([200000.0, 3000000.0, 50.0]), np.array([45, 0, 95]))
    assert list(table["partner"]) == [0, 1] and list(table["mob"]) == [3, 3]
    assert list(table["m1"]) == [200000.0, 50.0] and list(table["m3"]) == [0.0, 50.0]
    rows = [LoanMonth(january, 3, Decimal("200000"), 45), LoanMonth(january, 3, Decimal("3000000"), 0)]
    assert cells(rows, {january: Decimal("10000000")})[0].m1 == Decimal("200000")
