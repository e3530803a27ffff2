"""Applications and three-level approval: checklist, authority matrix, four eyes, SLA, decisions, rate authority."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.errors import Conflict
from lendpilot.lending import authority, services
from lendpilot.lending.models import Application, AuthorityMatrix
from lendpilot.lending.selectors import applications_visible, approval_queue, sla_colour
from lendpilot.lending.tests.conftest import approve_all, decide, draft, engine_prescreen, submitted
from lendpilot.org.access import actor_of
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create

D = Decimal


@pytest.mark.parametrize(("amount", "grade", "category", "levels", "decline"), [
    ("1000000", "A", "", (1, 3), False),
    ("1000000", "B", "", (1, 3), False),
    ("1000000.01", "A", "", (1, 2, 3), False),
    ("500000", "C", "", (1, 2, 3), False),
    ("500000", "D", "", (1, 2, 3), False),
    ("5000000", "A", "", (1, 2, 3), False),
    ("5000000.01", "A", "", (1, 2, 3, 4), False),
    ("100000", "E", "", (1, 2, 3), True),
    ("6000000", "E", "", (1, 2, 3, 4), True),
])
def test_default_authority_matrix(amount, grade, category, levels, decline):
    route = authority.route_for(amount=D(amount), grade=grade, category=category)
    assert route.levels == levels and route.decline_recommended is decline


def test_category_ceiling_and_rule_validation():
    rules = authority.AuthorityRules(category_two_level_max={"mortgage": D("2000000")})
    assert authority.route_for(amount=D("1500000"), grade="A", category="mortgage", rules=rules).levels == (1, 3)
    assert authority.route_for(amount=D("1500000"), grade="A", category="credit", rules=rules).levels == (1, 2, 3)
    assert authority.AuthorityRules.from_json(rules.to_json()) == rules
    with pytest.raises(ValueError):
        authority.AuthorityRules(director_above=D("10"))
    with pytest.raises(ValueError):
        authority.route_for(amount=D("1"), grade="F")


def test_matrix_is_versioned_and_cases_keep_their_version(lending_world):
    w = lending_world
    first = submitted(w)
    assert first.matrix.version == 1 and first.route == [1, 3]
    with pytest.raises(PermissionDenied):
        services.authority_matrix_publish(actor=w.user("risk_l3"), rules={})
    v2 = services.authority_matrix_publish(actor=w.user("director"), rules={"two_level_max_amount": "100000"},
                                           note="tighter")
    assert v2.version == 2 and AuthorityMatrix.objects.filter(is_active=True).get() == v2
    second = submitted(w, customer="am_wang_company")
    assert second.matrix == v2 and second.route == [1, 2, 3]
    first.refresh_from_db()
    assert first.matrix.version == 1 and first.route == [1, 3]
    with pytest.raises(ValidationError) as err:
        services.authority_matrix_publish(actor=w.user("director"), rules={"decline_grades": ["Z"]})
    assert "rules" in err.value.message_dict


def test_two_level_case_from_submission_to_approval(lending_world):
    w = lending_world
    app = submitted(w)
    assert app.status == Application.Status.IN_REVIEW and app.current_level == 1
    # SLA: two business days from Monday 2 June 2025 (Dragon Boat holiday was 31 May-2 June; 3 June is a workday).
    assert app.stage_due_on == date(2025, 6, 4)
    app = approve_all(w, app, ["risk_l1", "risk_l3"])
    assert app.status == Application.Status.APPROVED
    assert list(app.decisions.values_list("level", flat=True)) == [1, 3]
    moves = list(app.status_history.values_list("from_status", "to_status"))
    assert moves[0] == ("", "draft") and moves[1] == ("draft", "in_review") and moves[-1] == ("in_review", "approved")
    assert AuditEvent.objects.filter(event_code="lending.application_decided").count() == 2


def test_three_levels_for_grade_c(lending_world):
    w = lending_world
    app = approve_all(w, submitted(w, grade="C", amount="400000"), ["risk_l1", "risk_l2", "risk_l3"])
    assert app.status == Application.Status.APPROVED
    assert list(app.decisions.values_list("approver__user__username", flat=True)) == ["risk_l1", "risk_l2", "risk_l3"]


def _officer(key: str, level: int, limit: str) -> "Staff":
    return staff_create(actor=None, username=key, password="x-Lendpilot-1", name=key, employee_no=f"E9{key[-3:]}",
                        role=Role.RISK_OFFICER, approval_level=level, approval_limit=D(limit))


def test_reviews_are_open_to_their_level_and_the_limit_applies_to_the_decision(lending_world):
    w = lending_world
    # 2M is above the initial reviewer's 1M limit: a review passes the case on, so the limit does not apply.
    app = submitted(w, customer="am_wang_company", product="mortgage", amount="2000000", grade="B",
                    method="interest_first", rate="0.05", term=24)
    assert app.route == [1, 2, 3]
    with pytest.raises(PermissionDenied):
        decide(w, app, "am_zhao")
    with pytest.raises(ValidationError) as err:  # a final approver does not take the initial review
        decide(w, app, "risk_l3")
    assert "level 1" in err.value.message_dict["approver"][0]
    decide(w, app, "risk_l1", reason="初审：建议同意")
    decide(w, app, "risk_l2", reason="复审：建议同意")
    small_l3 = _officer("risk_l3_small", 3, "1000000")
    app.refresh_from_db()
    with pytest.raises(ValidationError) as err:  # the decision needs the amount within the limit
        services.application_decide(actor=small_l3.user, application=app, outcome="approve", expected_step=2)
    assert "limit" in err.value.message_dict["approver"][0]
    decide(w, app, "risk_l3", reason="终审同意")
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED


def test_a_case_above_every_final_approvers_limit_goes_up_to_the_director(lending_world):
    w = lending_world
    services.authority_matrix_publish(actor=w.user("director"), rules={"director_above": "50000000"})
    # 9.5M: under the director threshold of this matrix, above the 9M limit of the only final approver.
    app = submitted(w, customer="am_wang_company", product="mortgage", amount="9500000", grade="A",
                    method="interest_first", rate="0.06", term=24)
    assert app.route == [1, 2, 3, 4]
    approve_all(w, app, ["risk_l1", "risk_l2", "risk_l3"])  # the final level reviews, whatever its limit
    app.refresh_from_db()
    assert app.current_level == 4 and app.status == Application.Status.IN_REVIEW
    decide(w, app, "director", reason="贷审会同意")
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED
    # With a final approver whose limit covers it, the same case is decided at the final level.
    _officer("risk_l3_big", 3, "20000000")
    other = submitted(w, customer="am_wang_person", product="mortgage", amount="9500000", grade="A",
                      method="interest_first", rate="0.06", term=24)
    assert other.route == [1, 2, 3]


def test_four_eyes_no_second_level_for_the_same_person(lending_world):
    w = lending_world
    app = submitted(w, grade="C")
    decide(w, app, "risk_l1")
    # Promoted after the initial review: still may not take a second level of the same case.
    Staff.objects.filter(pk=w.staff["risk_l1"].pk).update(approval_level=2)
    promoted = type(w.user("risk_l1")).objects.get(pk=w.user("risk_l1").pk)
    for _ in range(2):
        with pytest.raises(ValidationError) as err:
            services.application_decide(actor=promoted, application=app, outcome="approve", expected_step=1)
        assert "already" in err.value.message_dict["approver"][0]
    app.refresh_from_db()
    assert app.step == 1 and app.decisions.count() == 1


def test_a_case_nobody_could_move_is_refused_at_submission(lending_world):
    w = lending_world
    for n in (1, 2, 3):
        _officer(f"risk_big{n}00", n, "20000000")
    # The director would have to decide a case the director submits: nobody may, so it is not submitted.
    with pytest.raises(ValidationError) as err:
        submitted(w, customer="am_wang_company", product="mortgage", amount="6000000", grade="A",
                  method="interest_first", rate="0.06", term=24, by="director")
    assert "L4" in err.value.message_dict["route"][0]
    assert not Application.objects.filter(status=Application.Status.IN_REVIEW).exists()


def test_the_director_level_is_the_directors(lending_world):
    w = lending_world
    app = submitted(w, customer="am_wang_company", product="mortgage", amount="6000000", grade="A",
                    method="interest_first", rate="0.06", term=24)
    assert app.route == [1, 2, 3, 4]
    approve_all(w, app, ["risk_l1", "risk_l2", "risk_l3"])
    with pytest.raises(ValidationError) as err:
        decide(w, app, "risk_l3")
    assert "director" in err.value.message_dict["approver"][0]


def test_every_queue_row_says_who_can_act(lending_world):
    w = lending_world
    app = submitted(w, grade="C")
    _officer("risk_l1_two", 1, "500000")
    rows = approval_queue(actor_of(w.user("risk_l1")), level=1, today=date(2025, 6, 2))
    assert [(r.application.pk, r.waiting.count, r.waiting.deciding, r.viewer_can_act) for r in rows] == [
        (app.pk, 2, False, True)]
    assert rows[0].waiting.label == "waiting for: L1, 2 officer(s)"
    decide(w, app, "risk_l1")
    rows = approval_queue(actor_of(w.user("risk_l3")), level=2, today=date(2025, 6, 2))
    assert [(r.waiting.count, r.viewer_can_act) for r in rows] == [(1, False)]
    assert rows[0].waiting.names == ("风控2",)
    page = Client()
    page.force_login(w.user("risk_l3"))
    html = page.get("/lending/queues/2/").content.decode()
    assert "等待：L2，1 名审批人" in html and "风控2" in html  # the page speaks Chinese


def test_the_rate_approver_may_neither_submit_nor_decide_the_case(lending_world):
    w = lending_world
    app = draft(w, rate="0.0450", by="am_wang")
    services.application_rate_approve(actor=w.user("director"), application=app)
    with pytest.raises(ValidationError) as err:  # the director who approved the rate submits it himself
        services.application_submit(actor=w.user("director"), application=app)
    assert "rate" in err.value.message_dict["annual_rate"][0]
    services.application_submit(actor=w.user("am_wang"), application=app)
    # A director who approved a below-floor rate does not decide the same case at the director level.
    big = submitted(w, customer="am_wang_company", product="mortgage", amount="6000000", grade="A",
                    method="interest_first", rate="0.06", term=24)
    Application.objects.filter(pk=big.pk).update(rate_approved_by=w.staff["director"])
    approve_all(w, big, ["risk_l1", "risk_l2", "risk_l3"])
    with pytest.raises(ValidationError) as err:
        decide(w, big, "director")
    assert "rate" in err.value.message_dict["approver"][0]


def test_grade_e_needs_an_override_reason_at_final(lending_world):
    w = lending_world
    app = submitted(w, grade="E", amount="200000")
    assert app.decline_recommended
    decide(w, app, "risk_l1", outcome="approve", reason="ok")
    decide(w, app, "risk_l2", outcome="approve", reason="ok")
    with pytest.raises(ValidationError) as err:
        decide(w, app, "risk_l3", outcome="approve")
    assert "reason" in err.value.message_dict
    decision = decide(w, app, "risk_l3", outcome="approve",
                                           reason="有足额存单质押，覆盖风险")
    assert decision.override and Application.objects.get(pk=app.pk).status == Application.Status.APPROVED


def test_return_for_information_and_resubmit_starts_a_new_round(lending_world):
    w = lending_world
    app = submitted(w)
    with pytest.raises(ValidationError):
        decide(w, app, "risk_l1", outcome="return")
    decide(w, app, "risk_l1", outcome="return", reason="补充银行流水")
    app.refresh_from_db()
    assert app.status == Application.Status.RETURNED and app.current_level is None
    services.application_update(actor=w.user("am_wang"), application=app, monthly_income=D("60000"))
    app = services.application_submit(actor=w.user("am_wang"), application=app, today=date(2025, 6, 9))
    assert app.submission_round == 2 and app.step == 0
    # The same initial reviewer may look again at the same level in the new round.
    decide(w, app, "risk_l1", outcome="approve")
    app.refresh_from_db()
    assert app.current_level == 3


def test_approve_with_conditions_lowers_amount_raises_rate(lending_world):
    w = lending_world
    app = submitted(w)
    with pytest.raises(ValidationError) as err:
        decide(w, app, "risk_l1", outcome="approve_with_conditions",
                                    conditions={"amount": "400000"})
    assert "conditions.amount" in err.value.message_dict
    decide(w, app, "risk_l1", outcome="approve_with_conditions",
                                conditions={"amount": "250000", "annual_rate": "0.09", "extra_collateral": "配偶担保"})
    app.refresh_from_db()
    assert app.amount == D("250000.00") and app.annual_rate == D("0.090000")
    assert app.conditions["extra_collateral"] == "配偶担保"


def test_reject(lending_world):
    w = lending_world
    app = submitted(w)
    decide(w, app, "risk_l1", outcome="reject", reason="负债过高")
    app.refresh_from_db()
    assert app.status == Application.Status.REJECTED
    with pytest.raises(Conflict):
        decide(w, app, "risk_l3", outcome="approve")


def test_stale_step_is_a_conflict(lending_world):
    w = lending_world
    app = submitted(w)
    services.application_decide(actor=w.user("risk_l1"), application=app, outcome="approve", expected_step=0)
    with pytest.raises(Conflict):
        services.application_decide(actor=w.user("risk_l3"), application=app, outcome="approve", expected_step=0)


def test_submit_needs_complete_checklist_and_collateral(lending_world):
    w = lending_world
    app = services.application_create(
        actor=w.user("am_wang"), applicant=w.customers["am_wang_company"], product=w.products["mortgage"],
        amount=D("1000000"), term_months=24, repayment_method="interest_first", annual_rate=D("0.06"),
        purpose="厂房扩建", monthly_income=D("300000"), monthly_debt_payments=D("0"),
        prescreen=engine_prescreen(w, customer="am_wang_company", product="mortgage", amount="1000000", term=24,
                                   grade="B"))
    with pytest.raises(ValidationError) as err:
        services.application_submit(actor=w.user("am_wang"), application=app)
    assert {"checklist", "collateral"} <= set(err.value.message_dict)
    assert "房产证" in err.value.message_dict["checklist"][0]
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT
    services.checklist_mark(actor=w.user("am_wang"), application=app, item_code="title_deed", evidence="沪房权证123")
    services.collateral_add(actor=w.user("am_wang"), application=app, kind="real_estate", description="厂房",
                            valuation=D("1200000"), valuer="评估所", valued_on=date(2025, 1, 1))
    with pytest.raises(ValidationError) as err:  # LTV 83% > 70%
        services.application_submit(actor=w.user("am_wang"), application=app)
    assert "collateral" in err.value.message_dict
    services.collateral_add(actor=w.user("am_wang"), application=app, kind="deposit", description="存单",
                            valuation=D("300000"), valuer="本行", valued_on=date(2025, 1, 1))
    app = services.application_submit(actor=w.user("am_wang"), application=app)
    assert app.status == Application.Status.IN_REVIEW


def test_bad_application_input_names_fields_and_writes_nothing(lending_world):
    w = lending_world
    with pytest.raises(ValidationError) as err:
        services.application_create(
            actor=w.user("am_wang"), applicant=w.customers["am_wang_person"], product=w.products["credit"],
            amount="abc", term_months=12, repayment_method="equal_instalment", annual_rate=D("0.08"),
            purpose="", monthly_income=D("-1"), monthly_debt_payments=D("0"))
    assert {"amount", "purpose", "monthly_income"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        services.application_create(
            actor=w.user("am_wang"), applicant=w.customers["am_wang_person"], product=w.products["credit"],
            amount=D("900000"), term_months=12, repayment_method="bullet", annual_rate=D("0.30"),
            purpose="x", monthly_income=D("1"), monthly_debt_payments=D("0"),
            prescreen=engine_prescreen(w, customer="am_wang_person", product="credit", amount="900000", term=12,
                                       grade="A"))
    assert {"amount", "repayment_method", "annual_rate"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:  # another manager's customer
        draft(w, customer="am_chen_person")
    assert "applicant" in err.value.message_dict
    assert not Application.objects.exists()


def test_rate_below_tier_needs_the_rate_approver(lending_world):
    w = lending_world
    app = draft(w, rate="0.0450")
    with pytest.raises(ValidationError) as err:
        services.application_submit(actor=w.user("am_wang"), application=app)
    assert "annual_rate" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.application_rate_approve(actor=w.user("risk_l3"), application=app)
    services.application_rate_approve(actor=w.user("director"), application=app)
    # A lower rate typed in after the approval is not approved.
    services.application_update(actor=w.user("am_wang"), application=app, annual_rate=D("0.0440"))
    with pytest.raises(ValidationError) as err:
        services.application_submit(actor=w.user("am_wang"), application=app)
    assert "annual_rate" in err.value.message_dict
    services.application_rate_approve(actor=w.user("director"), application=app)
    app = services.application_submit(actor=w.user("am_wang"), application=app)
    assert app.rate_approval_needed and app.status == Application.Status.IN_REVIEW


def test_dti_and_cross_checks(lending_world):
    w = lending_world
    app = draft(w, amount="120000", rate="0.12", income="20000", debts="2000")
    # first payment of 120,000 at 12% over 12 months = 10,661.85; (2,000 + 10,661.85) / 20,000
    assert app.dti == D("0.6331")
    check = services.cross_check_record(actor=w.user("am_wang"), application=app, kind="income_vs_bank_flow",
                                        passed=False, stated="20000", observed="14000", evidence="近6个月流水")
    assert not check.passed
    services.cross_check_record(actor=w.user("risk_l1"), application=app, kind="identity_vs_bureau", passed=True,
                                evidence="征信报告 2025-06-01")
    with pytest.raises(ValidationError):
        services.cross_check_record(actor=w.user("am_wang"), application=app, kind="astrology", passed=True,
                                    evidence="")
    assert app.cross_checks.count() == 2


def test_sla_colours_queue_and_escalation(lending_world):
    w = lending_world
    app = submitted(w)  # due 2025-06-04
    assert sla_colour(app.stage_due_on, date(2025, 6, 3)) == "green"
    assert sla_colour(app.stage_due_on, date(2025, 6, 4)) == "amber"
    assert sla_colour(app.stage_due_on, date(2025, 6, 5)) == "red"
    queue = approval_queue(actor_of(w.user("risk_l1")), level=1, today=date(2025, 6, 5))
    assert [(r.application.pk, r.sla) for r in queue] == [(app.pk, "red")]
    assert services.applications_escalate_overdue(today=date(2025, 6, 4)) == 0
    assert services.applications_escalate_overdue(today=date(2025, 6, 5)) == 1
    assert services.applications_escalate_overdue(today=date(2025, 6, 5)) == 0  # once per stage
    decision = decide(w, app, "risk_l1", outcome="approve",
                                           today=date(2025, 6, 5))
    assert decision.within_sla is False
    app.refresh_from_db()
    assert app.escalated_at is None and app.current_level == 3
    assert app.stage_due_on == date(2025, 6, 10)  # three business days from Thursday 5 June


def test_scoped_reads(lending_world):
    w = lending_world
    app = submitted(w)
    assert list(applications_visible(actor_of(w.user("am_wang")))) == [app]
    assert list(applications_visible(actor_of(w.user("am_zhao")))) == []
    assert list(applications_visible(actor_of(w.user("east_a_lead")))) == [app]
    assert list(applications_visible(actor_of(w.user("south_head")))) == []
    assert list(applications_visible(actor_of(w.user("risk_l2")))) == [app]
    with pytest.raises(PermissionDenied):
        applications_visible(actor_of(w.user("partner")))


def test_withdraw(lending_world):
    w = lending_world
    app = submitted(w)
    services.application_withdraw(actor=w.user("am_wang"), application=app, reason="客户放弃")
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN
    with pytest.raises(Conflict):
        services.application_withdraw(actor=w.user("am_wang"), application=app)
