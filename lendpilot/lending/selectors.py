"""Scoped reads of lending. Account managers see their customers' cases and loans (through the customer's
manager), leads their team's, heads their region's; risk officers, compliance and operations see all."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.lending import authority
from lendpilot.lending.classification import NPL_CLASSES
from lendpilot.lending.models import Application, Contract, CreditLine, Decision, Loan
from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role

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


def is_deciding_step(application: Application, step: int | None = None) -> bool:
    step = application.step if step is None else step
    return bool(application.route) and step == authority.deciding_step(application.route)


def level_pool(level: int):
    """Everyone who holds `level` (before the four-eyes exclusions of a case): the director at the director
    level, else the active risk officers of exactly that level, so a senior officer never takes a lower
    step and leaves the higher one without anyone."""
    staff = Staff.objects.filter(is_active=True)
    if level == authority.DIRECTOR:
        return staff.filter(role=Role.DIRECTOR)
    return staff.filter(role=Role.RISK_OFFICER, approval_level=level)


def four_eyes_excluded(application: Application, level: int) -> set[int]:
    """Four eyes: the creator, the submitter, whoever approved a below-floor rate, and whoever decided another
    level of this case (any round) or any level of this round."""
    excluded = {pk for pk in (application.created_by_id, application.submitted_by_id, application.rate_approved_by_id)
                if pk}
    excluded.update(Decision.objects.filter(application=application).filter(
        Q(submission_round=application.submission_round) | ~Q(level=level)).values_list("approver_id", flat=True))
    return excluded


def eligible_approvers(application: Application, *, step: int | None = None):
    """The staff who may act on `application` at `step` (default: the current step): reviews are open to the
    officers of that level; at the deciding step a risk officer's amount limit must cover the case."""
    step = application.step if step is None else step
    level = application.route[step]
    pool = level_pool(level)
    if level != authority.DIRECTOR and is_deciding_step(application, step):
        pool = pool.filter(approval_limit__gte=application.amount)
    return pool.exclude(pk__in=four_eyes_excluded(application, level))


@dataclass(frozen=True)
class Waiting:
    """Who a case waits for at its current step: the level, whether it is the decision, how many can act."""

    level: int
    deciding: bool
    count: int
    names: tuple[str, ...]

    @property
    def label(self) -> str:
        return _("waiting for: L%(level)s, %(count)s officer(s)") % {"level": self.level, "count": self.count}


def waiting_for(application: Application) -> Waiting | None:
    if application.status != Application.Status.IN_REVIEW or application.current_level is None:
        return None
    pool = eligible_approvers(application)
    names = tuple(pool.order_by("name").values_list("name", flat=True)[:10])
    return Waiting(application.current_level, is_deciding_step(application), pool.count(), names)


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
    waiting: Waiting | None = None
    viewer_can_act: bool = False


def approval_queue(actor: Actor, *, level: int, today: date | None = None) -> list[QueueRow]:
    """Cases awaiting a decision at `level`, escalated and oldest-due first, with their SLA colour, who may
    act on each (level, how many officers) and whether the viewer is one of them."""
    require(actor, Perm.VIEW_LENDING)
    today = today or timezone.localdate()
    qs = applications_visible(actor, status=Application.Status.IN_REVIEW).filter(current_level=level) \
        .order_by("escalated_at", "stage_due_on", "id")
    cases = list(qs[:500])
    pool = list(level_pool(level).values_list("pk", "approval_limit", "name"))
    excluded = _excluded_by_case(cases, level)
    viewer = actor.staff.pk if actor.staff else None
    rows = []
    for a in cases:
        deciding = is_deciding_step(a)
        can = [(pk, name) for pk, limit, name in pool
               if pk not in excluded.get(a.pk, set())
               and (level == authority.DIRECTOR or not deciding or limit >= a.amount)]
        rows.append(QueueRow(a, sla_colour(a.stage_due_on, today), a.escalated_at is not None,
                             Waiting(level, deciding, len(can), tuple(sorted(n for _pk, n in can))[:10]),
                             any(pk == viewer for pk, _n in can)))
    rows.sort(key=lambda r: (not r.escalated, r.application.stage_due_on or today, r.application.pk))
    return rows


def _excluded_by_case(cases: list[Application], level: int) -> dict[int, set[int]]:
    """`four_eyes_excluded` for many cases in one query."""
    excluded = {a.pk: {pk for pk in (a.created_by_id, a.submitted_by_id, a.rate_approved_by_id) if pk}
                for a in cases}
    rounds = {a.pk: a.submission_round for a in cases}
    for app_id, approver_id, round_, decided_level in Decision.objects.filter(
            application_id__in=list(rounds)).values_list("application_id", "approver_id", "submission_round", "level"):
        if round_ == rounds[app_id] or decided_level != level:
            excluded[app_id].add(approver_id)
    return excluded


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


@dataclass(frozen=True)
class OperationsWork:
    """What operations have to do next: contracts to issue, signatures to record, payouts to make (those
    requested by one officer wait for a second)."""

    to_contract: QuerySet[Application]
    to_sign: QuerySet[Contract]
    to_pay_out: QuerySet[Contract]


def operations_work(actor: Actor) -> OperationsWork:
    require(actor, Perm.VIEW_LENDING)
    return OperationsWork(
        to_contract=applications_visible(actor, status=Application.Status.APPROVED).order_by("updated_at", "id"),
        to_sign=contracts_visible(actor).filter(status=Contract.Status.GENERATED).order_by("generated_at", "id"),
        to_pay_out=contracts_visible(actor).filter(status=Contract.Status.SIGNED)
        .select_related("disbursement_requested_by").order_by("signed_at", "id"))
