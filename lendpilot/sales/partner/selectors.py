"""Reads of the partner portal. A partner sees only what it submitted, each with a progress it may know
(never the bank's screening, merging or who else holds the person) and the fee it earned on a
disbursed loan; nothing bank-wide."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lendpilot.core.money import to_money
from lendpilot.lending.models import Application
from lendpilot.org.access import Actor, require
from lendpilot.org.roles import Perm, Role
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Lead

PARTNER_FEE_RATE = Decimal(str(getattr(settings, "SALES_PARTNER_FEE_RATE", "0.005")))
"""The partner's fee as a share of the principal disbursed on a loan it brought in."""

PROGRESS = {
    "received": gettext_lazy("Received"),
    "working": gettext_lazy("With an account manager"),
    "in_review": gettext_lazy("Application in review"),
    "signing": gettext_lazy("Approved, signing"),
    "disbursed": gettext_lazy("Loan disbursed"),
    "closed": gettext_lazy("Closed"),
}
NODE_PROGRESS = {Node.SCREENING: "working", Node.FIRST_CONTACT: "working", Node.PROPOSAL: "working",
                 Node.QUALIFICATION: "in_review", Node.SIGNING: "signing", Node.WON: "disbursed",
                 Node.LOST: "closed"}


@dataclass(frozen=True)
class Submission:
    lead: Lead
    progress: str
    progress_label: str
    disbursed: Decimal | None
    fee: Decimal | None


def require_partner(actor: Actor) -> None:
    require(actor, Perm.CREATE_LEAD)
    if actor.role != Role.CHANNEL_PARTNER or actor.staff is None:
        raise PermissionDenied(_("the partner portal is for channel partners"))


def partner_leads(actor: Actor) -> QuerySet[Lead]:
    """The partner's own submissions, newest first."""
    require_partner(actor)
    return (Lead.objects.filter(created_by=actor.staff)
            .select_related("product", "region", "opportunity", "opportunity__application")
            .order_by("-received_at", "-id"))


def progress_of(lead: Lead) -> str:
    """Only the lead's own opportunity counts: a lead merged into someone else's, or screened out, stays
    "received" so that the answer reveals nothing of the bank's other customers or its lists."""
    if lead.status != Lead.Status.CONVERTED:
        return "received"
    opportunity = getattr(lead, "opportunity", None)
    return NODE_PROGRESS.get(opportunity.node, "received") if opportunity is not None else "received"


def submissions(actor: Actor, leads: list[Lead] | None = None) -> list[Submission]:
    rows = []
    for lead in leads if leads is not None else partner_leads(actor):
        progress = progress_of(lead)
        disbursed = fee = None
        opportunity = getattr(lead, "opportunity", None)
        application = opportunity.application if opportunity is not None else None
        if progress == "disbursed" and application is not None and application.status == Application.Status.DISBURSED:
            disbursed = application.amount
            fee = to_money(application.amount * PARTNER_FEE_RATE)
        rows.append(Submission(lead, progress, str(PROGRESS[progress]), disbursed, fee))
    return rows


@dataclass(frozen=True)
class PartnerSummary:
    submitted: int
    in_progress: int
    disbursed: int
    fees: Decimal


def summary(rows: list[Submission]) -> PartnerSummary:
    return PartnerSummary(
        submitted=len(rows),
        in_progress=sum(1 for r in rows if r.progress in ("working", "in_review", "signing")),
        disbursed=sum(1 for r in rows if r.progress == "disbursed"),
        fees=sum((r.fee for r in rows if r.fee is not None), Decimal("0.00")))
