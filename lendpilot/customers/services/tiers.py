"""Tiers, RFM and lifetime value of the portrait (B2, D7): set-based recomputes (one INSERT ... SELECT
each, window functions for RFM) and the tier policy.
"""

import datetime as _dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Ntile
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event, record_event
from lendpilot.core.bulk_load import insert_select
from lendpilot.customers import tiering
from lendpilot.customers.models import (
    Customer,
    CustomerFacts,
    CustomerValue,
    TierChange,
    TierPolicy,
)
from lendpilot.customers.selectors import tier_thresholds
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

_MONEY_OUT = DecimalField(max_digits=16, decimal_places=2)


@transaction.atomic
def tier_policy_set(*, actor, strategic_min: Decimal, growth_min: Decimal,
                    high_value_clv: Decimal = tiering.HIGH_VALUE_CLV, note: str = "") -> TierPolicy:
    """Set new tier thresholds (B2). Rejects non-positive values and a growth floor not below strategic."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    errors = {}
    if growth_min is None or Decimal(growth_min) <= 0:
        errors["growth_min"] = _("must be positive")
    if strategic_min is None or (growth_min is not None and Decimal(strategic_min) <= Decimal(growth_min)):
        errors["strategic_min"] = _("must be above the growth threshold")
    if high_value_clv is None or Decimal(high_value_clv) <= 0:
        errors["high_value_clv"] = _("must be positive")
    if errors:
        raise ValidationError(errors)
    policy = TierPolicy.objects.create(strategic_min=strategic_min, growth_min=growth_min,
                                       high_value_clv=high_value_clv, note=note[:200])
    record_event(actor=acting.user, event_code="customers.tier_policy_set", obj=policy,
                 after={"strategic_min": str(strategic_min), "growth_min": str(growth_min),
                        "high_value_clv": str(high_value_clv)})
    return policy


def _tier_case(thresholds) -> Case:
    return Case(
        When(Q(facts__max_single_loan__gte=thresholds.strategic_min), then=Value("strategic")),
        When(Q(facts__max_single_loan__gte=thresholds.growth_min), then=Value("growth")),
        default=Value("micro"),
    )


@transaction.atomic
def tiers_recompute(*, actor, as_of: _dt.date) -> dict:
    """Set every customer's tier from the largest single loan under the tier policy (B2): strategic from
    5,000,000, growth from 1,000,000, micro below (both bounds inclusive on the upper tier). Each move is
    written to `TierChange` with its reason by one INSERT ... SELECT, the customers are updated by one
    UPDATE from those rows, and the batch is audited as one event with the counts per move."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    thresholds = tier_thresholds()
    batch = f"tiers:{as_of.isoformat()}:{timezone.now():%H%M%S%f}"
    new_tier = _tier_case(thresholds)
    reason = Case(
        When(Q(facts__max_single_loan__gte=thresholds.strategic_min),
             then=Value(f"max single loan >= {thresholds.strategic_min:,.0f}")),
        When(Q(facts__max_single_loan__gte=thresholds.growth_min),
             then=Value(f"max single loan in [{thresholds.growth_min:,.0f}, {thresholds.strategic_min:,.0f})")),
        default=Value(f"max single loan < {thresholds.growth_min:,.0f}"),
    )
    moves = (Customer.objects.order_by().annotate(new_tier=new_tier, reason=reason)
             .exclude(tier=F("new_tier"))
             .values_list("pk", "tier", "new_tier", "reason"))
    changed = insert_select(TierChange, ["customer", "from_tier", "to_tier", "reason", "batch", "changed_on"],
                             moves, select="s.*, %s, %s", prefix_params=[batch, as_of])
    counts: dict[str, int] = {}
    if changed:
        Customer.objects.filter(pk__in=TierChange.objects.filter(batch=batch).values("customer_id")).update(
            tier=TierChange.objects.filter(batch=batch, customer_id=OuterRef("pk")).values("to_tier")[:1])
        for row in (TierChange.objects.filter(batch=batch).order_by().values("from_tier", "to_tier")
                    .annotate(n=Count("pk"))):
            counts[f"{row['from_tier']}->{row['to_tier']}"] = row["n"]
    record_batch_event(actor=acting.user, event_code="customers.tiers_changed", summary={
        "batch_id": batch, "as_of": as_of.isoformat(), "changed": changed, "moves": counts,
        "strategic_min": str(thresholds.strategic_min), "growth_min": str(thresholds.growth_min)})
    return {"changed": changed, "moves": counts}


def values_recompute(*, as_of: _dt.date) -> int:
    """Rebuild RFM and lifetime value (B2, D7) for every borrowing customer with one INSERT ... SELECT:
    recency from the last loan or repayment, frequency = loans + repayments, monetary = total disbursed;
    R, F, M are NTILE(5) quintiles (5 best) over all borrowers, the score their sum (3..15); lifetime value
    by the formula of `customers.tiering`, high-value at or above the policy's threshold."""
    thresholds = tier_thresholds()
    tenure = ExpressionWrapper(Value(as_of.year) - ExtractYear("first_disbursed_on") + Value(1),
                               output_field=IntegerField())
    factor = Case(*[When(max_days_past_due__gt=floor, then=Value(tiering.annuity_factor(retention).quantize(
        Decimal("0.000001")))) for floor, retention in tiering.RISK_BUCKETS[:-1]],
        default=Value(tiering.annuity_factor(tiering.RISK_BUCKETS[-1][1]).quantize(Decimal("0.000001"))),
        output_field=DecimalField(max_digits=12, decimal_places=6))
    last_activity = Greatest(Coalesce("last_repaid_on", "last_disbursed_on"), F("last_disbursed_on"))
    frequency = F("loans_count") + F("repayments_count")
    rows = (
        CustomerFacts.objects.filter(loans_count__gt=0, last_disbursed_on__isnull=False).order_by()
        .annotate(
            last_activity=last_activity, frequency=frequency,
            r=Window(Ntile(5), order_by=[last_activity.asc(), F("customer_id").asc()]),
            f=Window(Ntile(5), order_by=[frequency.asc(), F("customer_id").asc()]),
            m=Window(Ntile(5), order_by=[F("total_disbursed").asc(), F("customer_id").asc()]),
            clv=ExpressionWrapper(
                F("interest_income") * Value(tiering.NET_MARGIN_SHARE) * factor
                / Greatest(tenure, Value(1)), output_field=_MONEY_OUT),
        )
        .values_list("customer_id", "last_activity", "frequency", "total_disbursed", "r", "f", "m", "clv")
    )
    select = ("customer_id, %s, last_activity, frequency, total_disbursed, r, f, m, r + f + m, "
              "ROUND(clv, 2), CASE WHEN clv >= %s THEN TRUE ELSE FALSE END")
    with transaction.atomic():
        CustomerValue.objects.all().delete()
        return insert_select(
            CustomerValue,
            ["customer", "computed_on", "last_activity_on", "frequency", "monetary", "r_score", "f_score",
             "m_score", "rfm_score", "lifetime_value", "high_value"],
            rows, prefix_params=[as_of, thresholds.high_value_clv], select=select)
