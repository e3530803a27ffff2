"""The EOD stage that pushes each channel partner's month down to channels (`partner_facts_load`): its leads,
applications, approvals, loans disbursed, balance, service fees and early-default clawback, and its vintage
cells (each monthly cohort at the month on book it reached). Set-based: a handful of grouped queries, one row
per partner or per (partner, cohort); a rerun for the same date replaces the same rows.

A loan is a partner's when its application names the partner, or else when the lead behind the application's
opportunity was submitted by the partner's login."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from lendpilot.channels.models import MonthFact, Partner, Terms
from lendpilot.channels.services import MonthFacts, partner_facts_load
from lendpilot.channels.vintage import BUCKETS, Cell
from lendpilot.core.months import month_start, shift_month
from lendpilot.lending.models import Application, Loan
from lendpilot.monitoring.models import RuleSet
from lendpilot.org.access import Actor
from lendpilot.sales.models import Lead, Opportunity

APPROVED = (Application.Status.APPROVED, Application.Status.CONTRACTED, Application.Status.SIGNED,
            Application.Status.DISBURSED)
EARLY_DEFAULT_MOB = 3
"""A loan past 30 days within this many months on book is an early default: the partner's fee on it is clawed
back."""


def _lead_partner(application: str) -> Subquery:
    """The partner whose login submitted the lead behind the application's opportunity."""
    return Subquery(Opportunity.objects.filter(application=OuterRef(application),
                                               lead__created_by__channel_partner__isnull=False)
                    .values("lead__created_by__channel_partner")[:1])


def _loans() -> Any:
    return Loan.objects.annotate(channel=Coalesce(F("contract__application__partner"),
                                                  _lead_partner("contract__application"))).filter(
        channel__isnull=False)


def _by_partner(rows: Any, **sums: Any) -> dict[int, dict[str, Any]]:
    return {row["channel"]: row for row in rows.values("channel").annotate(**sums).order_by()}


def month_facts(day: date) -> list[MonthFacts]:
    """Every partner's facts for the month of `day`, as of `day` (listed partners get a row even when idle)."""
    month = month_start(day)
    after = shift_month(month, 1)
    leads = {row["p"]: row["n"] for row in Lead.objects.filter(
        created_by__channel_partner__isnull=False, received_at__date__gte=month, received_at__date__lt=after)
        .values(p=F("created_by__channel_partner")).annotate(n=Count("id")).order_by()}
    apps = _by_partner(Application.objects.annotate(channel=Coalesce(F("partner"), _lead_partner("pk"))).filter(
        channel__isnull=False, created_at__date__gte=month, created_at__date__lt=after),
        n=Count("id"), approved=Count("id", filter=Q(status__in=APPROVED)))
    loans = _loans()
    new = _by_partner(loans.filter(disbursed_on__gte=month, disbursed_on__lt=after, disbursed_on__lte=day),
                      n=Count("id"), amount=Sum("principal"))
    early = _by_partner(loans.filter(disbursed_on__gt=shift_month(month, -EARLY_DEFAULT_MOB), days_past_due__gt=30),
                        amount=Sum("principal"))
    balance = _by_partner(loans.filter(status=Loan.Status.ACTIVE, disbursed_on__lte=day),
                          amount=Sum("outstanding_principal"))
    cells: dict[int, list[Cell]] = defaultdict(list)
    buckets = {name: Coalesce(Sum("outstanding_principal", filter=Q(days_past_due__gt=days)), Decimal("0"))
               for name, days in BUCKETS.items()}
    for row in loans.filter(disbursed_on__lte=day).annotate(cohort=TruncMonth("disbursed_on")).values(
            "channel", "cohort").annotate(disbursed=Sum("principal"), **buckets).order_by():
        cohort = row["cohort"]
        mob = (month.year - cohort.year) * 12 + month.month - cohort.month
        cells[row["channel"]].append(Cell(cohort, mob, row["disbursed"], row["m1"], row["m2"], row["m3"]))
    fee_rates = dict(Terms.objects.values_list("partner_id", "fee_rate"))
    # Complaints, audit findings and data incidents are recorded on the month by channels; they are kept.
    conduct = {row[0]: row[1:] for row in MonthFact.objects.filter(month=month).values_list(
        "partner_id", "complaints", "findings", "incidents")}
    partners = set(Partner.objects.filter(status__in=Partner.LISTED).values_list("pk", flat=True))
    partners |= set(leads) | set(apps) | set(new) | set(balance) | set(cells)
    facts = []
    for pid in sorted(partners):
        disbursed = (new.get(pid) or {}).get("amount") or Decimal("0")
        rate = fee_rates.get(pid, Decimal("0"))
        early_amount = (early.get(pid) or {}).get("amount") or Decimal("0")
        complaints, findings, incidents = conduct.get(pid, (0, 0, 0))
        facts.append(MonthFacts(
            partner_id=pid, month=month, leads=leads.get(pid, 0), applications=(apps.get(pid) or {}).get("n", 0),
            approved=(apps.get(pid) or {}).get("approved", 0), loans=(new.get(pid) or {}).get("n", 0),
            disbursed=disbursed, balance=(balance.get(pid) or {}).get("amount") or Decimal("0"),
            complaints=complaints, findings=findings, incidents=incidents,
            fees=(disbursed * rate).quantize(Decimal("0.01")), clawback=(early_amount * rate).quantize(Decimal("0.01")),
            cells=cells.get(pid, [])))
    return facts


def stage_channel_facts(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    """Load the partners' facts of the business date's month, so the monthly re-tiering reads fresh figures."""
    facts = month_facts(day)
    if not facts:
        return {"partners": 0, "rows": 0}
    rows = partner_facts_load(actor=acting, facts=facts)
    return {"partners": len(facts), "rows": rows}
