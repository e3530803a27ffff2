import random
from datetime import date
from decimal import Decimal

import numpy as np

from lendpilot.monitoring import analytics, industry, services
from lendpilot.monitoring.models import LoanMonthBucket, ProsperityIndex
from lendpilot.monitoring.tests.conftest import make_loan
from lendpilot.scoring.models import PolicyVersion


def test_roll_rate_rows_sum_to_one():
    m = analytics.roll_rate_matrix([(0, 0, 90), (0, 1, 10), (1, 2, 3), (1, 0, 1)])
    assert m[0, 1] == 0.1 and m[1, 2] == 0.75
    assert np.allclose(m.sum(axis=1)[:2], 1) and m[4].sum() == 0


def test_vintage_and_concentration():
    curves = analytics.vintage_curves([(date(2025, 1, 1), date(2025, 3, 1), 10, 2)], max_mob=3)
    assert curves == {"2025-01": [None, None, 0.2, None]}
    c = analytics.concentration([50, 30, 20])
    assert c["hhi"] == round(0.25 + 0.09 + 0.04, 4) and c["top1_share"] == 0.5


def test_index_leading_defaults_by_two_months_is_found():
    rng = random.Random(1)
    index = np.array(industry.synthetic_pmi(36, rng, noise=0.1))
    defaults = np.r_[np.full(2, np.nan), 0.02 - 0.004 * (index[:-2] - 50)]
    corr, lead = industry.best_lead(index, defaults)
    assert lead == 2 and corr < -0.95
    falling = np.linspace(52, 47, 12)
    view = industry.assess("K", falling, 0.03 - 0.002 * (falling - 50), portfolio_rate=0.01)
    assert view.admission == "tighten" and view.premium_bps > 0
    rising = np.linspace(47, 53, 12)
    assert industry.assess("I", rising, np.full(12, 0.002), portfolio_rate=0.01).admission == "loosen"


def test_accepting_a_tighten_proposal_publishes_a_policy_version(world):
    loans = [make_loan(world, customer=c) for c in ("am_wang_company", "am_zhao_company", "am_wang_person")]
    months = [date(2024, m, 1) for m in range(1, 13)]
    for n, month in enumerate(months):
        ProsperityIndex.objects.create(industry="C", month=month, value=52 - n * 0.5)
        ProsperityIndex.objects.create(industry="F", month=month, value=50)
        for i, loan in enumerate(loans):
            bucket = 4 if (i == 0 and n >= 9) else 0  # the manufacturing loan defaults late in the year
            LoanMonthBucket.objects.create(month=month, loan=loan, bucket=bucket, balance=Decimal("1"))
    rates = services.industry_default_rates()
    assert rates["C"][date(2024, 10, 1)] == 0.5
    props = {p.industry: p for p in services.industry_proposals_compute(actor=world.user("risk_l1"),
                                                                        month=date(2024, 12, 1))}
    assert props["C"].admission == "tighten"
    before = PolicyVersion.objects.count()
    decided = services.industry_proposal_decide(actor=world.user("director"), proposal=props["C"], accept=True)
    assert decided.policy_version is not None and PolicyVersion.objects.count() == before + 1
    assert "C" in decided.policy_version.rules["excluded_industries"]
