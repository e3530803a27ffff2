"""Reads of the channels package: the published list, a login's partner, whether it may submit, the joint
loan check lending calls at booking, and the partner pages' figures (scoped: staff with the channel view see
every partner, a partner login only its own)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lendpilot.channels import vintage
from lendpilot.channels.limits import Exposure, JointLimits, joint_loan_fits
from lendpilot.channels.models import MonthFact, Partner, TierChange, VintageCell
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role


def published_list() -> QuerySet[Partner]:
    """The partners the bank cooperates with (public by regulation: no scope)."""
    return Partner.objects.filter(status__in=Partner.LISTED).order_by("name")


def partner_of(staff: Staff | None) -> Partner | None:
    if staff is None:
        return None
    return Partner.objects.filter(login=staff).first()


def submission_refusal(staff: Staff | None) -> str:
    """Why this login may not submit (empty when it may). A partner login linked to a partner off the list is
    refused; a login linked to none is refused too once CHANNELS_ADMISSION_REQUIRED is on."""
    partner = partner_of(staff)
    if partner is None:
        if getattr(settings, "CHANNELS_ADMISSION_REQUIRED", False):
            return _("this partner login belongs to no admitted partner")
        return ""
    if not partner.is_listed:
        return _("%(name)s is not on the published list of partners and may not submit") % {"name": partner.name}
    return ""


def joint_limits() -> JointLimits:
    return JointLimits(
        min_partner_share=Decimal(str(getattr(settings, "CHANNELS_MIN_PARTNER_SHARE", "0.30"))),
        single_partner_cap=Decimal(str(getattr(settings, "CHANNELS_SINGLE_PARTNER_CAP", "0.25"))),
        all_partners_cap=Decimal(str(getattr(settings, "CHANNELS_ALL_PARTNERS_CAP", "0.50"))))


def net_tier1_capital() -> Decimal:
    return Decimal(str(getattr(settings, "CHANNELS_NET_TIER1_CAPITAL", "10000000000")))


@dataclass(frozen=True)
class JointCheck:
    partner: Partner | None
    partner_share: Decimal
    breaches: list[str]


def joint_loan_check(*, staff: Staff | None, amount: Decimal, partner_balance: Decimal,
                     all_partners_balance: Decimal, total_loans: Decimal) -> JointCheck:
    """Lending calls this at booking a joint loan brought in by `staff` (the partner login), passing the bank's
    own balances, which only lending knows. Not a partner's loan: no limits apply."""
    partner = partner_of(staff)
    if partner is None:
        return JointCheck(None, Decimal("0"), [])
    refusal = submission_refusal(staff)
    terms = getattr(partner, "terms", None)
    share = terms.joint_share if terms is not None else joint_limits().min_partner_share
    breaches = [refusal] if refusal else []
    breaches += joint_loan_fits(amount=amount, partner_share=share, limits=joint_limits(), exposure=Exposure(
        partner_balance, all_partners_balance, total_loans, net_tier1_capital()))
    return JointCheck(partner, share, breaches)


def visible_partners(actor: Actor) -> QuerySet[Partner]:
    """Every partner for channel staff; a partner login only its own."""
    if actor.role == Role.CHANNEL_PARTNER:
        return Partner.objects.filter(login=actor.staff) if actor.staff else Partner.objects.none()
    require(actor, Perm.VIEW_CHANNELS)
    return Partner.objects.all()


def partner_for(user: object, partner_id: int) -> Partner:
    actor = actor_of(user)
    partner = visible_partners(actor).filter(pk=partner_id).first()
    if partner is None:
        raise PermissionDenied(_("no such partner in your view"))
    return partner


def own_partner(user: object) -> Partner:
    actor = actor_of(user)
    partner = partner_of(actor.staff) if actor.role == Role.CHANNEL_PARTNER else None
    if partner is None:
        raise PermissionDenied(_("this page is for channel partners"))
    return partner


def tier_history(partner: Partner) -> QuerySet[TierChange]:
    return partner.tier_changes.all()


def partner_cells(partner: Partner) -> list[vintage.Cell]:
    return [vintage.Cell(c.cohort, c.mob, c.disbursed, c.m1, c.m2, c.m3)
            for c in VintageCell.objects.filter(partner=partner).order_by("cohort", "mob")]


@dataclass(frozen=True)
class Kpis:
    leads: int
    loans: int
    disbursed: Decimal
    conversion: Decimal
    approval: Decimal
    complaint_rate: Decimal
    fees: Decimal
    clawback: Decimal
    m1: Decimal
    m3: Decimal


def kpis(partner: Partner, months: list | None = None) -> Kpis:
    """Conversion (leads to loans), approval rate, complaint rate (per loan), fees and early-default clawback
    over the given months (all when None), with M1+ and M3+ at each cohort's latest month on book."""
    facts = MonthFact.objects.filter(partner=partner)
    if months is not None:
        facts = facts.filter(month__in=months)
    leads = applications = approved = loans = complaints = 0
    disbursed = fees = clawback = Decimal("0")
    for f in facts:
        leads, applications, approved = leads + f.leads, applications + f.applications, approved + f.approved
        loans, complaints = loans + f.loans, complaints + f.complaints
        disbursed, fees, clawback = disbursed + f.disbursed, fees + f.fees, clawback + f.clawback
    cells = partner_cells(partner)
    return Kpis(leads, loans, disbursed, Decimal(loans) / leads if leads else Decimal("0"),
                Decimal(approved) / applications if applications else Decimal("0"),
                Decimal(complaints) / loans if loans else Decimal("0"), fees, clawback,
                vintage.latest_ratio(cells, "m1"), vintage.latest_ratio(cells, "m3"))
