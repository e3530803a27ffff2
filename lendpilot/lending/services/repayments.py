"""Posting repayments (X1): validation, allocation, back-dated re-valuation, credit applied at day end."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.errors import Conflict
from lendpilot.core.field_values import read_money
from lendpilot.lending.allocation import (
    reverse_penalty,
)
from lendpilot.lending.classification import DEFAULT_THRESHOLDS, Thresholds, classify, days_past_due
from lendpilot.lending.models import (
    CreditLine,
    Instalment,
    Loan,
    Repayment,
)
from lendpilot.lending.services.instalments import accrue_to, apply_to_instalments, open_instalments
from lendpilot.lending.services.records import (
    LOAN_FIELDS,
    Acting,
    audit,
    staff_of,
)
from lendpilot.lending.services.settlement import repay_early, settle_in_full
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


def validate_repayment(*, external_ref, amount, value_date) -> tuple[str, Decimal, date]:
    errors: dict[str, str] = {}
    ref = str(external_ref or "").strip()
    if not ref or len(ref) > 64:
        errors["external_ref"] = _("an external reference of 1 to 64 characters is required")
    money = read_money(amount, field="amount", errors=errors, required=True, positive=True)
    if isinstance(value_date, str):
        try:
            value_date = date.fromisoformat(value_date.strip())
        except ValueError:
            errors["value_date"] = _("not a date (YYYY-MM-DD)")
    elif not isinstance(value_date, date):
        errors["value_date"] = _("not a date (YYYY-MM-DD)")
    if isinstance(value_date, date) and value_date > timezone.localdate():
        errors["value_date"] = _("the value date lies in the future")
    if errors or money is None or not isinstance(value_date, date):
        raise ValidationError(errors)
    return ref, money, value_date


REPAYMENT_KINDS = tuple(Repayment.Kind.values)
PREPAYMENT_MODES = ("reduce_payment", "shorten_term")
AUDIT_CODES: dict[str, str] = {Repayment.Kind.PREPAYMENT: "lending.loan_prepaid",
                               Repayment.Kind.SETTLEMENT: "lending.loan_settled_early"}



def _reverse_after(loan: Loan, value_date: date) -> tuple[date | None, Decimal]:
    """Penalty accrued (by the EOD) after a back-dated value date taken back; (the accrual horizon, amount)."""
    opened = list(loan.instalments.filter(is_settled=False).order_by("seq"))
    horizon = max((i.penalty_through for i in opened if i.penalty_through), default=None)
    if horizon is None or horizon <= value_date:
        return None, Decimal("0.00")
    reversed_ = reverse_penalty(open_instalments(opened), value_date=value_date, annual_rate=loan.annual_rate,
                                multiplier=loan.penalty_multiplier)
    taken = Decimal("0.00")
    for inst, acc in zip(opened, reversed_, strict=True):
        taken += inst.penalty_accrued - (inst.penalty_paid + acc.penalty)
        inst.penalty_accrued, inst.penalty_through = inst.penalty_paid + acc.penalty, acc.penalty_through
    Instalment.objects.bulk_update(opened, ["penalty_accrued", "penalty_through"])
    return horizon, taken


def _reaccrue(loan: Loan, horizon: date) -> Decimal:
    opened = list(loan.instalments.filter(is_settled=False).order_by("seq"))
    before = sum((i.penalty_accrued for i in opened), Decimal("0.00"))
    accrue_to(loan, opened, horizon)
    Instalment.objects.bulk_update(opened, ["penalty_accrued", "penalty_through"])
    return sum((i.penalty_accrued for i in opened), Decimal("0.00")) - before


def _redate_delinquency(loan: Loan, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
    """Days past due and class as of the loan's last delinquency date, from its instalments as they now stand."""
    as_of = loan.dpd_as_of or timezone.localdate()
    oldest = loan.instalments.filter(is_settled=False, due_day__lt=as_of.toordinal()).order_by("due_day") \
        .values_list("due_date", flat=True).first()
    loan.days_past_due = 0 if loan.status != Loan.Status.ACTIVE else days_past_due(as_of, oldest)
    loan.risk_class = classify(loan.days_past_due, loan.manual_class, thresholds)


@transaction.atomic
def repayment_post(*, actor: Acting, loan: Loan, external_ref: str, amount, value_date, prepayment: bool = False,
                   prepayment_mode: str = "reduce_payment", kind: str | None = None,
                   source: str = Repayment.Source.API, batch: str = "") -> Repayment:
    """Post one repayment from the core-banking feed. The reference is posted once: a repeat (or a
    concurrent twin) gets `Conflict` naming `external_ref` and changes nothing.

    `kind` is what the borrower declared: `regular` pays what is due and holds the rest as credit;
    `prepayment` (提前还款, or `prepayment=True`) makes the amount beyond what is due an early repayment
    that recalculates the remaining schedule (`prepayment_mode`: reduce_payment or shorten_term);
    `settlement` (提前结清) settles the loan at the quote of the value date (`quote_settlement`).

    A value date before penalty already accrued (by the EOD) re-values the loan: the accrual after the
    value date is taken back, the repayment applied as on its date, penalty re-accrued to where it stood
    on the lower balance, days past due and class recomputed; the change is kept in `revaluation`."""
    acting = actor_of(actor)
    require(acting, Perm.POST_REPAYMENT)
    ref, amount, value_date = validate_repayment(external_ref=external_ref, amount=amount, value_date=value_date)
    kind = kind or (Repayment.Kind.PREPAYMENT if prepayment else Repayment.Kind.REGULAR)
    if kind not in REPAYMENT_KINDS:
        raise ValidationError({"kind": _("kind is regular, prepayment or settlement")})
    if prepayment_mode not in PREPAYMENT_MODES:
        raise ValidationError({"prepayment_mode": _("mode is reduce_payment or shorten_term")})
    if Repayment.objects.filter(external_ref=ref).exists():
        raise Conflict(_("repayment %(ref)s was already posted") % {"ref": ref}, field="external_ref")
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    # Re-check after the lock: a concurrent post of the same reference has committed by now.
    if Repayment.objects.filter(external_ref=ref).exists():
        raise Conflict(_("repayment %(ref)s was already posted") % {"ref": ref}, field="external_ref")
    if loan.status != Loan.Status.ACTIVE:
        raise ValidationError({"loan": _("the loan is settled")})
    if value_date < loan.disbursed_on:
        raise ValidationError({"value_date": _("the value date lies before the disbursement")})
    latest = loan.repayments.order_by("-value_date").values_list("value_date", flat=True).first()
    if latest and value_date < latest:
        raise ValidationError({"value_date": _("a repayment with the later value date %(date)s is already posted; "
                                               "repayments of a loan are posted in value-date order") % {
            "date": latest.isoformat()}})
    before = snapshot(loan, LOAN_FIELDS)
    dpd_before, class_before = loan.days_past_due, loan.risk_class
    horizon, taken_back = _reverse_after(loan, value_date)
    instalments = list(loan.instalments.filter(is_settled=False).order_by("seq"))
    if kind == Repayment.Kind.PREPAYMENT:
        applied = repay_early(loan, instalments, amount=amount, value_date=value_date, mode=prepayment_mode)
    elif kind == Repayment.Kind.SETTLEMENT:
        applied = settle_in_full(loan, instalments, amount=amount, value_date=value_date)
    else:
        applied = apply_to_instalments(loan, instalments, amount=amount, value_date=value_date)
        Instalment.objects.bulk_update(instalments, ["principal_paid", "interest_paid", "penalty_paid",
                                                     "penalty_accrued", "penalty_through", "is_settled"])
    revaluation: dict = {}
    if horizon is not None:
        reaccrued = _reaccrue(loan, horizon) if loan.status == Loan.Status.ACTIVE else Decimal("0.00")
        _redate_delinquency(loan)
        revaluation = {"from": value_date.isoformat(), "through": horizon.isoformat(),
                       "penalty_taken_back": str(taken_back), "penalty_reaccrued": str(reaccrued),
                       "days_past_due": [dpd_before, loan.days_past_due], "risk_class": [class_before, loan.risk_class]}
    elif loan.dpd_as_of and value_date <= loan.dpd_as_of:
        _redate_delinquency(loan)
    loan.save(update_fields=["outstanding_principal", "status", "unapplied_credit", "days_past_due", "risk_class"])
    if loan.credit_line_id and applied.principal:
        CreditLine.objects.filter(pk=loan.credit_line_id).update(
            utilised=Greatest(F("utilised") - applied.principal, Value(Decimal("0.00"))))
    try:
        with transaction.atomic():
            repayment = Repayment.objects.create(
                loan=loan, external_ref=ref, amount=amount, value_date=value_date, penalty_part=applied.penalty,
                interest_part=applied.interest, principal_part=applied.principal, fee_part=applied.fee,
                unapplied=applied.unapplied, credit_used=applied.credit_used, kind=kind, source=source, batch=batch,
                revaluation=revaluation, posted_by=staff_of(acting))
    except IntegrityError as exc:
        raise Conflict(_("repayment %(ref)s was already posted") % {"ref": ref}, field="external_ref") from exc
    code = AUDIT_CODES.get(kind, "lending.repayment_posted")
    audit(acting, code, repayment, before=before,
           after={"repayment": snapshot(repayment), "loan": snapshot(loan, LOAN_FIELDS)})
    return repayment



@transaction.atomic
def loans_apply_credit(*, actor: Acting = None, as_of: date | None = None, loan_ids: list[int] | None = None) -> int:
    """Unapplied credit pays what has fallen due by `as_of` (the EOD calls this before days past due), so a
    borrower who paid ahead is not overdue. Only loans holding credit are read."""
    acting = actor_of(actor)
    as_of = as_of or timezone.localdate()
    loans = Loan.objects.select_for_update().filter(status=Loan.Status.ACTIVE, unapplied_credit__gt=0)
    if loan_ids is not None:
        loans = loans.filter(pk__in=loan_ids)
    moved = []
    for loan in loans.order_by("pk"):
        due = list(loan.instalments.filter(is_settled=False, due_date__lte=as_of).order_by("seq"))
        if not due:
            continue
        credit = loan.unapplied_credit
        applied = apply_to_instalments(loan, due, amount=Decimal("0.00"), value_date=as_of)
        Instalment.objects.bulk_update(due, ["principal_paid", "interest_paid", "penalty_paid", "penalty_accrued",
                                             "penalty_through", "is_settled"])
        loan.save(update_fields=["outstanding_principal", "status", "unapplied_credit"])
        if loan.credit_line_id and applied.principal:
            CreditLine.objects.filter(pk=loan.credit_line_id).update(
                utilised=Greatest(F("utilised") - applied.principal, Value(Decimal("0.00"))))
        moved.append({"loan": loan.number, "credit_before": str(credit), "credit_after": str(loan.unapplied_credit),
                      "penalty": str(applied.penalty), "interest": str(applied.interest),
                      "principal": str(applied.principal)})
    if moved:
        record_event(actor=acting.user, event_code="lending.credit_applied", object_type="batch",
                     object_id=as_of.isoformat(), after={"as_of": as_of.isoformat(), "loans": moved})
    return len(moved)
