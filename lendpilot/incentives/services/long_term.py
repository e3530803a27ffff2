"""Long-term incentives (A9): profit-share and equity pools and vesting grants from them."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from lendpilot.compliance.audit import record_event
from lendpilot.incentives.models import Grant, IncentivePool
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


@transaction.atomic
def pool_create(*, actor, name: str, kind: str, total: Decimal) -> IncentivePool:
    who = actor_of(actor)
    require(who, Perm.MANAGE_LTI)
    if kind not in IncentivePool.Kind.values:
        raise _invalid("kind", "profit_share or equity")
    if Decimal(total) <= 0:
        raise _invalid("total", "must be positive")
    pool = IncentivePool.objects.create(name=name, kind=kind, total=total, created_by=who.staff)
    record_event(actor=who.user, event_code="incentives.pool_created", obj=pool, after={"total": total, "kind": kind})
    return pool


@transaction.atomic
def grant_make(*, actor, pool: IncentivePool, staff: Staff, amount: Decimal, granted_on: date,
               vesting_months: int = 48, cliff_months: int = 12) -> Grant:
    who = actor_of(actor)
    require(who, Perm.MANAGE_LTI)
    pool = IncentivePool.objects.select_for_update().get(pk=pool.pk)
    if Decimal(amount) <= 0:
        raise _invalid("amount", "must be positive")
    if not 1 <= vesting_months <= 120:
        raise _invalid("vesting_months", "1 to 120")
    if not 0 <= cliff_months <= vesting_months:
        raise _invalid("cliff_months", "from 0 up to the vesting months")
    granted = pool.grants.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if granted + Decimal(amount) > pool.total:
        raise _invalid("amount", "the pool does not hold that much")
    grant = Grant.objects.create(pool=pool, staff=staff, amount=amount, granted_on=granted_on,
                                 vesting_months=vesting_months, cliff_months=cliff_months)
    record_event(actor=who.user, event_code="incentives.grant_made", obj=grant,
                 after={"staff": staff.pk, "amount": amount, "vesting_months": vesting_months})
    return grant
