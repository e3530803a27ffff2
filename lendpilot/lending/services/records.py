"""What every lending write shares: who acts, the case's status trail, numbering, the audit record,
and the case as the acting account manager may change it."""

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.errors import Conflict
from lendpilot.lending.models import Application, StatusChange
from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm

# Who may call a service: a user of the site, an `Actor` already resolved, or None for the system (batch jobs).
Acting = AbstractBaseUser | AnonymousUser | Actor | None

AUDITED_APPLICATION_FIELDS = [
    "number", "applicant_id", "product_id", "amount", "term_months", "repayment_method", "annual_rate",
    "fee_amount", "purpose", "risk_grade", "monthly_income", "monthly_debt_payments", "dti", "status",
    "submission_round", "route", "step", "current_level", "stage_due_on", "conditions", "score",
    "scorecard_version_id", "policy_version_id", "prescreen_id", "stated_collateral_value",
]
LOAN_FIELDS = ["number", "borrower_id", "principal", "annual_rate", "term_months", "repayment_method",
               "disbursed_on", "outstanding_principal", "status", "days_past_due", "risk_class", "manual_class"]


def staff_of(actor: Actor) -> Staff | None:
    return actor.staff


def acting_staff(actor: Actor) -> Staff:
    if actor.staff is None:
        raise ValidationError({"actor": _("this action needs a staff member")})
    return actor.staff


def move_status(application: Application, to_status: str, actor: Actor, note: str = "") -> None:
    StatusChange.objects.create(application=application, from_status=application.status, to_status=to_status,
                                actor=staff_of(actor), note=note[:500])
    application.status = to_status


def new_number(prefix: str) -> str:
    return f"{prefix}{timezone.localdate():%y%m%d}{uuid.uuid4().hex[:8].upper()}"


def audit(actor: Actor, code: str, obj: Model, before: dict[str, Any] | None = None,
          after: dict[str, Any] | None = None) -> None:
    record_event(actor=actor.user, event_code=code, obj=obj, before=before, after=after)


def application_snapshot(application: Application) -> dict[str, Any]:
    return snapshot(application, AUDITED_APPLICATION_FIELDS)


def lock_application(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def check_owner(acting: Actor, application: Application) -> None:
    visible = scope_filter(acting, Application.objects.filter(pk=application.pk), owner="applicant__manager")
    if not visible.exists():
        raise ValidationError({"application": _("the case is outside your data scope")})


def editable_case(acting: Actor, application: Application) -> Application:
    """The case locked for a change by its account manager: only a draft or a returned case changes."""
    require(acting, Perm.APPLY_LOAN)
    application = lock_application(application)
    check_owner(acting, application)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        raise Conflict(_("only a draft or returned case can be changed"), field="status")
    return application
