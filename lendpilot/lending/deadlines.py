"""Decision deadlines of cases in review and rolled instalment due dates, moved when a year's business
calendar changes (FEATURES X4): a provisional year that gets its official arrangement changes which
days count."""

from datetime import date, timedelta

from django.db.models import Q

from lendpilot.core.business_calendar import add_business_days, next_business_day
from lendpilot.core.months import add_months
from lendpilot.lending.models import Application, Instalment, Loan
from lendpilot.lending.services.authority_matrix import rules_of


def recompute_stage_deadlines(*, year: int) -> int:
    """Re-derive `stage_due_on` of every case in review whose stage runs through `year`, from the stage's
    start and its matrix version's SLA; returns how many moved. The caller holds the transaction."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    moved = []
    cases = (Application.objects.select_for_update(of=("self",)).select_related("matrix")
             .filter(status=Application.Status.IN_REVIEW, stage_started_on__isnull=False,
                     current_level__isnull=False, stage_started_on__lte=last)
             .filter(Q(stage_due_on__gte=first) | Q(stage_due_on__isnull=True)))
    for case in cases:
        sla = rules_of(case.matrix).sla_business_days.get(case.current_level)
        if sla is None:
            continue
        due = add_business_days(case.stage_started_on, sla)
        if due != case.stage_due_on:
            case.stage_due_on = due
            moved.append(case)
    Application.objects.bulk_update(moved, ["stage_due_on"], batch_size=500)
    return len(moved)


def recompute_due_date_rolls(*, year: int, today: date) -> int:
    """Roll again the open instalments whose contractual date (the disbursement day plus `seq` months)
    lies in `year`, for loans whose terms roll due dates to business days; only due dates from `today`
    on move (a date already passed stays as the customer was told). Interest is not changed by a roll.
    Returns how many moved. The caller holds the transaction."""
    last_reachable = next_business_day(date(year, 12, 31)) + timedelta(days=1)
    moved = []
    instalments = (Instalment.objects.select_for_update(of=("self",)).select_related("loan__contract", "loan__product")
                   .filter(loan__status=Loan.Status.ACTIVE, is_settled=False,
                           due_date__gte=max(today, date(year, 1, 1)), due_date__lte=last_reachable))
    for inst in instalments:
        loan = inst.loan
        terms = loan.contract or loan.product
        if not terms.roll_business_days:
            continue
        contractual = add_months(loan.disbursed_on, inst.seq)
        if contractual.year != year:
            continue
        due = next_business_day(contractual)
        if due != inst.due_date:
            inst.due_date, inst.due_day = due, due.toordinal()
            moved.append(inst)
    Instalment.objects.bulk_update(moved, ["due_date", "due_day"], batch_size=500)
    return len(moved)
