"""The month's honours (A8): candidates read set-based, awarded by the rules in `honours`; running again
replaces them. One transaction and one audit record."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum

from lendpilot.compliance.audit import record_event
from lendpilot.core.months import month_start
from lendpilot.incentives import honours
from lendpilot.incentives.commission_inputs import month_end, month_figures
from lendpilot.incentives.models import Honour
from lendpilot.lending.models import Instalment, Loan
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role


def honour_candidates(month: date) -> list[honours.Candidate]:
    """Per account manager: disbursed amount and loans (one grouped query), attainment against the base
    quota, collection rate of instalments due in the month (one grouped query). NPS is not available yet
    (the service package does not exist), so it is left out, not counted as zero."""
    end = month_end(month)
    quotas, _figures = month_figures(month)
    sold = {r["borrower__manager_id"]: r for r in Loan.objects.filter(disbursed_on__range=(month, end)).values(
        "borrower__manager_id").annotate(s=Sum("principal"), n=Count("id"))}
    collected = {r["loan__borrower__manager_id"]: r for r in Instalment.objects.filter(
        due_date__range=(month, end)).values("loan__borrower__manager_id").annotate(
        due=Sum("principal_due") + Sum("interest_due"), paid=Sum("principal_paid") + Sum("interest_paid"))}
    people = Staff.objects.filter(role=Role.ACCOUNT_MANAGER).filter(
        Q(is_active=True) | Q(pk__in=list(sold))).values_list("pk", "employee_no")
    out = []
    for staff_id, employee_no in people:
        s = sold.get(staff_id)
        c = collected.get(staff_id)
        amount = s["s"] if s else Decimal(0)
        quota = quotas.get(staff_id)
        out.append(honours.Candidate(
            staff_id=staff_id, employee_no=employee_no, disbursed=amount, loans=s["n"] if s else 0,
            attainment=(amount / quota).quantize(Decimal("0.0001")) if quota else None,
            collection_rate=(c["paid"] / c["due"]).quantize(Decimal("0.0001")) if c and c["due"] else None))
    return out


@transaction.atomic
def honours_award(*, actor, month: date) -> list[Honour]:
    """Compute the month's honours by the rules; running again replaces them."""
    who = actor_of(actor)
    require(who, Perm.RUN_COMMISSION)
    month = month_start(month)
    awards = honours.award_all(honour_candidates(month))
    Honour.objects.filter(month=month).delete()
    rows = Honour.objects.bulk_create([Honour(month=month, kind=a.kind, staff_id=a.staff_id, value=a.value,
                                              tie_break=a.tie_break) for a in awards])
    record_event(actor=who.user, event_code="incentives.honours_awarded", object_type="incentives.month",
                 object_id=month.isoformat(),
                 after={a.kind: {"staff": a.staff_id, "value": a.value, "tie_break": a.tie_break} for a in awards})
    return rows
