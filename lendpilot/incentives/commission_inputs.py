"""The facts a commission statement is computed from, read set-based for many people at once or for one:
the month's quota and disbursed amount per account manager, the loans sold and the loans that turned
non-performing within the plan's clawback window. The monthly run and the running month-to-date estimate
read the same facts, so the estimate is what the run will say if nothing else happens."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import F, Sum

from lendpilot.core.months import shift_month
from lendpilot.incentives import commission
from lendpilot.incentives.models import CommissionLine
from lendpilot.lending.classification import NPL_CLASSES
from lendpilot.lending.models import Loan
from lendpilot.planning.models import Quota


def month_end(month: date) -> date:
    return date.fromordinal(shift_month(month, 1).toordinal() - 1)


def month_figures(month: date, until: date | None = None,
                  staff_ids: Iterable[int] | None = None) -> tuple[dict, dict]:
    """Quota (base) and disbursed amount per manager for the month (up to `until`): two grouped queries."""
    quotas = Quota.objects.filter(month=month)
    loans = Loan.objects.filter(disbursed_on__range=(month, until or month_end(month)))
    if staff_ids is not None:
        quotas, loans = quotas.filter(staff_id__in=staff_ids), loans.filter(borrower__manager_id__in=staff_ids)
    disbursed = {r["borrower__manager_id"]: r["s"] for r in loans.values("borrower__manager_id").annotate(
        s=Sum("principal"))}
    return dict(quotas.values_list("staff_id", "base")), disbursed


def month_sales(month: date, until: date,
                staff_ids: Iterable[int] | None = None) -> dict[int, list[commission.LoanSale]]:
    """Every loan disbursed in the month up to `until`, per manager, in loan order."""
    loans = Loan.objects.filter(disbursed_on__range=(month, until))
    if staff_ids is not None:
        loans = loans.filter(borrower__manager_id__in=staff_ids)
    sales: dict[int, list[commission.LoanSale]] = defaultdict(list)
    for loan_id, manager_id, category, principal in loans.values_list(
            "id", "borrower__manager_id", "product__category", "principal").order_by("id").iterator(chunk_size=5000):
        sales[manager_id].append(commission.LoanSale(loan_id=loan_id, category=category, amount=principal))
    return sales


def month_defaults(plan: commission.Plan, month: date, until: date,
                   staff_ids: Iterable[int] | None = None) -> dict[int, list[commission.Default]]:
    """Loans disbursed within the clawback window that are non-performing now and were not clawed back in
    another month's current statement."""
    defaults: dict[int, list[commission.Default]] = defaultdict(list)
    if not plan.clawback_months:
        return defaults
    clawed = CommissionLine.objects.filter(rule__startswith="clawback", version__number=F(
        "statement__version")).exclude(statement__month=month).values("loan_id")
    loans = Loan.objects.filter(risk_class__in=NPL_CLASSES, disbursed_on__gte=shift_month(month, -plan.clawback_months),
                                disbursed_on__lte=until).exclude(id__in=clawed)
    if staff_ids is not None:
        loans = loans.filter(borrower__manager_id__in=staff_ids)
    for loan_id, manager_id, category, principal, on in loans.values_list(
            "id", "borrower__manager_id", "product__category", "principal", "disbursed_on").iterator(chunk_size=5000):
        on_book = (until.year - on.year) * 12 + until.month - on.month
        defaults[manager_id].append(commission.Default(loan_id=loan_id, category=category, amount=principal,
                                                       months_on_book=on_book))
    return defaults


def statements_computed(plan: commission.Plan, month: date, staff_ids: list[int],
                        until: date | None = None) -> dict[int, commission.Statement]:
    """Each listed person's statement for the month up to `until` (the whole month by default), from the
    facts read set-based: the monthly run with the whole month, the running estimate with today."""
    until = until or month_end(month)
    quotas, disbursed = month_figures(month, until, staff_ids)
    sales = month_sales(month, until, staff_ids)
    defaults = month_defaults(plan, month, until, staff_ids)
    return {staff_id: commission.compute_statement(
        plan, quota=quotas.get(staff_id, Decimal(0)), sales=sales.get(staff_id, ()),
        defaults=defaults.get(staff_id, ()), disbursed=disbursed.get(staff_id, Decimal(0))) for staff_id in staff_ids}
