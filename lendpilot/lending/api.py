"""REST endpoints of lending (thin: parse, call a selector or service, return a schema).

Errors: a bad field is 422 naming it (Django ValidationError, turned into `detail` by lendpilot.api), a
lost race or repeated action 409 (`Conflict`), a missing permission 403, an object outside the
caller's scope 404. A refused CSV import is 422 with one entry per bad row and field.
"""

import io
from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile

from lendpilot.channels.models import Partner
from lendpilot.core.schemas import ERRORS, PathId, with_errors
from lendpilot.customers.selectors import customer_get
from lendpilot.lending import selectors
from lendpilot.lending.imports import RepaymentImportError, repayments_import
from lendpilot.lending.models import Application, ClassificationChange, Loan
from lendpilot.lending.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPatch,
    ChecklistMarkIn,
    ClassChangeIn,
    CollateralIn,
    CollateralOut,
    ContractIn,
    ContractOut,
    CreditLineIn,
    CreditLineOut,
    CreditLineStatusIn,
    CrossCheckIn,
    DecisionIn,
    DecisionOut,
    DisburseIn,
    DrawIn,
    ImportErrorOut,
    ImportOut,
    LoanDetailOut,
    LoanOut,
    QueueRowOut,
    RepaymentIn,
    RepaymentOut,
    SettlementQuoteOut,
)
from lendpilot.lending.services import (
    applications,
    approval,
    contracts,
    credit_lines,
    delinquency,
    disbursement,
    repayments,
    settlement,
    terms,
)
from lendpilot.org.access import actor_of
from lendpilot.products.selectors import product_get

router = Router()
MAX_CSV_BYTES = 50 * 1024 * 1024


def _resolve(field: str, getter, *args, **kwargs):
    """An id in the body that does not resolve (or lies outside scope) is a bad field, not a missing page."""
    try:
        return getter(*args, **kwargs)
    except Http404 as exc:
        raise ValidationError({field: _("unknown or not visible")}) from exc


def _application_out(app: Application, *, detail: bool = False) -> dict:
    data = {
        "id": app.pk, "number": app.number, "applicant_id": app.applicant_id, "applicant": app.applicant.name,
        "product_id": app.product_id, "amount": app.amount, "term_months": app.term_months,
        "repayment_method": app.repayment_method, "annual_rate": app.annual_rate, "fee_amount": app.fee_amount,
        "purpose": app.purpose, "risk_grade": app.risk_grade, "monthly_income": app.monthly_income,
        "monthly_debt_payments": app.monthly_debt_payments, "dti": app.dti, "status": app.status,
        "submission_round": app.submission_round, "route": app.route, "step": app.step,
        "current_level": app.current_level, "stage_due_on": app.stage_due_on,
        "escalated": app.escalated_at is not None, "decline_recommended": app.decline_recommended,
        "conditions": app.conditions or {},
    }
    if detail:
        data["ltv"] = terms.loan_to_value(app)
        data["checklist"] = [{"code": e.item.code, "label": e.item.label, "required": e.item.required,
                              "done": e.done, "evidence": e.evidence}
                             for e in app.checklist.select_related("item")]
        data["collateral"] = list(app.collateral.all())
        data["decisions"] = [_decision_out(d) for d in app.decisions.select_related("approver")]
        data["history"] = list(app.status_history.all())
    return data


def _decision_out(d) -> dict:
    return {"id": d.pk, "level": d.level, "outcome": d.outcome, "approver": d.approver.name, "reason": d.reason,
            "conditions": d.conditions, "override": d.override, "within_sla": d.within_sla,
            "decided_at": d.decided_at}


def _loan_out(loan: Loan) -> dict:
    return {"id": loan.pk, "number": loan.number, "borrower_id": loan.borrower_id, "borrower": loan.borrower.name,
            "product_id": loan.product_id, "principal": loan.principal, "annual_rate": loan.annual_rate,
            "term_months": loan.term_months, "repayment_method": loan.repayment_method,
            "disbursed_on": loan.disbursed_on, "outstanding_principal": loan.outstanding_principal,
            "status": loan.status, "days_past_due": loan.days_past_due, "risk_class": loan.risk_class,
            "manual_class": loan.manual_class, "credit_line_id": loan.credit_line_id,
            "unapplied_credit": loan.unapplied_credit}


def _contract_out(contract) -> dict:
    return {"id": contract.pk, "number": contract.number, "application_id": contract.application_id,
            "principal": contract.principal, "annual_rate": contract.annual_rate, "apr": contract.apr,
            "term_months": contract.term_months, "repayment_method": contract.repayment_method,
            "status": contract.status, "disclosures": contract.disclosures,
            "missing_disclosures": contracts.disclosure_gaps(contract)}


def _line_out(line) -> dict:
    return {"id": line.pk, "number": line.number, "customer_id": line.customer_id, "product_id": line.product_id,
            "limit": line.limit, "utilised": line.utilised, "available": line.available,
            "annual_rate": line.annual_rate, "expires_on": line.expires_on, "status": line.status,
            "status_reason": line.status_reason}


# ------------------------------------------------------------------------------------- applications

@router.get("/applications", response=with_errors({200: list[ApplicationOut]}))
def application_list(request, status: str | None = None, limit: int = 100):
    qs = selectors.applications_visible(actor_of(request.user), status=status)[: max(1, min(limit, 500))]
    return [_application_out(a) for a in qs]


@router.post("/applications", response=with_errors({201: ApplicationOut}))
def application_create(request, payload: ApplicationIn):
    actor = actor_of(request.user)
    applicant = _resolve("applicant_id", customer_get, actor, payload.applicant_id)
    product = _resolve("product_id", product_get, actor, product_id=payload.product_id)
    partner = None
    if payload.partner_id is not None:
        partner = Partner.objects.filter(pk=payload.partner_id).first()  # the service checks the published list
        if partner is None:
            raise ValidationError({"partner_id": _("unknown partner")})
    data = payload.dict(exclude={"applicant_id", "product_id", "applicant_facts", "partner_id"})
    data["applicant_facts"] = payload.applicant_facts.dict() if payload.applicant_facts else {}
    app = applications.application_create(actor=request.user, applicant=applicant, product=product,
                                          partner=partner, **data)
    return Status(201, _application_out(app, detail=True))


@router.get("/applications/{application_id}", response=with_errors({200: ApplicationOut}))
def application_detail(request, application_id: PathId):
    return _application_out(selectors.application_get(actor_of(request.user), application_id), detail=True)


@router.patch("/applications/{application_id}", response=with_errors({200: ApplicationOut}))
def application_update(request, application_id: PathId, payload: ApplicationPatch):
    app = selectors.application_get(actor_of(request.user), application_id)
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    app = applications.application_update(actor=request.user, application=app, **changes)
    return _application_out(app, detail=True)


@router.post("/applications/{application_id}/collateral", response=with_errors({201: CollateralOut}))
def collateral_add(request, application_id: PathId, payload: CollateralIn):
    app = selectors.application_get(actor_of(request.user), application_id)
    return Status(201, applications.collateral_add(actor=request.user, application=app, **payload.dict()))


@router.post("/applications/{application_id}/checklist/{code}", response=with_errors({200: ApplicationOut}))
def checklist_mark(request, application_id: PathId, code: str, payload: ChecklistMarkIn):
    app = selectors.application_get(actor_of(request.user), application_id)
    applications.checklist_mark(actor=request.user, application=app, item_code=code, **payload.dict())
    return _application_out(app, detail=True)


@router.post("/applications/{application_id}/cross-checks", response=with_errors({200: ApplicationOut}))
def cross_check(request, application_id: PathId, payload: CrossCheckIn):
    app = selectors.application_get(actor_of(request.user), application_id)
    applications.cross_check_record(actor=request.user, application=app, **payload.dict())
    return _application_out(app, detail=True)


@router.post("/applications/{application_id}/rate-approval", response=with_errors({200: ApplicationOut}))
def rate_approve(request, application_id: PathId):
    app = selectors.application_get(actor_of(request.user), application_id)
    return _application_out(applications.application_rate_approve(actor=request.user, application=app), detail=True)


@router.post("/applications/{application_id}/submit", response=with_errors({200: ApplicationOut}))
def application_submit(request, application_id: PathId):
    app = selectors.application_get(actor_of(request.user), application_id)
    return _application_out(approval.application_submit(actor=request.user, application=app), detail=True)


@router.post("/applications/{application_id}/withdraw", response=with_errors({200: ApplicationOut}))
def application_withdraw(request, application_id: PathId):
    app = selectors.application_get(actor_of(request.user), application_id)
    return _application_out(applications.application_withdraw(actor=request.user, application=app), detail=True)


@router.post("/applications/{application_id}/decide", response=with_errors({200: DecisionOut}))
def application_decide(request, application_id: PathId, payload: DecisionIn):
    app = selectors.application_get(actor_of(request.user), application_id)
    decision = approval.application_decide(actor=request.user, application=app, **payload.dict())
    return _decision_out(decision)


@router.get("/queues/{level}", response=with_errors({200: list[QueueRowOut]}))
def approval_queue(request, level: int):
    if level not in (1, 2, 3, 4):
        raise ValidationError({"level": _("level is 1 (initial), 2 (secondary), 3 (final) or 4 (director)")})
    rows = selectors.approval_queue(actor_of(request.user), level=level)
    return [{"id": r.application.pk, "number": r.application.number, "applicant": r.application.applicant.name,
             "amount": r.application.amount, "risk_grade": r.application.risk_grade,
             "stage_due_on": r.application.stage_due_on, "sla": r.sla, "escalated": r.escalated,
             "step": r.application.step, "deciding": r.waiting.deciding, "officers_able": r.waiting.count,
             "waiting_for": r.waiting.label, "you_can_act": r.viewer_can_act} for r in rows]


# ------------------------------------------------------------------------------ contracts and loans

@router.post("/applications/{application_id}/contract", response=with_errors({201: ContractOut}))
def contract_generate(request, application_id: PathId, payload: ContractIn):
    app = selectors.application_get(actor_of(request.user), application_id)
    contract = contracts.contract_generate(actor=request.user, application=app, start=payload.start)
    return Status(201, _contract_out(contract))


@router.get("/contracts/{contract_id}", response=with_errors({200: ContractOut}))
def contract_detail(request, contract_id: PathId):
    return _contract_out(selectors.contract_get(actor_of(request.user), contract_id))


@router.post("/contracts/{contract_id}/sign", response=with_errors({200: ContractOut}))
def contract_sign(request, contract_id: PathId):
    contract = selectors.contract_get(actor_of(request.user), contract_id)
    return _contract_out(contracts.contract_sign(actor=request.user, contract=contract))


@router.post("/contracts/{contract_id}/disbursement-request", response=with_errors({200: ContractOut}))
def contract_disbursement_request(request, contract_id: PathId):
    """Above the configured amount, the first operations officer's request; a second one disburses."""
    contract = selectors.contract_get(actor_of(request.user), contract_id)
    return _contract_out(disbursement.disbursement_request(actor=request.user, contract=contract))


@router.post("/contracts/{contract_id}/disburse", response=with_errors({201: LoanOut}))
def contract_disburse(request, contract_id: PathId, payload: DisburseIn):
    contract = selectors.contract_get(actor_of(request.user), contract_id)
    loan = disbursement.loan_disburse(actor=request.user, contract=contract, disbursed_on=payload.disbursed_on)
    return Status(201, _loan_out(loan))


@router.get("/loans", response=with_errors({200: list[LoanOut]}))
def loan_list(request, risk_class: int | None = None, limit: int = 100):
    qs = selectors.loans_visible(actor_of(request.user), risk_class=risk_class)[: max(1, min(limit, 500))]
    return [_loan_out(loan) for loan in qs]


@router.get("/loans/{loan_id}", response=with_errors({200: LoanDetailOut}))
def loan_detail(request, loan_id: PathId):
    loan = selectors.loan_get(actor_of(request.user), loan_id)
    return {**_loan_out(loan), "schedule": list(loan.instalments.order_by("seq")),
            "repayments": list(loan.repayments.order_by("value_date", "id"))}


@router.post("/loans/{loan_id}/downgrade", response=with_errors({200: LoanOut}))
def loan_downgrade(request, loan_id: PathId, payload: ClassChangeIn):
    loan = selectors.loan_get(actor_of(request.user), loan_id)
    delinquency.loan_downgrade(actor=request.user, loan=loan, **payload.dict())
    loan.refresh_from_db()
    return _loan_out(loan)


@router.post("/loans/{loan_id}/upgrade-request", response=with_errors({201: dict}))
def loan_upgrade_request(request, loan_id: PathId, payload: ClassChangeIn):
    loan = selectors.loan_get(actor_of(request.user), loan_id)
    change = delinquency.loan_upgrade_request(actor=request.user, loan=loan, **payload.dict())
    return Status(201, {"id": change.pk, "status": change.status})


@router.post("/class-changes/{change_id}/{verdict}", response=with_errors({200: dict}))
def loan_upgrade_decide(request, change_id: PathId, verdict: str):
    if verdict not in ("approve", "reject"):
        raise ValidationError({"verdict": _("approve or reject")})
    change = ClassificationChange.objects.filter(pk=change_id).first()
    if change is None or not selectors.loans_visible(actor_of(request.user)).filter(pk=change.loan_id).exists():
        raise Http404("classification change not found")
    change = delinquency.loan_upgrade_decide(actor=request.user, change=change, approve=verdict == "approve")
    return {"id": change.pk, "status": change.status}


# --------------------------------------------------------------------------------------- repayments

@router.post("/repayments", response=with_errors({201: RepaymentOut}))
def repayment_post(request, payload: RepaymentIn):
    loan = selectors.loans_visible(actor_of(request.user)).filter(number=payload.loan_number).first()
    if loan is None:
        raise ValidationError({"loan_number": _("unknown loan")})
    repayment = repayments.repayment_post(actor=request.user, loan=loan, **payload.dict(exclude={"loan_number"}))
    return Status(201, repayment)


@router.post("/repayments/import", response={200: ImportOut, **ERRORS, 422: ImportErrorOut})
def repayment_import(request, file: UploadedFile = File(...)):  # noqa: B008 - ninja's declaration style
    if file.size and file.size > MAX_CSV_BYTES:
        raise ValidationError({"file": _("the file is larger than 50 MB")})
    # Read as a stream: a 100,000-row file is never held as one string.
    lines = io.TextIOWrapper(file.file, encoding="utf-8-sig", newline="")
    try:
        result = repayments_import(actor=request.user, text=lines)
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": _("the file is not UTF-8 text")}) from exc
    except RepaymentImportError as exc:
        detail = [{"loc": ["file", "row", e.row, e.field], "msg": e.message, "type": "value_error"}
                  for e in exc.errors]
        return Status(422, {"detail": detail})
    return Status(200, result.as_dict())


@router.get("/loans/{loan_id}/settlement-quote", response=with_errors({200: SettlementQuoteOut}))
def settlement_quote(request, loan_id: PathId, value_date: date):
    """What settles the loan early (提前结清) on `value_date`: what is due with penalty to the date, the
    principal not yet due, the interest accrued on it to the date and the product's settlement fee."""
    loan = selectors.loan_get(actor_of(request.user), loan_id)
    if value_date < loan.disbursed_on:
        raise ValidationError({"value_date": _("the value date lies before the disbursement")})
    return {"loan_number": loan.number, "unapplied_credit": loan.unapplied_credit,
            **settlement.quote_settlement(loan, value_date).as_dict()}


# ------------------------------------------------------------------------------------- credit lines

@router.get("/credit-lines", response=with_errors({200: list[CreditLineOut]}))
def credit_line_list(request):
    return [_line_out(line) for line in selectors.credit_lines_visible(actor_of(request.user))[:500]]


@router.post("/credit-lines", response=with_errors({201: CreditLineOut}))
def credit_line_create(request, payload: CreditLineIn):
    actor = actor_of(request.user)
    customer = _resolve("customer_id", customer_get, actor, payload.customer_id)
    product = _resolve("product_id", product_get, actor, product_id=payload.product_id)
    line = credit_lines.credit_line_create(actor=request.user, customer=customer, product=product,
                                       **payload.dict(exclude={"customer_id", "product_id"}))
    return Status(201, _line_out(line))


@router.post("/credit-lines/{line_id}/status", response=with_errors({200: CreditLineOut}))
def credit_line_status(request, line_id: PathId, payload: CreditLineStatusIn):
    line = selectors.credit_line_get(actor_of(request.user), line_id)
    return _line_out(credit_lines.credit_line_set_status(actor=request.user, line=line, **payload.dict()))


@router.post("/credit-lines/{line_id}/draw", response=with_errors({201: LoanOut}))
def credit_line_draw(request, line_id: PathId, payload: DrawIn):
    line = selectors.credit_line_get(actor_of(request.user), line_id)
    return Status(201, _loan_out(credit_lines.credit_line_draw(actor=request.user, line=line, **payload.dict())))
