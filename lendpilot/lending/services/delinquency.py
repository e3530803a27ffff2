"""Days past due and the five-category classification (X2), with manual downgrades and two-person upgrades."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.errors import Conflict
from lendpilot.lending.classification import DEFAULT_THRESHOLDS, NORMAL, Thresholds, classify
from lendpilot.lending.models import (
    ClassificationChange,
    Instalment,
    Loan,
    LoanClass,
)
from lendpilot.lending.services.records import (
    LOAN_FIELDS,
    Acting,
    acting_staff,
    audit,
)
from lendpilot.lending.services.repayments import loans_apply_credit
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


def _class_case(thresholds: Thresholds):
    whens = [When(days_past_due__gt=above, then=Value(klass)) for above, klass in thresholds.bands()]
    return Case(*whens, default=Value(NORMAL), output_field=IntegerField())


@transaction.atomic
def loans_update_delinquency(*, actor: Acting = None, as_of: date | None = None,
                             thresholds: Thresholds = DEFAULT_THRESHOLDS,
                             loan_ids: list[int] | None = None) -> dict[str, str | int]:
    """Days past due and the five-category class of every active loan as of `as_of`, in two set-based
    UPDATE statements (no Python loop): DPD = as_of - the oldest unsettled due date before as_of; class =
    the worse of the DPD band and any manual downgrade. Idempotent for a date; the EOD batch calls it."""
    acting = actor_of(actor)
    as_of = as_of or timezone.localdate()
    loans_apply_credit(actor=acting, as_of=as_of, loan_ids=loan_ids)
    loans = Loan.objects.filter(status=Loan.Status.ACTIVE)
    if loan_ids is not None:
        loans = loans.filter(pk__in=loan_ids)
    oldest = Instalment.objects.filter(loan=OuterRef("pk"), is_settled=False, due_day__lt=as_of.toordinal()) \
        .order_by("due_day").values("due_day")[:1]
    updated = loans.update(
        days_past_due=Coalesce(Value(as_of.toordinal()) - Subquery(oldest, output_field=IntegerField()), Value(0)),
        dpd_as_of=as_of)
    loans.update(risk_class=Greatest(_class_case(thresholds), Coalesce(F("manual_class"), Value(NORMAL))))
    Loan.objects.filter(status=Loan.Status.SETTLED).exclude(days_past_due=0).update(days_past_due=0, dpd_as_of=as_of)
    summary: dict[str, str | int] = {"as_of": as_of.isoformat(), "loans": updated}
    record_event(actor=acting.user, event_code="lending.delinquency_updated", object_type="batch",
                 object_id=as_of.isoformat(), after=summary)
    return summary


def _class_label(klass: int) -> str:
    return str(LoanClass(klass).label)


@transaction.atomic
def loan_downgrade(*, actor: Acting, loan: Loan, to_class: int, reason: str) -> ClassificationChange:
    """A risk officer moves a loan to a worse class at once, with a reason; the class becomes a floor."""
    acting = actor_of(actor)
    require(acting, Perm.CLASSIFY_LOAN)
    if to_class not in LoanClass.values:
        raise ValidationError({"to_class": _("class is 1 (normal) to 5 (loss)")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("give the reason for the downgrade")})
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if to_class <= loan.risk_class:
        raise ValidationError({"to_class": _("a downgrade moves the loan to a worse class than %(now)s") % {
            "now": _class_label(loan.risk_class)}})
    change = ClassificationChange.objects.create(loan=loan, from_class=loan.risk_class, to_class=to_class,
                                                 reason=reason[:300], requested_by=acting_staff(acting),
                                                 status=ClassificationChange.Status.APPLIED,
                                                 decided_at=timezone.now())
    before = snapshot(loan, LOAN_FIELDS)
    loan.manual_class, loan.manual_reason, loan.risk_class = to_class, reason[:300], to_class
    loan.save(update_fields=["manual_class", "manual_reason", "risk_class"])
    audit(acting, "lending.class_downgraded", loan, before=before, after=snapshot(loan, LOAN_FIELDS))
    return change


@transaction.atomic
def loan_upgrade_request(*, actor: Acting, loan: Loan, to_class: int, reason: str) -> ClassificationChange:
    """Asking to lift a manual downgrade; it takes effect only when a second risk officer approves."""
    acting = actor_of(actor)
    require(acting, Perm.CLASSIFY_LOAN)
    if to_class not in LoanClass.values:
        raise ValidationError({"to_class": _("class is 1 (normal) to 5 (loss)")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("give the reason for the upgrade")})
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if loan.manual_class is None or to_class >= loan.manual_class:
        raise ValidationError({"to_class": _("an upgrade lowers a manual downgrade to a better class")})
    if loan.class_changes.filter(status=ClassificationChange.Status.PENDING).exists():
        raise Conflict(_("an upgrade of this loan already awaits a second approver"))
    change = ClassificationChange.objects.create(loan=loan, from_class=loan.manual_class, to_class=to_class,
                                                 reason=reason[:300], requested_by=acting_staff(acting),
                                                 status=ClassificationChange.Status.PENDING)
    audit(acting, "lending.class_upgrade_requested", change, after=snapshot(change))
    return change


@transaction.atomic
def loan_upgrade_decide(*, actor: Acting, change: ClassificationChange, approve: bool,
                        thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ClassificationChange:
    acting = actor_of(actor)
    require(acting, Perm.CLASSIFY_LOAN)
    change = ClassificationChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ClassificationChange.Status.PENDING:
        raise Conflict(_("the request was already decided"))
    staff = acting_staff(acting)
    if staff.pk == change.requested_by_id:
        raise ValidationError({"approver": _("an upgrade needs a second approver, not the requester")})
    loan = Loan.objects.select_for_update().get(pk=change.loan_id)
    before = snapshot(loan, LOAN_FIELDS)
    change.approved_by, change.decided_at = staff, timezone.now()
    change.status = ClassificationChange.Status.APPLIED if approve else ClassificationChange.Status.REJECTED
    change.save()
    if approve:
        loan.manual_class = None if change.to_class == NORMAL else change.to_class
        loan.risk_class = classify(loan.days_past_due, loan.manual_class, thresholds)
        loan.save(update_fields=["manual_class", "risk_class"])
    audit(acting, "lending.class_upgrade_decided", change, before=before,
           after={"change": snapshot(change), "loan": snapshot(loan, LOAN_FIELDS)})
    return change
