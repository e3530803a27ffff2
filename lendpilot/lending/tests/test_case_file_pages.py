"""The reviewer decides with everything in view (C1, C2): the case page shows applicant, income, debts, DTI,
collateral and loan-to-value (also from the stated value), the pre-screen, the proposal, documents,
cross-checks, earlier decisions and conditions, and flags the gaps; the account manager sees the same gaps
on the form; only the account manager registers collateral."""

from decimal import Decimal

from django.urls import reverse

from lendpilot.lending import services
from lendpilot.lending.case_gaps import AMOUNT_ABOVE_APPROVABLE, LTV_ABOVE_CAP, RATE_BELOW_PRICED, review_gaps
from lendpilot.lending.models import Collateral
from lendpilot.lending.tests.conftest import decide, draft, engine_prescreen, submitted
from lendpilot.lending.tests.test_pages import FORM, application_form, login
from lendpilot.scoring.models import PolicyVersion


def test_gaps_name_amount_rate_and_loan_to_value():
    gaps = review_gaps(amount=Decimal("300000"), annual_rate=Decimal("0.05"), approvable=Decimal("100000"),
                       priced_rate=Decimal("0.0735"), ltv=Decimal("0.8"), max_ltv=Decimal("0.7"))
    assert [g.code for g in gaps] == [AMOUNT_ABOVE_APPROVABLE, RATE_BELOW_PRICED, LTV_ABOVE_CAP]
    assert "300,000.00" in gaps[0].message and "100,000.00" in gaps[0].message
    assert "7.35%" in gaps[1].message and "80.00%" in gaps[2].message
    assert review_gaps(amount=Decimal("1"), annual_rate=Decimal("0.1")) == []


def test_stated_collateral_gives_the_loan_to_value_and_its_gap(lending_world):
    w = lending_world
    log = engine_prescreen(w, customer="am_wang_person", product="mortgage", amount="2000000", term=60, grade="B")
    app = services.application_create(
        actor=w.user("am_wang"), applicant=w.customers["am_wang_person"], product=w.products["mortgage"],
        amount=Decimal("2000000"), term_months=60, repayment_method="equal_instalment", annual_rate=Decimal("0.05"),
        purpose="购房", monthly_income=Decimal("80000"), monthly_debt_payments=Decimal("3000"), prescreen=log,
        applicant_facts={"collateral_value": "2500000"})
    assert app.stated_collateral_value == Decimal("2500000.00")
    page = login(w, "am_wang").get(reverse("lending:application", args=[app.pk])).content.decode()
    assert "2,500,000.00" in page and "80%" in page  # 2M / 2.5M, not "–"
    assert f'data-gap="{LTV_ABOVE_CAP}"' in page and 'id="collateral-form"' in page


def test_case_page_shows_the_whole_file_and_the_gaps_to_the_reviewer(lending_world):
    w = lending_world
    app = submitted(w, rate="0.05")
    premium = PolicyVersion.objects.create(number=99, rules={
        "industry_premium_bps": {w.customers["am_wang_person"].industry: 300}})
    app.prescreen.approvable_amount, app.prescreen.policy_version = Decimal("100000"), premium
    app.prescreen.reasons = [{"code": "inquiries", "text_zh": "近期查询次数多", "text_en": "Many recent inquiries"}]
    app.prescreen.save()
    services.cross_check_record(actor=w.user("risk_l1"), application=app, kind="income_vs_tax", passed=True,
                                evidence="个税记录一致", stated="50000", observed="48000")
    decide(w, app, "risk_l1", reason="收入核实")
    page = login(w, "risk_l3").get(reverse("lending:application", args=[app.pk])).content.decode()
    for part in ('id="case-income"', 'id="case-debts"', 'id="case-dti"', 'id="case-ltv"', 'id="case-proposal"',
                 'id="application-prescreen"', 'id="checklist"', 'id="case-cross-checks"', 'id="decision-history"',
                 "身份证", "个税记录一致", "收入核实", "近期查询次数多", "50,000.00", "5,000.00"):
        assert part in page, part
    assert f'data-gap="{AMOUNT_ABOVE_APPROVABLE}"' in page and f'data-gap="{RATE_BELOW_PRICED}"' in page
    assert "7.35%" in page and 'id="decision-form"' in page


def test_conditions_read_in_words(lending_world):
    w = lending_world
    app = submitted(w)
    decide(w, app, "risk_l1", reason="ok")
    decide(w, app, "risk_l3", outcome="approve_with_conditions", reason="附条件",
           conditions={"amount": "250000", "extra_collateral": "配偶担保"})
    page = login(w, "am_wang").get(reverse("lending:application", args=[app.pk])).content.decode()
    assert 'id="case-conditions"' in page and "250,000.00" in page and "配偶担保" in page
    assert "{'amount'" not in page and "extra_collateral" not in page


def test_the_form_shows_the_account_manager_the_same_gaps(scored_world):
    w = scored_world
    am = login(w, "am_wang")
    # Far above what the engine would approve, at the product's floor rate.
    partial = am.post(reverse("lending:application_prescreen"),
                      application_form(w, amount="490000", annual_rate="0.0435")).content.decode()
    assert 'id="prescreen-gaps"' in partial and f'data-gap="{AMOUNT_ABOVE_APPROVABLE}"' in partial
    calm = am.post(reverse("lending:application_prescreen"), application_form(w, amount="10000",
                                                                            annual_rate="0.18")).content.decode()
    assert 'id="prescreen-gaps"' not in calm and FORM["purpose"]


def test_collateral_is_registered_by_the_account_manager_only(lending_world):
    w = lending_world
    app = draft(w)
    data = {"collateral-kind": "real_estate", "collateral-description": "上海房产", "collateral-valuation": "2500000",
            "collateral-valuer": "上海评估所", "collateral-valued_on": "2025-01-02"}
    url = reverse("lending:collateral_add", args=[app.pk])
    denied = login(w, "risk_l1").post(url, data, follow=True)
    assert denied.status_code in (200, 403) and not Collateral.objects.exists()
    response = login(w, "am_wang").post(url, data, follow=True)
    assert Collateral.objects.get().valuation == Decimal("2500000.00")
    assert "2,500,000.00" in response.content.decode() and app.number in response.content.decode()
    bad = login(w, "am_wang").post(url, {**data, "collateral-valuation": "abc"}, follow=True).content.decode()
    assert Collateral.objects.count() == 1 and "alert-danger" in bad


def test_reviewer_records_a_cross_check_from_the_case_page(lending_world):
    from lendpilot.lending.models import CrossCheck

    w = lending_world
    app = submitted(w)
    data = {"check-kind": "income_vs_bank_flow", "check-outcome": "fail", "check-stated": "50000",
            "check-observed": "21000", "check-evidence": "近六个月银行流水"}
    url = reverse("lending:cross_check", args=[app.pk])
    assert login(w, "compliance").post(url, data).status_code == 403 and not CrossCheck.objects.exists()
    response = login(w, "risk_l1").post(url, data, follow=True)
    check = CrossCheck.objects.get()
    assert not check.passed and check.checked_by == w.staff["risk_l1"]
    assert "近六个月银行流水" in response.content.decode() and app.number in response.content.decode()
