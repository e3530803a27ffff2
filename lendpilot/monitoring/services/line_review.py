"""Credit-line reviews: the EOD stage that proposes freezing or reducing lines at risk (applied at once,
or left for approval above a size), and the approver's decision on a pending review."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.errors import Conflict
from lendpilot.lending import services as lending
from lendpilot.lending.models import CreditLine, Loan
from lendpilot.monitoring.models import CreditLineReview, CustomerScore, IndustryProposal, Outbox, RuleSet
from lendpilot.monitoring.services.acting import Acting
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.roles import Perm


def review_lines(*, day: date, rules: dict[str, Any]) -> list[CreditLineReview]:
    """Proposals for the lines that should not simply be kept (set-based figures per line)."""
    r = rules["line_review"]
    latest_score = CustomerScore.objects.filter(customer_id=OuterRef("customer_id"), scored_on__lte=day) \
        .order_by("-scored_on", "-id").values("score")[:1]
    tighten = IndustryProposal.objects.filter(industry=OuterRef("customer__industry"),
                                              status=IndustryProposal.Status.ACCEPTED, admission="tighten")
    lines = CreditLine.objects.filter(status__in=[CreditLine.Status.ACTIVE, CreditLine.Status.REDUCED]).annotate(
        max_dpd=Coalesce(Max("loans__days_past_due", filter=Q(loans__status=Loan.Status.ACTIVE)), Value(0)),
        score=Subquery(latest_score),
    ).filter(Q(max_dpd__gte=r["reduce_dpd"]) | Q(score__lt=r["low_score"])
             | Q(customer__industry__in=tighten.values("industry")))
    out = []
    tight_industries = set(IndustryProposal.objects.filter(status=IndustryProposal.Status.ACCEPTED,
                                                           admission="tighten").values_list("industry", flat=True))
    for line in lines.select_related("customer").iterator(chunk_size=2000):
        reasons = []
        if line.max_dpd >= r["freeze_dpd"]:
            action, proposed = CreditLineReview.Action.FREEZE, line.limit
            reasons.append({"code": "dpd", "days_past_due": line.max_dpd})
        else:
            if line.max_dpd >= r["reduce_dpd"]:
                reasons.append({"code": "dpd", "days_past_due": line.max_dpd})
            if line.score is not None and line.score < r["low_score"]:
                reasons.append({"code": "score", "score": line.score})
            if line.customer.industry in tight_industries:
                reasons.append({"code": "industry", "industry": line.customer.industry})
            cut = Decimal(str(r["reduce_share"])) * len(reasons) if reasons else Decimal(0)
            cut = min(cut, Decimal("0.9"))
            target = (line.limit * (1 - cut)).quantize(Decimal("100"))
            proposed = max(target, line.utilised.quantize(Decimal("0.01")))
            if proposed >= line.limit:
                continue
            action = CreditLineReview.Action.REDUCE
        out.append(CreditLineReview(line=line, business_date=day, action=action, current_limit=line.limit,
                                    proposed_limit=proposed, reasons=reasons))
    return out


def _apply_review(review: CreditLineReview, acting: Actor) -> None:
    line = review.line
    if review.action == CreditLineReview.Action.FREEZE:
        lending.credit_line_set_status(actor=acting, line=line, status=CreditLine.Status.FROZEN,
                                       reason=f"额度复审{review.business_date}：逾期冻结")
    else:
        lending.credit_line_set_status(actor=acting, line=line, status=CreditLine.Status.REDUCED,
                                       reason=f"额度复审{review.business_date}：降额", limit=review.proposed_limit)
    Outbox.objects.get_or_create(dedup_key=f"review:{review.pk}", defaults={
        "channel": Outbox.Channel.NOTICE, "staff_id": line.customer.manager_id,
        "body": f"客户{line.customer.name}的额度{line.number}复审结果：{review.get_action_display()}，"
                f"额度{review.current_limit}→{review.proposed_limit}"})


def stage_line_review(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    proposals = review_lines(day=day, rules=rules)
    already = set(CreditLineReview.objects.filter(business_date=day).values_list("line_id", flat=True))
    proposals = [p for p in proposals if p.line_id not in already]
    above = Decimal(str(rules["line_review"]["approval_above"]))
    applied = pending = 0
    for p in proposals:
        needs = p.action == CreditLineReview.Action.REDUCE and p.current_limit - p.proposed_limit > above
        p.status = CreditLineReview.Status.PENDING if needs else CreditLineReview.Status.APPLIED
        p.save()
        if needs:
            pending += 1
        else:
            _apply_review(p, acting)
            applied += 1
    return {"reviews": len(proposals), "applied": applied, "pending": pending}


@transaction.atomic
def line_review_decide(*, actor: Acting, review: CreditLineReview,
                       approve: bool) -> CreditLineReview:
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_LINE_REVIEW)
    review = CreditLineReview.objects.select_for_update().select_related("line__customer").get(pk=review.pk)
    if review.status != CreditLineReview.Status.PENDING:
        raise Conflict(_("the review was already decided"), field="status")
    review.status = CreditLineReview.Status.APPROVED if approve else CreditLineReview.Status.REJECTED
    review.decided_by, review.decided_at = acting.staff, timezone.now()
    review.save()
    if approve:
        _apply_review(review, acting)
    record_event(actor=acting.user, event_code="monitoring.line_review_decided", obj=review,
                 after={"status": review.status, "proposed_limit": review.proposed_limit})
    return review
