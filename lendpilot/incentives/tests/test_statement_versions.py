"""A statement a manager can trust: recalculating keeps its id (and its link) and its open dispute, adds a
version saying why and what changed; the same facts twice add nothing; lines read in words; the manager
sees a month-to-date estimate that moves with each disbursement, before any run."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lendpilot.core.errors import Conflict
from lendpilot.incentives import selectors, services
from lendpilot.incentives.commission import DEFAULT_PLAN
from lendpilot.incentives.models import CommissionStatement, Dispute
from lendpilot.org.access import actor_of
from lendpilot.planning.services import quota_set
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


@pytest.fixture
def march(world):
    d = world.user("director")
    services.commission_plan_publish(actor=d, name="2026", spec={**DEFAULT_PLAN, "cap": None})
    quota_set(actor=d, staff=world.staff["am_wang"], month=MARCH, base=Decimal("1000000"), sprint=Decimal("0"))
    world.first = make_loan(world, amount="700000", on=date(2026, 3, 5))
    services.commission_run(actor=d, month=MARCH)
    world.statement = CommissionStatement.objects.get(staff=world.staff["am_wang"], month=MARCH)
    return world


def test_recalculating_keeps_the_url_and_the_open_dispute(march):
    w, d = march, march.user("director")
    st = w.statement
    wang = Client()
    wang.force_login(w.user("am_wang"))
    url = f"/incentives/statements/{st.pk}/"
    line = selectors.statement_lines(st).get()
    wang.post(url, {"action": "dispute", "line": line.pk, "reason": "月末一笔放款未计入"})
    dispute = Dispute.objects.get()
    make_loan(w, amount="500000", on=date(2026, 3, 28))  # the missing loan lands: 120% -> 1.5x and the bonus

    director = Client()
    director.force_login(d)
    r = director.post(url, {"action": "recalculate", "reason": "补录 3 月 28 日放款"})
    assert r.status_code == 302 and r.url == url
    st.refresh_from_db()
    assert CommissionStatement.objects.filter(month=MARCH, staff=w.staff["am_wang"]).get().pk == st.pk
    assert st.version == 2 and st.disbursed == Decimal("1200000.00") and st.multiplier == Decimal("1.5")
    dispute.refresh_from_db()
    assert dispute.status == "open" and dispute.statement_id == st.pk and dispute.raised_on_version == 1
    # The dispute follows its loan to the new version's line.
    assert dispute.line.version.number == 2 and dispute.line.loan_id == w.first.pk
    page = wang.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "月末一笔放款未计入" in text and "补录 3 月 28 日放款" in text
    assert 'data-version="2"' in text and 'data-status="open"' in text
    with pytest.raises(Conflict):
        services.statement_approve(actor=d, statement=st)


def test_a_run_with_the_same_facts_adds_no_version_and_a_changed_one_keeps_the_id(march):
    w, d = march, march.user("director")
    services.commission_run(actor=d, month=MARCH)
    w.statement.refresh_from_db()
    assert w.statement.version == 1 and w.statement.versions.count() == 1
    make_loan(w, amount="100000", on=date(2026, 3, 20))
    result = services.commission_run(actor=d, month=MARCH, reason="新增放款")
    assert result["revised"] == 1
    st = CommissionStatement.objects.get(staff=w.staff["am_wang"], month=MARCH)
    assert st.pk == w.statement.pk and st.version == 2
    latest = st.versions.get(number=2)
    assert latest.reason == "新增放款" and latest.cause == "recalculated"
    assert latest.changes["disbursed"] == ["700000.00", "800000.00"] and latest.changes["loans_added"] == 1
    assert [line.version.number for line in selectors.statement_lines(st)] == [2, 2]
    assert st.versions.get(number=1).lines.count() == 1  # the earlier version keeps its own lines


def test_recalculation_needs_a_reason_and_a_draft(march):
    d = march.user("director")
    with pytest.raises(ValidationError) as exc:
        services.statement_recalculate(actor=d, statement=march.statement, reason=" ")
    assert "reason" in exc.value.error_dict
    services.statement_approve(actor=d, statement=march.statement)
    with pytest.raises(Conflict):
        services.statement_recalculate(actor=d, statement=march.statement, reason="复核")
    assert march.statement.versions.count() == 1


def test_lines_read_in_words(march):
    rows = selectors.statement_line_rows(march.statement)
    words = rows[0]["words"]
    assert march.first.number in words and "700,000.00" in words and "0.6%" in words
    assert "rate:" not in words


def test_month_to_date_estimate_moves_with_each_disbursement(world):
    d = world.user("director")
    services.commission_plan_publish(actor=d, name="2026", spec=DEFAULT_PLAN)
    today = timezone.localdate()
    wang = actor_of(world.user("am_wang"))
    before = selectors.my_commission_month_to_date(wang, today=today)
    assert before is not None and before.total == Decimal("0.00") and before.loans == 0
    make_loan(world, amount="200000", on=today)
    after = selectors.my_commission_month_to_date(wang, today=today)
    assert after.loans == 1 and after.total > before.total and after.disbursed == Decimal("200000.00")
    assert selectors.my_commission_month_to_date(actor_of(d), today=today) is None
    # Another manager's estimate is out of an account manager's scope.
    assert selectors.commission_estimates(wang, staff_ids=[world.staff["am_zhao"].pk], today=today) == {}


def test_recalculation_through_the_api_keeps_the_id_and_the_month_to_date_answers(march):
    w = march
    make_loan(w, amount="300000", on=date(2026, 3, 21))
    director = Client()
    director.force_login(w.user("director"))
    url = f"/api/v1/incentives/statements/{w.statement.pk}"
    r = director.post(f"{url}/recalculate", {"reason": "补录放款"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["id"] == w.statement.pk and r.json()["version"] == 2
    assert all(line["description"] for line in r.json()["lines"])
    r = director.post(f"{url}/recalculate", {"reason": ""}, content_type="application/json")
    assert r.status_code == 422
    wang = Client()
    wang.force_login(w.user("am_wang"))
    assert wang.post(f"{url}/recalculate", {"reason": "x"}, content_type="application/json").status_code == 403
    assert wang.get("/api/v1/incentives/month-to-date").json()["staff_id"] == w.staff["am_wang"].pk
    assert director.get("/api/v1/incentives/month-to-date").status_code == 404
