"""The quarterly bottom-ranked review: rank listed partners, put the bottom decile on probation with an
improvement plan, propose delisting after two quarters on probation; the committee decides, the partner may
appeal first. Delisting takes the partner off the list (no new submissions); its loans run on untouched."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.channels.models import Delisting, MonthFact, Partner, Review
from lendpilot.channels.review import Outcome, Standing, rank
from lendpilot.channels.selectors import kpis, published_list
from lendpilot.compliance.audit import record_batch_event, record_event, snapshot
from lendpilot.core.months import month_start, shift_month
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

PLAN = _("Improvement plan: lift conversion and approval to the median, bring M3+ overdue and complaints below "
         "the tier bounds within two quarters; monthly check-in with the channel manager.")


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _standing(partner: Partner, quarter: date) -> Standing:
    months = MonthFact.objects.filter(partner=partner, month__gte=quarter, month__lt=shift_month(quarter, 3))
    k = kpis(partner, list(months.values_list("month", flat=True)))
    quarters = None
    if partner.status == Partner.Status.PROBATION and partner.probation_since:
        since = quarter_start(partner.probation_since)
        quarters = ((quarter.year - since.year) * 12 + quarter.month - since.month) // 3
    return Standing(partner.pk, k.conversion, k.approval, k.m3, k.complaint_rate, quarters)


def _apply(partner: Partner, outcome: Outcome, quarter: date) -> None:
    if outcome.action == "probation":
        partner.status, partner.probation_since, partner.improvement_plan = (
            Partner.Status.PROBATION, quarter, str(PLAN))
    elif outcome.action == "release":
        partner.status, partner.probation_since, partner.improvement_plan = Partner.Status.ACTIVE, None, ""
    elif outcome.action == "propose_delisting":
        Delisting.objects.get_or_create(partner=partner, quarter=quarter, defaults={
            "reason": _("bottom decile after two quarters on probation"), "proposed_at": timezone.now()})
    partner.save(update_fields=["status", "probation_since", "improvement_plan"])


@transaction.atomic
def quarterly_review_run(*, actor: object, quarter: date) -> list[Review]:
    """Run the review of the quarter starting on or containing `quarter`; a rerun of a reviewed quarter changes
    nothing."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    quarter = quarter_start(month_start(quarter))
    if Review.objects.filter(quarter=quarter).exists():
        return list(Review.objects.filter(quarter=quarter))
    partners = {p.pk: p for p in published_list().select_for_update()}
    outcomes = rank([_standing(p, quarter) for p in partners.values()])
    reviews = []
    for outcome in outcomes:
        _apply(partners[outcome.partner_id], outcome, quarter)
        reviews.append(Review.objects.create(partner_id=outcome.partner_id, quarter=quarter, score=outcome.score,
                                             rank=outcome.rank, bottom=outcome.bottom, action=outcome.action))
    record_batch_event(actor=acting.user, event_code="channels.review_run",
                       summary={"quarter": quarter.isoformat(), "partners": len(outcomes),
                                "bottom": sum(o.bottom for o in outcomes)})
    return reviews


def _open_delisting(delisting_id: int) -> Delisting:
    delisting = Delisting.objects.select_for_update().select_related("partner").filter(pk=delisting_id).first()
    if delisting is None or delisting.status != Delisting.Status.PROPOSED:
        raise ValidationError({"delisting": _("no proposed delisting with this number")})
    return delisting


@transaction.atomic
def delisting_appeal(*, actor: object, delisting_id: int, text: str) -> Delisting:
    """The partner's appeal, recorded before the committee decides."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    delisting = _open_delisting(delisting_id)
    if not text.strip():
        raise ValidationError({"text": _("the appeal needs its grounds")})
    delisting.appeal, delisting.appeal_at = text.strip(), timezone.now()
    delisting.save(update_fields=["appeal", "appeal_at"])
    record_event(actor=acting.user, event_code="channels.appeal_recorded", obj=delisting,
                 after=snapshot(delisting, ["appeal", "appeal_at"]))
    return delisting


@transaction.atomic
def delisting_decide(*, actor: object, delisting_id: int, delist: bool, note: str) -> Delisting:
    """The committee's decision (head office). Delisting takes the partner off the published list."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_CHANNELS)
    delisting = _open_delisting(delisting_id)
    if not note.strip():
        raise ValidationError({"note": _("record the committee's reasons")})
    partner = delisting.partner
    before = snapshot(partner, ["status", "delisted_on"])
    delisting.status = Delisting.Status.DELISTED if delist else Delisting.Status.RETAINED
    delisting.decided_by, delisting.decided_at, delisting.committee_note = acting.staff, timezone.now(), note[:300]
    delisting.save(update_fields=["status", "decided_by", "decided_at", "committee_note"])
    if delist:
        partner.status, partner.delisted_on = Partner.Status.DELISTED, timezone.localdate()
        partner.probation_since = None
        partner.save(update_fields=["status", "delisted_on", "probation_since"])
    record_event(actor=acting.user, event_code="channels.delisting_decided", obj=delisting, before=before,
                 after={**snapshot(partner, ["status", "delisted_on"]), "delisted": delist})
    return delisting
