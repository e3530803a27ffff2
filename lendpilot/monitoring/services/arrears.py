"""The first two EOD stages: days past due and risk class of every loan, then penalty interest."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Round

from lendpilot.lending import services as lending
from lendpilot.lending.models import Instalment, Loan
from lendpilot.monitoring.models import RuleSet
from lendpilot.monitoring.services.tables import MONEY_FIELD
from lendpilot.org.access import Actor


def stage_delinquency(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    summary = lending.loans_update_delinquency(actor=acting, as_of=day)
    return {"loans": summary["loans"]}


def stage_penalty(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    """Penalty interest on overdue principal up to `day`, one UPDATE per distinct accrual start (in a daily
    run: the instalments first overdue today and those accrued through yesterday). Idempotent: accrued
    instalments carry penalty_through = day."""
    rate = Subquery(Loan.objects.filter(pk=OuterRef("loan_id")).annotate(
        r=ExpressionWrapper(F("annual_rate") * F("penalty_multiplier"), output_field=DecimalField(
            max_digits=12, decimal_places=9))).values("r")[:1])
    base = Instalment.objects.filter(is_settled=False, due_day__lt=day.toordinal(),
                                     principal_paid__lt=F("principal_due"))
    open_principal = F("principal_due") - F("principal_paid")

    def accrue(qs: QuerySet[Instalment], days_expr: Combinable) -> int:
        amount = Round(ExpressionWrapper(open_principal * rate * days_expr / Value(Decimal(360)),
                                         output_field=MONEY_FIELD), 2)
        return qs.update(penalty_accrued=F("penalty_accrued") + amount, penalty_through=day)

    n = accrue(base.filter(penalty_through__isnull=True),
               ExpressionWrapper(Value(day.toordinal()) - F("due_day"), output_field=IntegerField()))
    # order_by(): the model's default ordering would make DISTINCT run over (date, loan, seq), one
    # UPDATE per instalment instead of one per accrual start.
    starts = [start for start in base.filter(penalty_through__lt=day).order_by()
              .values_list("penalty_through", flat=True).distinct() if start is not None]
    for start in starts:
        n += accrue(base.filter(penalty_through=start), Value((day - start).days))
    return {"instalments": n, "accrual_starts": len(starts) + 1}
