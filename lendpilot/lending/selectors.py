"""Scoped reads of lending. Account managers see their customers' cases and loans (through the customer's
manager), leads their team's, heads their region's; risk officers, compliance and operations see all."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from lendpilot.lending.classification import NPL_CLASSES
from lendpilot.lending.models import Application, Contract, CreditLine, Loan
from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.roles import Perm

APPLICATION_OWNER = "applicant__manager"
LOAN_OWNER = "borrower__manager"


def applications_visible(actor: Actor, *, status: str | None = None) -> QuerySet[Application]:
    require(actor, Perm.VIEW_LENDING)
    qs = scope_filter(actor, Application.objects.select_related("applicant", "product", "created_by"),
                      owner=APPLICATION_OWNER)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def application_get(actor: Actor, application_id: int) -> Application:
    application = applications_visible(actor).filter(pk=application_id).first()
    if application is None:
        raise Http404("application not found")
    return application


def sla_colour(due: date | None, today: date) -> str:
    """green: before the due date; amber: due today; red: overdue."""
    if due is None or today < due:
        return "green"
    return "amber" if today == due else "red"


@dataclass
class QueueRow:
    application: Application
    sla: str
    escalated: bool


def approval_queue(actor: Actor, *, level: int, today: date | None = None) -> list[QueueRow]:
    """Cases awaiting a decision at `level`, escalated and oldest-due first, with their SLA colour."""
    require(actor, Perm.VIEW_LENDING)
    today = today or timezone.localdate()
    qs = applications_visible(actor, status=Application.Status.IN_REVIEW).filter(current_level=level) \
        .order_by("escalated_at", "stage_due_on", "id")
    rows = [QueueRow(a, sla_colour(a.stage_due_on, today), a.escalated_at is not None) for a in qs[:500]]
    rows.sort(key=lambda r: (not r.escalated, r.application.stage_due_on or today, r.application.pk))
    return rows


def contracts_visible(actor: Actor) -> QuerySet[Contract]:
    require(actor, Perm.VIEW_LENDING)
    return scope_filter(actor, Contract.objects.select_related("application", "application__applicant"),
                        owner=f"application__{APPLICATION_OWNER}").order_by("-id")


def contract_get(actor: Actor, contract_id: int) -> Contract:
    contract = contracts_visible(actor).filter(pk=contract_id).first()
    if contract is None:
        raise Http404("contract not found")
    return contract


def loans_visible(actor: Actor, *, risk_class: int | None = None) -> QuerySet[Loan]:
    require(actor, Perm.VIEW_LENDING)
    qs = scope_filter(actor, Loan.objects.select_related("borrower", "product"), owner=LOAN_OWNER)
    if risk_class:
        qs = qs.filter(risk_class=risk_class)
    return qs.order_by("-id")


def loan_get(actor: Actor, loan_id: int) -> Loan:
    loan = loans_visible(actor).filter(pk=loan_id).first()
    if loan is None:
        raise Http404("loan not found")
    return loan


def credit_lines_visible(actor: Actor) -> QuerySet[CreditLine]:
    require(actor, Perm.VIEW_LENDING)
    return scope_filter(actor, CreditLine.objects.select_related("customer", "product"),
                        owner="customer__manager").order_by("-id")


def credit_line_get(actor: Actor, line_id: int) -> CreditLine:
    line = credit_lines_visible(actor).filter(pk=line_id).first()
    if line is None:
        raise Http404("credit line not found")
    return line


def portfolio_quality(actor: Actor) -> dict:
    """Outstanding principal and count per five-category class, and the NPL ratio (by balance)."""
    qs = loans_visible(actor).filter(status=Loan.Status.ACTIVE)
    by_class = {row["risk_class"]: row for row in qs.values("risk_class").annotate(
        balance=Sum("outstanding_principal"), loans=Count("id"))}
    total = sum((row["balance"] or Decimal(0) for row in by_class.values()), Decimal(0))
    npl = qs.filter(Q(risk_class__in=NPL_CLASSES)).aggregate(s=Sum("outstanding_principal"))["s"] or Decimal(0)
    return {"by_class": by_class, "total": total, "npl": npl,
            "npl_ratio": (npl / total).quantize(Decimal("0.0001")) if total else Decimal("0")}
