from decimal import Decimal

import pytest

from lendpilot.incentives.appraisal import Metrics, SchemeError, appraise, parse_scheme
from lendpilot.incentives.honours import Candidate, attainment_star, best_service, sales_champion


def test_base_weighs_seventy_percent():
    m = Metrics(disbursed=Decimal(100), base_quota=Decimal(100), sprint_quota=Decimal(100))
    s = appraise(m, parse_scheme({"weights": {"attainment": 1}}))
    assert s.score == Decimal("85.00")  # 0.7 * 100% + 0.3 * 50%
    s = appraise(m, parse_scheme({"base_weight": "0.5", "weights": {"attainment": 1}}))
    assert s.score == Decimal("75.00")


def test_missing_soft_metrics_are_not_zero():
    m = Metrics(disbursed=Decimal(100), base_quota=Decimal(100), collection_rate=Decimal(1), npl_ratio=Decimal(0))
    s = appraise(m)
    assert s.missing == ["complaints", "drill", "nps", "peer_rating", "training"] and s.components["nps"] is None
    assert s.score == Decimal("100.00") * Decimal("0.0") + Decimal(
        (Decimal("0.5") * Decimal("70") + Decimal("0.5") * 100 * Decimal("0.3") + Decimal("0.2") * 100
         + Decimal("0.1") * 100) / Decimal("0.8")).quantize(Decimal("0.01"))


def test_soft_metrics_count_when_present():
    m = Metrics(disbursed=Decimal(0), base_quota=Decimal(100), nps=Decimal(100), peer_rating=Decimal(5))
    s = appraise(m, parse_scheme({"weights": {"attainment": 1, "nps": 1, "peer_rating": 2}}))
    assert s.score == Decimal("75.00")


@pytest.mark.parametrize(("scheme", "field"), [({"base_weight": "2"}, "base_weight"),
                                               ({"weights": {"attainment": 0}}, "weights"),
                                               ({"weights": {"x": 1}}, "weights")])
def test_bad_schemes(scheme, field):
    with pytest.raises(SchemeError) as exc:
        parse_scheme(scheme)
    assert exc.value.field == field


def _c(staff_id, no, disbursed, loans=1, **kw):
    return Candidate(staff_id=staff_id, employee_no=no, disbursed=Decimal(disbursed), loans=loans, **kw)


def test_champion_plain_and_ties():
    assert sales_champion([_c(1, "E1", 100), _c(2, "E2", 200)]).staff_id == 2
    tie = sales_champion([_c(1, "E1", 200, loans=1), _c(2, "E2", 200, loans=3)])
    assert (tie.staff_id, tie.tie_break) == (2, "loans")
    full_tie = sales_champion([_c(5, "E9", 200, loans=3), _c(2, "E2", 200, loans=3)])
    assert (full_tie.staff_id, full_tie.tie_break) == (2, "employee_no")
    # Order of input does not matter.
    assert sales_champion([_c(2, "E2", 200, loans=3), _c(5, "E9", 200, loans=3)]).staff_id == 2
    assert sales_champion([_c(1, "E1", 0)]) is None


def test_best_service_uses_nps_when_available_else_collection():
    rows = [_c(1, "E1", 100, collection_rate=Decimal("0.99")), _c(2, "E2", 100, collection_rate=Decimal("0.95"))]
    assert best_service(rows).staff_id == 1
    rows.append(_c(3, "E3", 10, service_score=Decimal(80)))
    assert best_service(rows).staff_id == 3


def test_attainment_star_tie_by_disbursed():
    rows = [_c(1, "E1", 100, attainment=Decimal("1.2")), _c(2, "E2", 300, attainment=Decimal("1.2"))]
    award = attainment_star(rows)
    assert (award.staff_id, award.tie_break) == (2, "disbursed")
