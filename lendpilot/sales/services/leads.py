"""Lead intake: validation, linking an existing customer, screening, de-duplication into an open lead."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lendpilot.channels.services import ensure_partner_may_submit
from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.crypto import encrypt, keyed_hash, mask
from lendpilot.core.field_values import read_money
from lendpilot.core.reference import Industry
from lendpilot.customers.identifiers import (
    IdentifierError,
    normalise_credit_code,
    normalise_id_number,
    normalise_mobile,
)
from lendpilot.customers.models import Customer
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.models import Region, Staff
from lendpilot.org.roles import Perm, Role
from lendpilot.products.models import Product
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Lead, Opportunity, Transition


@dataclass(frozen=True)
class ScreeningRules:
    """Lead screening (线索筛选): blacklist-free, basic eligibility for the product, a region we serve."""

    check_blacklist: bool = True
    check_product: bool = True
    served_regions: tuple[str, ...] | None = None  # region codes; None: every region with a sales team


def default_rules() -> ScreeningRules:
    return ScreeningRules(**getattr(settings, "SALES_SCREENING_RULES", {}))


def screening_reasons(*, rules: ScreeningRules, region: Region, product: Product | None, amount: Decimal | None,
                      hashes: dict[str, str], kind: str) -> list[str]:
    """Codes of the rules the lead fails: blacklisted, product_inactive, amount_out_of_range,
    product_for_enterprises, region_not_served."""
    reasons = []
    if rules.check_blacklist:
        from lendpilot.scoring.selectors import blacklist_hits

        if blacklist_hits(hashes):
            reasons.append("blacklisted")
    if rules.check_product and product is not None:
        reasons += _product_reasons(product, amount, kind)
    if rules.served_regions is not None:
        served = region.code in rules.served_regions
    else:
        served = Staff.objects.filter(region=region, role=Role.ACCOUNT_MANAGER, is_active=True).exists()
    if not served:
        reasons.append("region_not_served")
    return reasons


def _product_reasons(product: Product, amount: Decimal | None, kind: str) -> list[str]:
    reasons = []
    if not product.is_active:
        reasons.append("product_inactive")
    elif amount is not None and not product.min_amount <= amount <= product.max_amount:
        reasons.append("amount_out_of_range")
    if kind == Customer.Kind.PERSON and product.category == "supply_chain":
        reasons.append("product_for_enterprises")
    return reasons


FOUND_BY_MANAGER = gettext_noop("found by the account manager")
"""Why a lead typed in by an account manager stays with them (shown through `reason_shown`)."""
DISQUALIFICATION_LABELS = {
    "blacklisted": gettext_noop("On a blacklist"),
    "product_inactive": gettext_noop("Product not on sale"),
    "amount_out_of_range": gettext_noop("Amount outside the product's range"),
    "product_for_enterprises": gettext_noop("Product is for enterprises"),
    "region_not_served": gettext_noop("Region not served"),
}


def _identifiers(kind: str, id_number: str, credit_code: str, phone: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    clean = {"id_number": "", "credit_code": "", "phone": ""}
    for name, value, normalise in (("id_number", id_number, normalise_id_number),
                                   ("credit_code", credit_code, normalise_credit_code),
                                   ("phone", phone, normalise_mobile)):
        if value:
            try:
                clean[name] = normalise(value)
            except IdentifierError as exc:
                errors[name] = str(exc)
    if not errors:
        if kind == Customer.Kind.ENTERPRISE and not clean["credit_code"] and not clean["phone"]:
            errors["credit_code"] = _("an enterprise lead needs its credit code or a phone number")
        elif kind == Customer.Kind.PERSON and not clean["id_number"] and not clean["phone"]:
            errors["phone"] = _("a lead needs an ID number or a phone number")
    if errors:
        raise ValidationError(errors)
    return clean


def _lead_field_errors(acting: Actor, *, kind: str, name: str, source: str, industry: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Customer.Kind.values:
        errors["kind"] = _("kind is person or enterprise")
    if not (name or "").strip():
        errors["name"] = _("a name is required")
    if source not in Lead.Source.values:
        errors["source"] = _("unknown source %(source)s") % {"source": source}
    if industry not in Industry.values:
        errors["industry"] = _("unknown industry %(industry)s") % {"industry": industry}
    return errors


def _request_errors(submission: str, product: Product | None, amount: object, term_months: int | None,
                    purpose: str) -> dict[str, str]:
    """An application request names the product, the amount, the term and the purpose."""
    errors: dict[str, str] = {}
    if submission not in Lead.Submission.values:
        errors["submission"] = _("a submission is a lead or an application request")
    if term_months is not None and not (isinstance(term_months, int) and 1 <= term_months <= 600):
        errors["term_months"] = _("a term from 1 to 600 months")
    if submission != Lead.Submission.APPLICATION:
        return errors
    if product is None:
        errors["product"] = _("an application request names the product")
    if amount in (None, ""):
        errors["amount_wanted"] = _("an application request names the amount")
    if term_months is None:
        errors.setdefault("term_months", _("an application request names the term"))
    if not (purpose or "").strip():
        errors["purpose"] = _("an application request names the purpose")
    return errors


def _existing_customer(ids: dict[str, str], hashes: dict[str, str]) -> Customer | None:
    """The customer already holding one of the lead's identifiers (ID number, credit code, phone)."""
    for column, value in (("id_number_hash", hashes["id_number"]), ("credit_code", ids["credit_code"]),
                          ("phone_hash", hashes["phone"])):
        if value:
            customer = Customer.objects.filter(**{column: value}).first()
            if customer is not None:
                return customer
    return None


def _identity_fields(ids: dict[str, str], hashes: dict[str, str]) -> dict[str, str]:
    """Encrypted, hashed and masked identifiers as the lead stores them."""
    keep = {"id_number": (3, 4), "credit_code": (4, 4), "phone": (3, 4)}
    fields: dict[str, str] = {}
    for name, (start, end) in keep.items():
        value = ids[name]
        fields[f"{name}_hash"] = hashes[name]
        fields[f"{name}_masked"] = mask(value, keep_start=start, keep_end=end) if value else ""
        if name != "credit_code":
            fields[f"{name}_cipher"] = encrypt(value) if value else ""
    return fields


def _save_or_merge(lead: Lead, hashes: dict[str, str]) -> None:
    lead.merged_into = _open_duplicate(hashes)
    if lead.merged_into is not None:
        lead.status = Lead.Status.MERGED
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        # A concurrent intake of the same identifier opened the lead first: merge into it.
        lead.merged_into = _open_duplicate(hashes)
        if lead.merged_into is None:
            raise
        lead.status = Lead.Status.MERGED
        with transaction.atomic():
            lead.save()


@dataclass(frozen=True)
class LeadTerms:
    """What an application request asks for (empty for a plain lead)."""

    submission: str = Lead.Submission.LEAD
    term_months: int | None = None
    purpose: str = ""


def _keeps_lead(acting: Actor, lead: Lead, hand_over: bool) -> bool:
    """A lead an account manager found stays with that manager, unless it is handed over for assignment
    or lies outside the manager's region (the region's team then assigns it)."""
    staff = acting.staff
    return (not hand_over and staff is not None and acting.role == Role.ACCOUNT_MANAGER
            and lead.status == Lead.Status.QUALIFIED and staff.region_id == lead.region_id)


def _keep_with_finder(acting: Actor, finder: Staff, lead: Lead) -> Opportunity:
    now = timezone.now()
    lead.owner, lead.status = finder, Lead.Status.CONVERTED
    lead.assignment_reason = FOUND_BY_MANAGER  # stored in the catalogue's words, read in the reader's language
    lead.save(update_fields=["owner", "status", "assignment_reason"])
    opp = Opportunity.objects.create(
        lead=lead, customer=lead.customer, name=lead.name, owner=finder, node=Node.SCREENING,
        industry=lead.industry, product=lead.product, amount=lead.amount_wanted, created_at=now, node_entered_at=now)
    Transition.objects.create(opportunity=opp, from_node="", to_node=Node.SCREENING, at=now, actor=acting.staff,
                              actor_label=acting.label, note=lead.assignment_reason)
    return opp


@transaction.atomic
def lead_create(*, actor: object, kind: str, name: str, source: str, industry: str, region: Region,
                id_number: str = "", credit_code: str = "", phone: str = "", product: Product | None = None,
                amount_wanted: object = None, source_detail: str = "", received_at: datetime | None = None,
                rules: ScreeningRules | None = None, terms: LeadTerms | None = None,
                hand_over: bool = False) -> Lead:
    """Take in a lead: validate, link an existing customer with the same identifier, screen it. A lead
    whose ID number, credit code or phone is already on an open lead is accepted and merged into that
    lead (status merged), so that no answer tells the submitter who else holds that person. A lead an
    account manager found and that passed screening becomes that manager's opportunity at once, unless
    `hand_over` sends it to the region's assignment. `terms` make it an application request."""
    acting = actor_of(actor)
    require(acting, Perm.CREATE_LEAD)
    if acting.role == Role.CHANNEL_PARTNER:
        ensure_partner_may_submit(staff=acting.staff)
    terms = terms or LeadTerms()
    errors = _lead_field_errors(acting, kind=kind, name=name, source=source, industry=industry)
    errors.update(_request_errors(terms.submission, product, amount_wanted, terms.term_months, terms.purpose))
    if acting.role == Role.CHANNEL_PARTNER:
        source = Lead.Source.CHANNEL
    amount = read_money(amount_wanted, field="amount_wanted", errors=errors, positive=True)
    if errors:
        raise ValidationError(errors)
    ids = _identifiers(kind, id_number, credit_code, phone)
    hashes = {k: keyed_hash(v) if v else "" for k, v in ids.items()}
    reasons = screening_reasons(rules=rules or default_rules(), region=region, product=product, amount=amount,
                                hashes=hashes, kind=kind)
    lead = Lead(
        kind=kind, name=name.strip()[:100], source=source, source_detail=source_detail[:100], industry=industry,
        region=region, product=product, amount_wanted=amount, customer=_existing_customer(ids, hashes),
        **_identity_fields(ids, hashes), submission=terms.submission, term_months=terms.term_months,
        purpose=terms.purpose.strip()[:200],
        status=Lead.Status.DISQUALIFIED if reasons else Lead.Status.QUALIFIED, disqualification_reasons=reasons,
        received_at=received_at or timezone.now(), created_by=acting.staff,
    )
    _save_or_merge(lead, hashes)
    opportunity = None
    if acting.staff is not None and _keeps_lead(acting, lead, hand_over):
        opportunity = _keep_with_finder(acting, acting.staff, lead)
    record_event(actor=acting.user, event_code="sales.lead_created", obj=lead,
                 after={**snapshot(lead, ["kind", "name", "source", "industry", "region_id", "product_id", "status",
                                          "disqualification_reasons", "customer_id", "merged_into_id", "owner_id",
                                          "submission"]),
                        "opportunity_id": opportunity.pk if opportunity else None})
    return lead


def _open_duplicate(hashes: dict[str, str]) -> Lead | None:
    """The open lead that already holds one of these identifiers, if any."""
    match = Q()
    for field_name, column in (("id_number", "id_number_hash"), ("credit_code", "credit_code_hash"),
                               ("phone", "phone_hash")):
        if hashes[field_name]:
            match |= Q(**{column: hashes[field_name]})
    if not match:
        return None
    return Lead.objects.filter(match, status__in=Lead.OPEN_STATUSES).order_by("received_at", "id").first()
