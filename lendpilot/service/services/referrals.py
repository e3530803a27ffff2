"""Referrals (FEATURES D9): a customer's code registers the customer they referred; the daily check earns the
reward, tiered by the referred loan's principal, when that loan has stayed current for the configured months
(a day past due before then lapses it), capped per referrer and year; an approver releases it."""

import hashlib
import hmac
import logging
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.customers.models import Customer
from lendpilot.lending.models import Loan
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.service.models import Referral
from lendpilot.service.referrals import capped_reward, qualifies, tiered_reward

logger = logging.getLogger(__name__)


def referral_terms() -> tuple[int, Decimal, Decimal]:
    """(months current, reward of the lowest tier, yearly cap per referrer)."""
    terms = getattr(settings, "LENDPILOT_REFERRAL", {}) or {}
    tiers = reward_tiers()
    return (int(terms.get("current_months", 3)), tiers[0][1] if tiers else Decimal("0.00"),
            Decimal(str(terms.get("yearly_cap", "2000.00"))))


def reward_tiers() -> list[tuple[Decimal, Decimal]]:
    """(principal floor, reward) of each tier, lowest first; a scheme with one flat `reward` is one tier."""
    terms = getattr(settings, "LENDPILOT_REFERRAL", {}) or {}
    tiers = terms.get("reward_tiers") or [("0", terms.get("reward", "200.00"))]
    return sorted((Decimal(str(floor)), Decimal(str(reward))) for floor, reward in tiers)


def referral_code(customer: Customer) -> str:
    """The customer's referral code: keyed to the customer, not guessable from the id."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"referral:{customer.pk}".encode(), hashlib.sha256).hexdigest()
    return digest[:8].upper()


def referral_register(*, actor, code: str, referred: Customer, candidates, today: date | None = None) -> Referral:
    """Register that `referred` came through `code`; `candidates` are the customers the code may belong to
    (the actor's scope). A customer is referred once, and never by themself."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    wanted = (code or "").strip().upper()
    referrer = next((c for c in candidates.exclude(pk=referred.pk).iterator() if referral_code(c) == wanted), None)
    if referrer is None:
        raise ValidationError({"code": _("no customer of yours has this referral code")})
    if Referral.objects.filter(referred=referred).exists():
        raise ValidationError({"referred": _("this customer was already referred")})
    with transaction.atomic():
        referral = Referral.objects.create(referrer=referrer, referred=referred, code=wanted,
                                           registered_on=today or timezone.localdate())
        record_event(actor=acting.user, event_code="service.referral_registered", obj=referral,
                     after={"referrer_id": referrer.pk, "referred_id": referred.pk})
    return referral


def referrals_check(*, today: date | None = None) -> int:
    """The daily check: link each registered referral to the referred customer's first loan disbursed since,
    lapse it when that loan is past due, and earn the (capped) reward once it stayed current long enough.
    Idempotent: a referral leaves `registered` once."""
    today = today or timezone.localdate()
    months, reward, cap = referral_terms()
    moved = 0
    with transaction.atomic():
        for referral in Referral.objects.select_for_update().filter(status=Referral.Status.REGISTERED):
            loan = referral.loan or Loan.objects.filter(
                borrower_id=referral.referred_id, disbursed_on__gte=referral.registered_on).order_by(
                "disbursed_on", "pk").first()
            if loan is None:
                continue
            referral.loan = loan
            if loan.days_past_due > 0:
                referral.status = Referral.Status.LAPSED
            elif qualifies(disbursed_on=loan.disbursed_on, today=today, current_months=months, ever_past_due=False):
                paid = Referral.objects.filter(referrer_id=referral.referrer_id, qualified_on__year=today.year,
                                               status__in=[Referral.Status.QUALIFIED, Referral.Status.APPROVED]
                                               ).aggregate(s=Sum("reward"))["s"] or Decimal(0)
                earned = tiered_reward(loan.principal, reward_tiers())
                referral.reward = capped_reward(earned, paid_this_year=paid, yearly_cap=cap)
                referral.status = Referral.Status.QUALIFIED
                referral.qualified_on = today
            referral.save()
            moved += referral.status != Referral.Status.REGISTERED
        if moved:
            record_event(actor=None, event_code="service.referrals_checked", object_type="service.referral",
                         after={"on": today.isoformat(), "moved": moved})
    return moved


def referral_approve(*, actor, referral: Referral, today: date | None = None) -> Referral:
    """Approve an earned reward for payment."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_SERVICE)
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != Referral.Status.QUALIFIED:
            raise ValidationError({"status": _("only an earned reward can be approved")})
        locked.status = Referral.Status.APPROVED
        locked.approved_by_id = getattr(acting.user, "pk", None)
        locked.approved_on = today or timezone.localdate()
        locked.save(update_fields=["status", "approved_by", "approved_on"])
        record_event(actor=acting.user, event_code="service.referral_approved", obj=locked,
                     after={"reward": str(locked.reward)})
    return locked
