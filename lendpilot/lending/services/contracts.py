"""The contract of an approved case: schedule, APR and disclosures, and the recorded signature."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.checkpoints.checklist import GAP_LABELS, ContractFacts, contract_gaps
from lendpilot.core.errors import Conflict
from lendpilot.customers.models import Customer
from lendpilot.lending.models import (
    Application,
    Contract,
    CrossCheck,
)
from lendpilot.lending.schedule import annualised_rate, build_schedule, totals
from lendpilot.lending.services.records import (
    Acting,
    acting_staff,
    application_snapshot,
    audit,
    lock_application,
    move_status,
    new_number,
)
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

REQUIRED_DISCLOSURES = ("annual_rate", "apr", "total_interest", "total_repayment", "fees", "penalty_rate",
                        "prepayment_terms", "repayment_method", "schedule")


def schedule_json(rows) -> list[dict]:
    return [{"seq": r.seq, "due_date": r.due_date.isoformat(), "principal": str(r.principal),
             "interest": str(r.interest), "payment": str(r.payment), "balance_after": str(r.balance_after)}
            for r in rows]


def disclosure_gaps(contract: Contract) -> list[str]:
    """The compliance checkpoint before signing: every required disclosure present and non-empty."""
    disclosures = contract.disclosures or {}
    return [key for key in REQUIRED_DISCLOSURES if disclosures.get(key) in (None, "", [], {})]


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def signing_facts(contract: Contract) -> ContractFacts:
    """What compliance's signing checkpoint (C7) reads from a contract: the APR, the total cost of the credit
    (interest and fees), the penalty terms, the cooling-off period where the product has one, and the signer's
    identity step: an identity document on file for the borrower and no failed identity check on the case."""
    disclosures = contract.disclosures or {}
    application = contract.application
    product = application.product
    interest, fees = _decimal(disclosures.get("total_interest")), _decimal(disclosures.get("fees"))
    total_cost = interest + fees if interest is not None and fees is not None else None
    penalty = ""
    if _decimal(disclosures.get("penalty_rate")) is not None:
        penalty = str(disclosures["penalty_rate"])
    product_cooling_off = getattr(product, "cooling_off_days", None) or 0
    applicant = application.applicant
    has_document = bool(applicant.id_number_hash if applicant.kind == Customer.Kind.PERSON else applicant.credit_code)
    identity = application.cross_checks.filter(kind=CrossCheck.Kind.IDENTITY_VS_BUREAU).order_by("-pk").first()
    return ContractFacts(apr=contract.apr, total_cost=total_cost, penalty_terms=penalty,
                         cooling_off_days=disclosures.get("cooling_off_days") or None,
                         product_has_cooling_off=product_cooling_off > 0,
                         identity_verified=has_document and (identity is None or identity.passed))


@transaction.atomic
def contract_generate(*, actor: Acting, application: Application, start: date | None = None) -> Contract:
    """The contract of an approved case, with the APR (IRR method, fees included), the full schedule (dated
    from `start`, re-dated at disbursement) and the required disclosures."""
    acting = actor_of(actor)
    require(acting, Perm.ISSUE_CONTRACT)
    application = lock_application(application)
    if application.status != Application.Status.APPROVED:
        raise Conflict(_("a contract is generated for an approved case"), field="status")
    start = start or timezone.localdate()
    product = application.product
    rows = build_schedule(principal=application.amount, annual_rate=application.annual_rate,
                          periods=application.term_months, method=application.repayment_method, start=start,
                          roll_business_days=product.roll_business_days)
    apr = annualised_rate(principal=application.amount, rows=rows, periods=application.term_months,
                          fees=application.fee_amount)
    sums = totals(rows)
    disclosures = {
        "annual_rate": str(application.annual_rate),
        "apr": str(apr),
        "total_interest": str(sums["interest"]),
        "total_repayment": str(sums["payment"] + application.fee_amount),
        "fees": str(application.fee_amount),
        "penalty_rate": str((application.annual_rate * product.penalty_multiplier).quantize(Decimal("0.000001"))),
        "penalty_multiplier": str(product.penalty_multiplier),
        "allocation_order": product.allocation_order,
        "settlement_fee_rate": str(product.settlement_fee_rate),
        "due_dates_roll_to_business_day": product.roll_business_days,
        "product_terms_version": product.terms_version,
        "prepayment_terms": _("Early repayment or settlement is allowed on any day; interest accrued to that day "
                              "(actual/360) is paid, never the interest of instalments not yet due. Early "
                              "settlement costs a fee of %(fee)s%% of the principal repaid early. A repayment "
                              "beyond what is due and not declared early repayment is held as credit.") % {
            "fee": format((product.settlement_fee_rate * 100).normalize(), "f")},
        "repayment_method": application.repayment_method,
        "schedule": schedule_json(rows),
        "day_count": _("Monthly rate = annual rate / 12; broken periods actual/360."),
        "conditions": application.conditions or {},
    }
    contract = Contract.objects.create(
        application=application, number=new_number("CT"), principal=application.amount,
        annual_rate=application.annual_rate, apr=apr, term_months=application.term_months,
        repayment_method=application.repayment_method, schedule=disclosures["schedule"], disclosures=disclosures,
        product_terms_version=product.terms_version, penalty_multiplier=product.penalty_multiplier,
        allocation_order=product.allocation_order, roll_business_days=product.roll_business_days,
        settlement_fee_rate=product.settlement_fee_rate, generated_by=acting_staff(acting))
    before = application_snapshot(application)
    move_status(application, Application.Status.CONTRACTED, acting, contract.number)
    application.save()
    audit(acting, "lending.contract_generated", contract, before=before,
           after={"contract": contract.number, "apr": apr, "principal": contract.principal})
    return contract


@transaction.atomic
def contract_sign(*, actor: Acting, contract: Contract) -> Contract:
    """Record the borrower's signature. Blocked while any required disclosure is missing."""
    acting = actor_of(actor)
    require(acting, Perm.ISSUE_CONTRACT)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.GENERATED:
        raise Conflict(_("the contract is already signed"), field="status")
    gaps = disclosure_gaps(contract)
    if gaps:
        raise ValidationError({"disclosures": _("missing required disclosures: %(keys)s") % {"keys": ", ".join(gaps)}})
    checkpoint_gaps = contract_gaps(signing_facts(contract))
    if checkpoint_gaps:
        raise ValidationError({"disclosures": _("the contract cannot be signed until compliance's checks pass: "
                                                "%(gaps)s") % {"gaps": "; ".join(str(GAP_LABELS[g])
                                                                                 for g in checkpoint_gaps)}})
    contract.status = Contract.Status.SIGNED
    contract.signed_at = timezone.now()
    contract.signed_recorded_by = acting_staff(acting)
    contract.save()
    application = lock_application(contract.application)
    move_status(application, Application.Status.SIGNED, acting, contract.number)
    application.save()
    audit(acting, "lending.contract_signed", contract, after={"contract": contract.number,
                                                               "signed_at": contract.signed_at})
    return contract
