"""A hand-built month of business with known answers for the metric tests (today = 2026-11-20).

November 2026 (the period under test), whole bank:
  loans   L1 王芳's person 100,000 on 11-03 (from lead 1, channel partner, received 10-20: 14 days)
          L2 赵敏's company 600,000 on 11-10 (from lead 2, direct, received 11-02: 8 days)
          L3 陈杰's person (South) 50,000 on 11-20 = today (live delta)      -> 750,000, 3 loans, ticket 250,000
  decisions  3 approved, 1 rejected                                          -> approval 0.75
  leads received 4 (lead 2 + three open ones); converted 2 (leads 1, 2)      -> conversion 0.5, cycle 11 days
  quotas  王芳 300,000 + 赵敏 200,000 + 陈杰 100,000 = 600,000                  -> attainment 1.25
  portfolio snapshot 11-19 (latest): balance 1,000,000, overdue 50,000, NPL 20,000 -> 0.05 and 0.02
  due 19,000 (12,000 + 7,000); regular repayments 15,500 (a prepayment of 5,000 does not count) -> 0.815789
October 2026: L4 王芳's company 200,000 on 10-15; 1 approved, 1 rejected; quota 王芳 400,000; snapshot 10-31:
  800,000 / 20,000 / 8,000; lead 1 received.
November 2025: L5 孙丽's person 80,000 on 2025-11-05.
East China in November: L1 + L2 = 700,000, 2 loans.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from lendpilot.lending.models import Application, Contract, Instalment, Loan, Repayment, StatusChange
from lendpilot.monitoring.models import PortfolioSnapshot
from lendpilot.planning.models import Quota
from lendpilot.sales.models import Lead, Opportunity

TODAY = date(2026, 11, 20)
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


class Book:
    def __init__(self, world):
        self.world = world
        self.n = 0

    def application(self, customer: str, amount="100000", product="credit") -> Application:
        self.n += 1
        c = self.world.customers[customer]
        return Application.objects.create(
            number=f"AP-T{self.n:04d}", applicant=c, product=self.world.products[product], amount=Decimal(amount),
            term_months=12, repayment_method="equal_instalment", annual_rate=Decimal("0.08"), purpose="经营周转",
            risk_grade="B", monthly_income=Decimal("50000"), monthly_debt_payments=Decimal("0"),
            created_by=c.manager, status=Application.Status.DISBURSED)

    def decide(self, application: Application, status: str, day: date) -> None:
        change = StatusChange.objects.create(application=application, from_status="in_review", to_status=status)
        StatusChange.objects.filter(pk=change.pk).update(at=at(day))

    def loan(self, customer: str, principal: str, disbursed_on: date, *, application: Application | None = None,
             product="credit") -> Loan:
        self.n += 1
        contract = None
        if application is not None:
            contract = Contract.objects.create(
                application=application, number=f"CT-T{self.n:04d}", principal=Decimal(principal),
                annual_rate=Decimal("0.08"), apr=Decimal("0.08"), term_months=12, repayment_method="equal_instalment",
                generated_by=application.created_by, status=Contract.Status.DISBURSED)
        return Loan.objects.create(
            number=f"LN-T{self.n:04d}", contract=contract, borrower=self.world.customers[customer],
            product=self.world.products[product], principal=Decimal(principal), annual_rate=Decimal("0.08"),
            term_months=12, repayment_method="equal_instalment", disbursed_on=disbursed_on,
            outstanding_principal=Decimal(principal))

    def lead(self, owner: str, received: date, *, source="direct", status="new", region="east") -> Lead:
        self.n += 1
        lead = Lead.objects.create(kind="person", name=f"线索{self.n}", source=source, industry="F",
                                   region=self.world.regions[region], owner=self.world.staff[owner], status=status,
                                   phone_hash=f"hash-{self.n}", received_at=at(received))
        return lead

    def opportunity(self, lead: Lead, application: Application, created: date) -> Opportunity:
        return Opportunity.objects.create(lead=lead, name=lead.name, owner=lead.owner, node="won", industry="F",
                                          product=application.product, application=application,
                                          created_at=at(created), node_entered_at=at(created))

    def instalment(self, loan: Loan, seq: int, due: date, principal: str, interest: str) -> Instalment:
        return Instalment.objects.create(loan=loan, seq=seq, due_date=due, due_day=due.toordinal(),
                                         principal_due=Decimal(principal), interest_due=Decimal(interest))

    def repayment(self, loan: Loan, ref: str, day: date, principal: str, interest: str, kind="regular") -> None:
        amount = Decimal(principal) + Decimal(interest)
        Repayment.objects.create(loan=loan, external_ref=ref, amount=amount, value_date=day, kind=kind,
                                 principal_part=Decimal(principal), interest_part=Decimal(interest))

    @staticmethod
    def snapshot(day: date, balance: str, overdue: str, npl: str, dimension="all", key="all") -> None:
        PortfolioSnapshot.objects.create(business_date=day, dimension=dimension, key=key, loans=1,
                                         balance=Decimal(balance), overdue_loans=1, overdue_balance=Decimal(overdue),
                                         npl_loans=1, npl_balance=Decimal(npl))


@pytest.fixture
def book(world):
    return fill_book(world)


@pytest.fixture
def live_book(live_world):
    """The same month, committed, for browser tests."""
    return fill_book(live_world)


def fill_book(world) -> Book:
    b = Book(world)
    nov, oct_ = date(2026, 11, 1), date(2026, 10, 1)
    # leads and the two conversions
    lead1 = b.lead("am_wang", date(2026, 10, 20), source="channel", status="converted")
    lead2 = b.lead("am_zhao", date(2026, 11, 2), status="converted")
    for day in (date(2026, 11, 4), date(2026, 11, 12), date(2026, 11, 19)):
        b.lead("am_wang", day)
    a1, a2 = b.application("am_wang_person"), b.application("am_zhao_company", "600000", "mortgage")
    b.opportunity(lead1, a1, date(2026, 10, 21))
    b.opportunity(lead2, a2, date(2026, 11, 3))
    # loans
    b.l1 = b.loan("am_wang_person", "100000", date(2026, 11, 3), application=a1)
    b.l2 = b.loan("am_zhao_company", "600000", date(2026, 11, 10), application=a2, product="mortgage")
    b.l3 = b.loan("am_chen_person", "50000", TODAY)
    b.l4 = b.loan("am_wang_company", "200000", date(2026, 10, 15))
    b.l5 = b.loan("am_sun_person", "80000", date(2025, 11, 5))
    # decisions: November 3 approved + 1 rejected; October 1 + 1
    b.decide(a1, "approved", date(2026, 10, 28))
    b.decide(a2, "approved", date(2026, 11, 6))
    for n, status in enumerate(("approved", "approved", "rejected")):
        b.decide(b.application("am_wang_person"), status, date(2026, 11, 5 + n))
    b.decide(b.application("am_chen_person"), "rejected", date(2026, 10, 9))
    # amounts due and collected in November
    b.instalment(b.l4, 1, date(2026, 11, 15), "10000", "2000")
    b.instalment(b.l5, 12, date(2026, 11, 5), "6000", "1000")
    b.repayment(b.l4, "R1", date(2026, 11, 15), "10000", "2000")
    b.repayment(b.l5, "R2", date(2026, 11, 6), "3000", "500")
    b.repayment(b.l5, "R3", date(2026, 11, 8), "5000", "0", kind="prepayment")
    # targets
    for key, month, base in (("am_wang", nov, "300000"), ("am_zhao", nov, "200000"), ("am_chen", nov, "100000"),
                             ("am_wang", oct_, "400000")):
        Quota.objects.create(staff=world.staff[key], month=month, base=Decimal(base))
    # monitoring's portfolio snapshots
    b.snapshot(date(2026, 11, 18), "900000", "90000", "30000")
    b.snapshot(date(2026, 11, 19), "1000000", "50000", "20000")
    b.snapshot(date(2026, 10, 31), "800000", "20000", "8000")
    east = str(world.regions["east"].pk)
    b.snapshot(date(2026, 11, 19), "700000", "35000", "0", dimension="region", key=east)
    b.snapshot(date(2026, 10, 31), "600000", "0", "0", dimension="region", key=east)
    return b
