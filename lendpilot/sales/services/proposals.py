"""Proposals: the instalment preview and the saved, versioned offer within the proposer's rate authority."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.errors import Conflict
from lendpilot.lending.models import AuthorityMatrix
from lendpilot.lending.schedule import ScheduleError, annualised_rate, build_schedule
from lendpilot.lending.services import rules_of
from lendpilot.org.access import actor_of
from lendpilot.org.models import Staff
from lendpilot.products.models import Product
from lendpilot.products.services import offer_check
from lendpilot.sales.models import Opportunity, Proposal, ResourcePack
from lendpilot.sales.services.opportunities import check_worker


def rate_floor_for(staff: Staff | None, role: str | None) -> Decimal | None:
    """The lowest annual rate the staff member may offer alone: their team's resource pack (the lowest
    floor of its active packs) if any, else the active authority matrix's floor for the role."""
    if staff is not None and staff.team_id:
        pack_floor = (ResourcePack.objects.filter(team_id=staff.team_id, is_active=True)
                      .order_by("rate_floor").values_list("rate_floor", flat=True).first())
        if pack_floor is not None:
            return pack_floor
    rules = rules_of(AuthorityMatrix.objects.filter(is_active=True).first())
    return rules.rate_floors.get(role or "")


@dataclass
class Preview:
    rows: list
    apr: Decimal
    first_payment: Decimal
    total_interest: Decimal


def proposal_preview(*, product: Product, amount, term_months: int, repayment_method: str, annual_rate,
                     start: date | None = None) -> Preview:
    offer_check(product=product, amount=amount, term_months=term_months, repayment_method=repayment_method,
                annual_rate=annual_rate)
    try:
        rows = build_schedule(principal=Decimal(str(amount)), annual_rate=Decimal(str(annual_rate)),
                              periods=term_months, method=repayment_method, start=start or timezone.localdate())
        apr = annualised_rate(principal=Decimal(str(amount)), rows=rows, periods=term_months)
    except ScheduleError as exc:
        raise ValidationError({"amount": str(exc)}) from exc
    return Preview(rows, apr, rows[0].payment, sum((r.interest for r in rows), Decimal("0")))


@transaction.atomic
def proposal_save(*, actor, opportunity: Opportunity, product: Product, amount, term_months: int,
                  repayment_method: str, annual_rate, needs: dict | None = None) -> Proposal:
    """Save the next version of the proposal: within the product's limits and the rate authority of
    the person proposing (below it, the case must go through lending's rate approval instead)."""
    acting = actor_of(actor)
    check_worker(acting, opportunity)
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not opp.is_open:
        raise Conflict(_("the opportunity is closed"), field="opportunity")
    if annual_rate is None:
        raise ValidationError({"annual_rate": _("this field is required")})
    preview = proposal_preview(product=product, amount=amount, term_months=term_months,
                               repayment_method=repayment_method, annual_rate=annual_rate)
    floor = rate_floor_for(acting.staff, acting.role)
    if floor is not None and Decimal(str(annual_rate)) < floor:
        raise ValidationError({"annual_rate": _("below your rate authority (lowest %(floor)s); ask for a rate "
                                                "approval") % {"floor": format(floor, ".2%")}})
    version = (opp.proposals.aggregate(v=Max("version"))["v"] or 0) + 1
    proposal = Proposal.objects.create(
        opportunity=opp, version=version, product=product, amount=Decimal(str(amount)), term_months=term_months,
        repayment_method=repayment_method, annual_rate=Decimal(str(annual_rate)), apr=preview.apr,
        first_payment=preview.first_payment, total_interest=preview.total_interest, needs=needs or {},
        created_by=acting.staff or opp.owner)
    record_event(actor=acting.user, event_code="sales.proposal_saved", obj=proposal,
                 after=snapshot(proposal, ["opportunity_id", "version", "product_id", "amount", "term_months",
                                           "repayment_method", "annual_rate", "apr"]))
    return proposal


