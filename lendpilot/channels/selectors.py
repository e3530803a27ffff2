"""Reads of the channels package: the published list, a login's partner, whether it may submit, the joint
loan check lending calls at booking, and the partner pages' figures (scoped: staff with the channel view see
every partner, a partner login only its own)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from lendpilot.channels import vintage
from lendpilot.channels.limits import Exposure, JointLimits, joint_loan_fits
from lendpilot.channels.models import (
    Completion,
    Course,
    Download,
    MonthFact,
    Partner,
    PartnerStaff,
    TierChange,
    Toolkit,
    VintageCell,
)
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


def listing_refusal(staff: Staff | None) -> str:
    """Why this login's partner is not one the bank cooperates with (empty when it is listed). A login linked
    to no partner is refused: no cooperation with anyone off the published list."""
    partner = partner_of(staff)
    if partner is None:
        return _("this partner login belongs to no admitted partner")
    if not partner.is_listed:
        return _("%(name)s is not on the published list of partners and may not submit") % {"name": partner.name}
    return ""


def untrained_staff(partner: Partner) -> QuerySet[PartnerStaff]:
    """The partner's active staff without a passed result in an active compliance course."""
    trained = Completion.objects.filter(passed=True, course__kind=Course.Kind.COMPLIANCE, course__active=True)
    return partner.staff.filter(active=True).exclude(pk__in=trained.values("staff_id"))


def enablement_refusal(partner: Partner) -> str:
    """Why the partner's staff may not sell yet (empty when they may): a roster with at least one member, every
    active member with the compliance course passed."""
    if not partner.staff.filter(active=True).exists():
        return _("%(name)s has no staff on its roster who passed the compliance course") % {"name": partner.name}
    missing = list(untrained_staff(partner).values_list("name", flat=True)[:5])
    if missing:
        return _("%(name)s may not submit until its staff pass the compliance course: %(staff)s") % {
            "name": partner.name, "staff": ", ".join(missing)}
    return ""


def submission_refusal(staff: Staff | None) -> str:
    """Why this partner login may not submit (empty when it may): its partner is off the published list (or it
    has none), or the partner's staff lack the compliance course."""
    refusal = listing_refusal(staff)
    if refusal:
        return refusal
    partner = partner_of(staff)
    assert partner is not None
    return enablement_refusal(partner)


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


def joint_loan_check(*, amount: Decimal, partner_balance: Decimal, all_partners_balance: Decimal,
                     total_loans: Decimal, staff: Staff | None = None, partner: Partner | None = None) -> JointCheck:
    """Lending calls this at booking a joint loan brought in by `partner` (or by the partner login `staff`),
    passing the bank's own balances, which only lending knows. Not a partner's loan: no limits apply."""
    partner = partner if partner is not None else partner_of(staff)
    if partner is None:
        return JointCheck(None, Decimal("0"), [])
    terms = getattr(partner, "terms", None)
    share = terms.joint_share if terms is not None else joint_limits().min_partner_share
    breaches = [] if partner.is_listed else [
        _("%(name)s is not on the published list of partners and may not submit") % {"name": partner.name}]
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


@dataclass(frozen=True)
class RosterRow:
    member: PartnerStaff
    completions: list[Completion]
    compliance_passed: bool


def roster(partner: Partner) -> list[RosterRow]:
    """The partner's staff with their course results (latest per course)."""
    members = list(partner.staff.order_by("-active", "name"))
    results: dict[int, list[Completion]] = {}
    for c in Completion.objects.filter(staff__partner=partner).select_related("course").order_by("course__kind"):
        results.setdefault(c.staff_id, []).append(c)
    return [RosterRow(m, results.get(m.pk, []), any(c.passed and c.course.kind == Course.Kind.COMPLIANCE
                                                    and c.course.active for c in results.get(m.pk, [])))
            for m in members]


@dataclass(frozen=True)
class EnablementLine:
    partner: Partner
    staff: int
    trained: int
    refusal: str


def enablement_overview(user: object) -> list[EnablementLine]:
    """Every visible listed partner: active staff, how many passed the compliance course, and why it may not
    submit (empty when it may)."""
    actor = actor_of(user)
    trained = Completion.objects.filter(passed=True, course__kind=Course.Kind.COMPLIANCE, course__active=True)
    partners = visible_partners(actor).filter(status__in=Partner.LISTED).annotate(
        n_staff=Count("staff", filter=Q(staff__active=True), distinct=True),
        n_trained=Count("staff", filter=Q(staff__active=True, staff__in=trained.values("staff_id")), distinct=True))
    return [EnablementLine(p, p.n_staff, p.n_trained, enablement_refusal(p) if p.n_trained < max(p.n_staff, 1)
                           else "") for p in partners.order_by("name")]


def toolkits_for(user: object) -> QuerySet[Toolkit]:
    """Channel staff see every toolkit; a partner login only the published ones."""
    actor = actor_of(user)
    if actor.role == Role.CHANNEL_PARTNER:
        return Toolkit.objects.filter(status=Toolkit.Status.PUBLISHED) if partner_of(actor.staff) \
            else Toolkit.objects.none()
    require(actor, Perm.VIEW_CHANNELS)
    return Toolkit.objects.all()


def downloads_for(user: object) -> QuerySet[Download]:
    """The download log: every partner's for channel staff, a partner login its own."""
    actor = actor_of(user)
    logs = Download.objects.select_related("toolkit", "partner", "by")
    if actor.role == Role.CHANNEL_PARTNER:
        return logs.filter(partner__login=actor.staff) if actor.staff else logs.none()
    require(actor, Perm.VIEW_CHANNELS)
    return logs


def courses() -> QuerySet[Course]:
    """The course catalogue (not personal: every partner and channel manager reads it)."""
    return Course.objects.all()


def tier_distribution(user: object, months: list) -> dict[str, list[int]]:
    """How many visible partners stood in each tier at the end of each month (from the tier history)."""
    actor = actor_of(user)
    partners = visible_partners(actor)
    counts: dict[str, list[int]] = {}
    current: dict[int, str] = {}
    changes = list(TierChange.objects.filter(partner__in=partners).order_by("month", "pk")
                   .values_list("partner_id", "month", "to_tier"))
    i = 0
    for n, month in enumerate(months):
        while i < len(changes) and changes[i][1] <= month:
            current[changes[i][0]] = changes[i][2]
            i += 1
        for tier in current.values():
            counts.setdefault(tier, [0] * len(months))[n] += 1
    return counts
