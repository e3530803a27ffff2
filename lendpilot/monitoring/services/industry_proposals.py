"""The industry risk map (C6): the prosperity index import, monthly default rates by industry, the proposals
computed from them, and the risk committee's decision, which publishes a scoring policy version."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.errors import Conflict
from lendpilot.core.reference import Industry
from lendpilot.monitoring import industry as industry_model
from lendpilot.monitoring.models import IndustryProposal, LoanMonthBucket, ProsperityIndex
from lendpilot.monitoring.services.acting import Acting
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.scoring.policy import MAX_PREMIUM_BPS
from lendpilot.scoring.services.policy_versions import policy_publish_industry_changes


@transaction.atomic
def prosperity_import(*, actor: Acting, rows: list[dict[str, Any]],
                      source: str = "import") -> int:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_MONITORING_RULES)
    errors, clean = [], []
    for n, r in enumerate(rows, start=1):
        try:
            month = date.fromisoformat(str(r["month"])[:7] + "-01")
            value = float(r["value"])
            if r["industry"] not in Industry.values or not 0 < value < 1000:
                raise ValueError
        except (KeyError, ValueError, TypeError):
            errors.append(f"row {n}: industry, month (YYYY-MM) and value 0-1000 are required")
            continue
        clean.append((r["industry"], month, value))
    if errors:
        raise ValidationError({"rows": errors[:200]})
    for ind, month, value in clean:
        ProsperityIndex.objects.update_or_create(industry=ind, month=month, defaults={"value": value, "source": source})
    record_event(actor=acting.user, event_code="monitoring.prosperity_imported", object_type="batch",
                 object_id=source, after={"rows": len(clean)})
    return len(clean)


def industry_default_rates() -> dict[str, dict[date, float]]:
    """Monthly default rate by industry: loans entering 90+ days past due in a month over the loans
    current-to-89 days at the previous month end (one aggregate query over month-end buckets)."""
    prev = LoanMonthBucket.objects.filter(loan_id=OuterRef("loan_id"), month__lt=OuterRef("month")) \
        .order_by("-month").values("bucket")[:1]
    rows = LoanMonthBucket.objects.annotate(prev=Subquery(prev)).filter(prev__isnull=False, prev__lt=4) \
        .values("month", industry=F("loan__borrower__industry")).annotate(
            n=Count("pk"), d=Count("pk", filter=Q(bucket=4))).order_by()
    out: dict[str, dict[date, float]] = {}
    for r in rows:
        out.setdefault(r["industry"], {})[r["month"]] = r["d"] / r["n"] if r["n"] else 0.0
    return out


@transaction.atomic
def industry_proposals_compute(*, actor: Acting, month: date) -> list[IndustryProposal]:
    acting = actor_of(actor)
    require(acting, Perm.VIEW_MONITORING)
    month = month.replace(day=1)
    rates = industry_default_rates()
    all_values = [v for series in rates.values() for v in series.values()]
    portfolio = sum(all_values) / len(all_values) if all_values else 0.0
    out = []
    for ind, series in sorted(rates.items()):
        months = sorted(m for m in series if m <= month)
        if not months:
            continue
        index = dict(ProsperityIndex.objects.filter(industry=ind, month__in=months).values_list("month", "value"))
        view = industry_model.assess(ind, [index.get(m, float("nan")) for m in months],
                                     [series[m] for m in months], portfolio_rate=portfolio)
        prop, _c = IndustryProposal.objects.update_or_create(
            month=month, industry=ind, status=IndustryProposal.Status.PROPOSED,
            defaults={"default_rate": view.default_rate, "correlation": view.correlation,
                      "lead_months": view.lead_months, "index_trend": view.trend, "admission": view.admission,
                      "premium_bps": view.premium_bps})
        out.append(prop)
    return out


@transaction.atomic
def industry_proposals_decide(*, actor: Acting, proposals: list[IndustryProposal],
                              accept: bool) -> list[IndustryProposal]:
    """The risk committee's decision on industry proposals (C6). Accepting publishes ONE new scoring policy
    version for all of them (E1, `scoring.services.policy_publish_industry_changes`): tighten excludes the
    industry, loosen re-admits it, keep leaves admission alone, and every accepted proposal sets the
    industry's risk premium (capped at the policy's maximum), which the pre-screen and the application
    pricing then add to the product rate. Rejecting publishes nothing. Refuses an empty list, two
    proposals for one industry, and a proposal already decided (Conflict; nothing changes)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    ids = [p.pk for p in proposals]
    if not ids:
        raise ValidationError({"ids": _("choose at least one proposal")})
    locked = list(IndustryProposal.objects.select_for_update().filter(pk__in=ids).order_by("industry", "pk"))
    if len(locked) != len(set(ids)):
        raise ValidationError({"ids": _("unknown proposal")})
    if len({p.industry for p in locked}) != len(locked):
        raise ValidationError({"ids": _("one proposal per industry")})
    if any(p.status != IndustryProposal.Status.PROPOSED for p in locked):
        raise Conflict(_("the proposal was already decided"), field="status")
    version = None
    if accept:
        changes = [{"industry": p.industry, "admission": p.admission,
                    "premium_bps": max(0, min(int(p.premium_bps), MAX_PREMIUM_BPS))} for p in locked]
        version = policy_publish_industry_changes(actor=actor, changes=changes,
                                                  source=f"行业风险地图 {locked[0].month:%Y-%m}")
    status = IndustryProposal.Status.ACCEPTED if accept else IndustryProposal.Status.REJECTED
    for p in locked:
        p.status, p.decided_by, p.policy_version = status, acting.staff, version
        p.save(update_fields=["status", "decided_by", "policy_version"])
        record_event(actor=acting.user, event_code="monitoring.industry_proposal_decided", obj=p,
                     after={"status": p.status, "admission": p.admission, "premium_bps": p.premium_bps,
                            "policy_version": version.number if version else None})
    return locked


def industry_proposal_decide(*, actor: Acting, proposal: IndustryProposal,
                             accept: bool) -> IndustryProposal:
    """One proposal decided on its own (see `industry_proposals_decide`)."""
    return industry_proposals_decide(actor=actor, proposals=[proposal], accept=accept)[0]
