"""Reads of the service package: complaints and surveys scoped to the acting user, the NPS and complaint
figures the command centre reads per slice (one grouped query per table), and the CX matrix (D8)."""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, TruncMonth
from django.utils.translation import gettext as _

from lendpilot.customers.models import Customer
from lendpilot.customers.selectors import customers_visible
from lendpilot.lending.models import Loan
from lendpilot.org.access import actor_of, require, scope_filter
from lendpilot.org.roles import Perm
from lendpilot.service.models import Complaint, Survey
from lendpilot.service.nps import DETRACTOR_MAX, PROMOTER_MIN, nps_from_counts
from lendpilot.service.referrals import repeat_rate

SERVICE_SUMS = ("survey_answers", "promoters", "detractors", "complaints", "active_customers")

# The lookup from each table to the key of an insights slice dimension; a dimension missing here is not
# kept for that table (complaints have no product, nothing here has a sales channel).
_SURVEY_KEYS = {"region": "customer__region_id", "team": "manager__team_id", "manager": "manager_id",
                "product": "product_id", "tier": "tier"}
_COMPLAINT_KEYS = {"region": "customer__region_id", "team": "manager__team_id", "manager": "manager_id",
                   "tier": "customer__tier"}
_CUSTOMER_KEYS = {"region": "region_id", "team": "manager__team_id", "manager": "manager_id", "tier": "tier"}


def complaints_for(actor) -> QuerySet[Complaint]:
    """The complaints the actor may see: about customers of managers in their scope (operations, compliance
    and the director see all)."""
    acting = actor_of(actor)
    require(acting, Perm.VIEW_SERVICE)
    base = Complaint.objects.select_related("customer", "owner", "manager", "escalated_to")
    return scope_filter(acting, base, owner="manager")


def surveys_for(actor) -> QuerySet[Survey]:
    acting = actor_of(actor)
    require(acting, Perm.VIEW_SERVICE)
    return scope_filter(acting, Survey.objects.select_related("customer", "manager", "product"), owner="manager")


def _keyed(qs: QuerySet, dimension: str, lookups: dict[str, str], key: str | None,
           keys: list[str] | None) -> tuple[QuerySet, str] | None:
    """The queryset narrowed to the slice with its key annotated as text `k`; None when the table is not
    kept per that dimension."""
    if dimension == "all":
        return qs.annotate(k=Value("all", output_field=CharField())), "all"
    lookup = lookups.get(dimension)
    if lookup is None:
        return None
    if key is not None:
        qs = qs.filter(**{lookup: key})
    elif keys is not None:
        qs = qs.filter(**{f"{lookup}__in": keys})
    return qs.annotate(k=Cast(lookup, CharField())), ""


def _blank() -> dict[str, Decimal]:
    return dict.fromkeys(SERVICE_SUMS, Decimal(0))


def service_sums(dimension: str, start: date, end: date, *, key: str | None = None,
                 keys: list[str] | None = None, by_month: bool = False) -> dict:
    """{key: sums} (or {key: {month: sums}} with `by_month`) of survey answers, promoters, detractors and
    complaints received in [start, end], and (not by month) today's active customers as the complaint rate's
    base. A table the dimension does not keep adds nothing (the metric then says why)."""
    factory: Callable[[], Any] = (lambda: defaultdict(_blank)) if by_month else _blank
    out: dict = defaultdict(factory)
    specs = (
        (Survey.objects.filter(answered_on__range=(start, end), score__isnull=False), _SURVEY_KEYS, "answered_on",
         {"survey_answers": Count("id"), "promoters": Count("id", filter=Q(score__gte=PROMOTER_MIN)),
          "detractors": Count("id", filter=Q(score__lte=DETRACTOR_MAX))}),
        (Complaint.objects.filter(received_on__range=(start, end)), _COMPLAINT_KEYS, "received_on",
         {"complaints": Count("id")}),
    )
    for qs, lookups, day_field, aggregates in specs:
        keyed = _keyed(qs, dimension, lookups, key, keys)
        if keyed is None:
            continue
        rows = keyed[0]
        group = ["k", "m"] if by_month else ["k"]
        if by_month:
            rows = rows.annotate(m=TruncMonth(day_field))
        for r in rows.values(*group).annotate(**aggregates).order_by():
            k = keyed[1] or r["k"]
            target = out[k][_month(r["m"])] if by_month else out[k]
            for name in aggregates:
                target[name] += r[name]
    if not by_month:
        for k, n in active_customers(dimension, key=key, keys=keys).items():
            out[k]["active_customers"] = n
    return out


def active_customers(dimension: str, *, key: str | None = None, keys: list[str] | None = None) -> dict:
    """{key: number of active customers today}: the base of the complaint rate."""
    keyed = _keyed(Customer.objects.filter(lifecycle_status=Customer.Lifecycle.ACTIVE), dimension,
                   _CUSTOMER_KEYS, key, keys)
    if keyed is None:
        return {}
    return {keyed[1] or r["k"]: Decimal(r["n"]) for r in keyed[0].values("k").annotate(n=Count("id")).order_by()}


def _month(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def nps_of(qs: QuerySet[Survey]) -> tuple[Decimal | None, int]:
    """(NPS, answers) of the answered surveys in `qs`."""
    row = qs.filter(score__isnull=False).aggregate(
        n=Count("id"), p=Count("id", filter=Q(score__gte=PROMOTER_MIN)),
        d=Count("id", filter=Q(score__lte=DETRACTOR_MAX)))
    return nps_from_counts(row["p"], row["d"], row["n"]), row["n"]


def complaint_get(actor, complaint_id: int) -> Complaint:
    """One complaint in the actor's scope; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(complaints_for(actor), pk=complaint_id)


_MATRIX_KEYS = {"tier": ("tier", "customer__tier", "borrower__tier"),
                "manager": ("manager_id", "manager_id", "borrower__manager_id"),
                "product": ("product_id", None, "product_id")}


def cx_matrix(actor, *, dimension: str, start: date, end: date) -> list[dict]:
    """The customer-experience matrix (D8) per tier, manager or product: NPS and answers in [start, end], the
    share of active loans past due today (repayment behaviour) and complaints received (service tickets).
    Complaints are not kept per product. Scoped to the actor's customers."""
    from lendpilot.lending.models import Loan

    if dimension not in _MATRIX_KEYS:
        raise ValueError(dimension)
    acting = actor_of(actor)
    survey_key, complaint_key, loan_key = _MATRIX_KEYS[dimension]
    rows: dict = defaultdict(lambda: {"answers": 0, "nps": None, "loans": 0, "overdue_loans": 0, "complaints": None})
    surveys = surveys_for(acting).filter(answered_on__range=(start, end), score__isnull=False)
    for r in surveys.values(survey_key).annotate(
            n=Count("id"), p=Count("id", filter=Q(score__gte=PROMOTER_MIN)),
            d=Count("id", filter=Q(score__lte=DETRACTOR_MAX))).order_by():
        rows[r[survey_key]].update(answers=r["n"], nps=nps_from_counts(r["p"], r["d"], r["n"]))
    loans = scope_filter(acting, Loan.objects.filter(status="active"), owner="borrower__manager")
    for r in loans.values(loan_key).annotate(n=Count("id"), o=Count("id", filter=Q(days_past_due__gt=0))).order_by():
        rows[r[loan_key]].update(loans=r["n"], overdue_loans=r["o"])
    if complaint_key:
        for r in complaints_for(acting).filter(received_on__range=(start, end)).values(complaint_key).annotate(
                n=Count("id")).order_by():
            rows[r[complaint_key]]["complaints"] = r["n"]
        for row in rows.values():
            row["complaints"] = row["complaints"] or 0
    out = []
    for key, row in rows.items():
        if key is None:
            continue
        overdue_share = Decimal(row["overdue_loans"]) / row["loans"] if row["loans"] else None
        out.append({"key": key, **row, "overdue_share": overdue_share})
    return sorted(out, key=lambda r: (r["nps"] is None, r["nps"] if r["nps"] is not None else 0))


def nps_by_manager(manager_ids: list[int], start: date, end: date) -> dict[int, Decimal]:
    """{manager id: NPS} of the surveys their customers answered in [start, end] (the appraisal's
    customer-satisfaction input); a manager without answers is absent."""
    rows = (Survey.objects.filter(manager_id__in=manager_ids, answered_on__range=(start, end), score__isnull=False)
            .values("manager_id").annotate(n=Count("id"), p=Count("id", filter=Q(score__gte=PROMOTER_MIN)),
                                           d=Count("id", filter=Q(score__lte=DETRACTOR_MAX))).order_by())
    out: dict[int, Decimal] = {}
    for r in rows:
        score = nps_from_counts(r["p"], r["d"], r["n"])
        if score is not None:
            out[r["manager_id"]] = score
    return out


def complaints_by_manager(manager_ids: list[int], start: date, end: date) -> dict[int, int]:
    """{manager id: complaints received in [start, end] against the manager's customers, withdrawn ones
    excluded} (the appraisal's service-quality input); a manager without complaints is absent."""
    rows = (Complaint.objects.filter(manager_id__in=manager_ids, received_on__range=(start, end))
            .exclude(status=Complaint.Status.WITHDRAWN)
            .values("manager_id").annotate(n=Count("id")).order_by())
    return {r["manager_id"]: r["n"] for r in rows}


def referrals_for(actor) -> QuerySet:
    """Referrals whose referrer is a customer of a manager in the actor's scope."""
    from lendpilot.service.models import Referral

    acting = actor_of(actor)
    require(acting, Perm.VIEW_SERVICE)
    return scope_filter(acting, Referral.objects.select_related("referrer", "referred", "loan"),
                        owner="referrer__manager")


# --- public sentiment (E8), crisis incidents (E9) and feedback by journey stage (F6) ---------------------


def posts_for(actor) -> QuerySet:
    """Public posts: what anyone says in public about the bank, read by everyone who reads the service desk."""
    from lendpilot.service.models import Post

    require(actor_of(actor), Perm.VIEW_SERVICE)
    return Post.objects.select_related("cluster")


def alerts_for(actor) -> QuerySet:
    from lendpilot.service.models import SentimentAlert

    require(actor_of(actor), Perm.VIEW_SERVICE)
    return SentimentAlert.objects.select_related("incident")


def clusters_for(actor) -> QuerySet:
    from lendpilot.service.models import PostCluster

    require(actor_of(actor), Perm.VIEW_SERVICE)
    return PostCluster.objects.all()


def topic_summary(actor, *, start: date, end: date) -> list[dict]:
    """Per curated topic in [start, end]: posts, mean sentiment, the share of negative posts (score below 0)
    and the posts of each day (oldest first), topics with most posts first."""
    from django.db.models import Avg

    from lendpilot.service.models import Topic

    posts = posts_for(actor).filter(posted_on__range=(start, end))
    totals = {r["topic"]: r for r in posts.values("topic").annotate(
        n=Count("id"), mean=Avg("sentiment"), negative=Count("id", filter=Q(sentiment__lt=0))).order_by()}
    per_day: dict = defaultdict(dict)
    for r in posts.values("topic", "posted_on").annotate(n=Count("id")).order_by():
        per_day[r["topic"]][r["posted_on"]] = r["n"]
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    out = []
    for topic, label in Topic.choices:
        row = totals.get(topic)
        n = row["n"] if row is not None else 0
        mean = row["mean"] if row is not None else None
        out.append({"topic": topic, "label": label, "posts": n,
                    "mean_sentiment": Decimal(mean).quantize(Decimal("0.001")) if mean is not None else None,
                    "negative_share": Decimal(row["negative"]) / n if row is not None and n else None,
                    "daily": [per_day[topic].get(d, 0) for d in days]})
    return sorted(out, key=lambda r: -r["posts"])


def incidents_for(actor) -> QuerySet:
    """Incidents: all of them for whoever reads the whole service desk (bank-wide scope); otherwise those
    whose task force the actor is on (a risk officer or a regional colleague sees their own)."""
    from lendpilot.service.models import Incident

    acting = actor_of(actor)
    base = Incident.objects.select_related("opened_by", "complaint")
    if acting.is_system or (acting.can(Perm.VIEW_SERVICE) and acting.scope == "all"):
        return base
    if acting.staff is None:
        require(acting, Perm.VIEW_SERVICE)
        return base.none()
    return base.filter(task_force__staff=acting.staff).distinct()


def incident_get(actor, incident_id: int):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(incidents_for(actor), pk=incident_id)


def feedback_by_stage(actor, *, start: date, end: date) -> dict:
    """Complaint and survey texts in [start, end] along the journey stages (F6): per stage the complaints, the
    survey answers and their NPS, and the curated topics of the texts per month; the stages ranked by NPS
    (worst first) and by complaints (most first). Scoped to the actor's customers."""
    from lendpilot.service.journey import STAGE_WORDS
    from lendpilot.service.sentiment.topics import topics_batch

    complaints = list(complaints_for(actor).filter(received_on__range=(start, end))
                      .values_list("stage", "received_on", "summary", "request"))
    surveys = list(surveys_for(actor).filter(answered_on__range=(start, end), score__isnull=False)
                   .exclude(stage="").values_list("stage", "answered_on", "score", "comment"))
    texts = [f"{s} {r}" for _st, _d, s, r in complaints] + [c for _st, _d, _s, c in surveys]
    text_topics = topics_batch(texts) if texts else []
    stages: dict[str, dict] = {s: {"stage": s, "complaints": 0, "answers": 0, "promoters": 0, "detractors": 0,
                                   "topics": defaultdict(lambda: defaultdict(int))} for s in STAGE_WORDS}
    for (stage, day, _s, _r), topic in zip(complaints, text_topics[:len(complaints)], strict=True):
        row = stages.setdefault(stage, {"stage": stage, "complaints": 0, "answers": 0, "promoters": 0,
                                        "detractors": 0, "topics": defaultdict(lambda: defaultdict(int))})
        row["complaints"] += 1
        row["topics"][f"{day:%Y-%m}"][topic] += 1
    for (stage, answered_on, score, comment), topic in zip(surveys, text_topics[len(complaints):], strict=True):
        row = stages[stage] if stage in stages else stages["service"]
        row["answers"] += 1
        row["promoters"] += (score or 0) >= PROMOTER_MIN
        row["detractors"] += (score or 0) <= DETRACTOR_MAX
        if comment and answered_on is not None:
            row["topics"][f"{answered_on:%Y-%m}"][topic] += 1
    rows = []
    for row in stages.values():
        months = {m: dict(sorted(t.items(), key=lambda kv: -kv[1])) for m, t in sorted(row["topics"].items())}
        rows.append({**row, "topics": months,
                     "nps": nps_from_counts(row["promoters"], row["detractors"], row["answers"])})
    rated = [r for r in rows if r["nps"] is not None]
    return {"stages": rows,
            "worst_nps": sorted(rated, key=lambda r: r["nps"]),
            "most_complaints": sorted([r for r in rows if r["complaints"]], key=lambda r: -r["complaints"])}


def repeat_loan_rates(actor, *, dimension: str) -> list[dict]:
    """Repeat-loan rate (D9) per customer tier or account manager inside the actor's scope: of the customers
    who borrowed, the share who borrowed more than once (one grouped statement over the loan book)."""
    keys = {"tier": "tier", "manager": "manager__name"}
    if dimension not in keys:
        raise ValidationError({"dimension": _("tier or manager")})
    loans = Loan.objects.filter(borrower_id=OuterRef("pk")).order_by().values("borrower_id")
    counted = (customers_visible(actor)
               .annotate(loan_count=Subquery(loans.annotate(n=Count("id")).values("n")[:1]))
               .filter(loan_count__gt=0))
    rows = (counted.values(keys[dimension]).annotate(borrowers=Count("id"),
                                                     repeat=Count("id", filter=Q(loan_count__gt=1)))
            .order_by(keys[dimension]))
    labels = dict(Customer.Tier.choices) if dimension == "tier" else {}
    return [{"key": r[keys[dimension]], "label": labels.get(r[keys[dimension]], r[keys[dimension]]) or "—",
             "borrowers": r["borrowers"], "repeat": r["repeat"], "rate": repeat_rate(r["borrowers"], r["repeat"])}
            for r in rows]
