"""Reads of talent, scoped to the acting user: requisitions and candidates of the teams in scope, the
recruiting pipeline by source, the team-structure balance, reviews and their 9-box, curricula, certifications,
drills and the case library."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Lead
from django.http import Http404
from django.utils import timezone

from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.models import Certification, ProductCertificationRequirement, Staff
from lendpilot.org.roles import DataScope, Perm, Role
from lendpilot.org.selectors import teams_visible
from lendpilot.products.models import Product
from lendpilot.talent import ninebox, recruiting
from lendpilot.talent.access import COACHES, require_role
from lendpilot.talent.certificates import REMINDER_DAYS
from lendpilot.talent.models import (
    Candidate,
    CandidateTransition,
    Case,
    CertificationReminder,
    Curriculum,
    DrillScenario,
    DrillScore,
    EmployeeRecord,
    Enrolment,
    Requisition,
    ReviewDecision,
    ReviewEntry,
    Source,
    SourcingSpend,
    TalentReview,
)

FINAL_STAGES = ("hired", "rejected", "withdrawn")


def _reader(actor: Actor) -> Actor:
    require(actor, Perm.VIEW_STAFF)
    return require_role(actor, COACHES)


def requisitions_visible(actor: Actor, *, status: str | None = None) -> QuerySet[Requisition]:
    _reader(actor)
    qs = Requisition.objects.filter(team__in=teams_visible(actor)).select_related("team").annotate(
        applicants=Count("candidates"), hires=Count("candidates", filter=Q(candidates__stage="hired"))
    ).order_by("-opened_on", "-id")
    return qs.filter(status=status) if status else qs


def requisition_get(actor: Actor, requisition_id: int) -> Requisition:
    req = requisitions_visible(actor).prefetch_related("skills").filter(pk=requisition_id).first()
    if req is None:
        raise Http404("requisition not found")
    return req


def candidates_visible(actor: Actor) -> QuerySet[Candidate]:
    _reader(actor)
    return Candidate.objects.filter(requisition__team__in=teams_visible(actor)).select_related("requisition")


def candidate_get(actor: Actor, candidate_id: int) -> Candidate:
    cand = candidates_visible(actor).filter(pk=candidate_id).first()
    if cand is None:
        raise Http404("candidate not found")
    return cand


def pipeline(actor: Actor, *, since: date | None = None) -> dict:
    """Per source: applicants, hires, hire rate and (for the whole organisation, where the spend is booked)
    cost per hire; per stage: people now there and the average days spent in it."""
    cands = candidates_visible(actor)
    if since:
        cands = cands.filter(applied_on__gte=since)
    counts: dict[str, dict[str, Any]] = {r["source"]: dict(r) for r in cands.values("source").annotate(n=Count("id"),
                                                                      hired=Count("id", filter=Q(stage="hired")))}
    spend_qs = SourcingSpend.objects.filter(month__gte=since.replace(day=1)) if since else SourcingSpend.objects.all()
    spend = dict(spend_qs.values("source").annotate(s=Sum("amount")).values_list("source", "s"))
    whole = actor.is_system or actor.scope == DataScope.ALL
    sources = [recruiting.source_yield(src, applicants=counts.get(src, {}).get("n", 0),
                                       hires=counts.get(src, {}).get("hired", 0),
                                       cost=(spend.get(src) or Decimal(0)) if whole else Decimal(0))
               for src in Source.values]
    now = timezone.now()
    moves = (CandidateTransition.objects.filter(candidate__in=cands.values("pk"))
             .annotate(left_at=Window(Lead("at"), partition_by=[F("candidate_id")], order_by=[F("at"), F("id")]))
             .values_list("to_stage", "at", "left_at"))
    days: dict[str, list[float]] = defaultdict(list)
    for stage, at, left_at in moves.iterator(chunk_size=5000):
        if stage in FINAL_STAGES:
            continue
        days[stage].append(((left_at or now) - at).total_seconds() / 86400)
    stages = dict(cands.values("stage").annotate(n=Count("id")).values_list("stage", "n"))
    return {"sources": sources, "cost_shown": whole,
            "stages": [{"stage": s, "label": label, "people": stages.get(s, 0),
                        "avg_days": round(sum(days[s]) / len(days[s]), 1) if days.get(s) else None}
                       for s, label in Candidate.Stage.choices]}


def balance_report(actor: Actor, *, today: date | None = None) -> dict:
    """Team-structure balance over employee records (never candidates): shares by gender, age band, tenure
    band and background, per team and overall."""
    _reader(actor)
    today = today or timezone.localdate()
    people = scope_filter(actor, Staff.objects.filter(is_active=True, role__in=[Role.ACCOUNT_MANAGER, Role.TEAM_LEAD]),
                          owner="").values_list("pk", "team__name", "hired_on")
    records = {r["staff_id"]: r for r in EmployeeRecord.objects.filter(staff_id__in=[p[0] for p in people])
               .values("staff_id", "gender", "birth_year", "background")}
    rows = []
    for pk, team, hired_on in people:
        rec: dict[str, Any] = dict(records.get(pk) or {})
        rows.append({"team": team or "—", "gender": rec.get("gender") or "undisclosed",
                     "age": recruiting.age_band(rec.get("birth_year"), today),
                     "tenure": recruiting.tenure_band(hired_on, today),
                     "background": rec.get("background") or "—"})
    dims = ("gender", "age", "tenure", "background")
    teams: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        teams[r["team"]].append(r)
    return {"people": len(rows),
            "overall": {d: recruiting.shares(r[d] for r in rows) for d in dims},
            "teams": {t: {"people": len(rs), **{d: recruiting.shares(r[d] for r in rs) for d in dims}}
                      for t, rs in sorted(teams.items())}}


def reviews_visible(actor: Actor) -> QuerySet[TalentReview]:
    _reader(actor)
    return TalentReview.objects.annotate(people=Count("entries"), rated=Count("entries", filter=Q(
        entries__box__isnull=False)))


def review_get(actor: Actor, review_id: int) -> TalentReview:
    review = reviews_visible(actor).filter(pk=review_id).first()
    if review is None:
        raise Http404("review not found")
    return review


def review_entries(actor: Actor, review: TalentReview, *, box: int | None = None,
                   team_id: int | None = None) -> QuerySet[ReviewEntry]:
    _reader(actor)
    qs = scope_filter(actor, review.entries.select_related("staff", "team"), owner="staff")
    if box:
        qs = qs.filter(box=box)
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs.prefetch_related("decisions", "decisions__promoted_team")


def entry_get(actor: Actor, entry_id: int) -> ReviewEntry:
    _reader(actor)
    entry = scope_filter(actor, ReviewEntry.objects.select_related("staff", "review", "team"),
                         owner="staff").filter(pk=entry_id).first()
    if entry is None:
        raise Http404("review entry not found")
    return entry


def decision_get(actor: Actor, decision_id: int) -> ReviewDecision:
    """A review decision on a person in the actor's scope."""
    _reader(actor)
    decision = scope_filter(actor, ReviewDecision.objects.select_related("entry", "entry__staff", "promoted_team"),
                            owner="entry__staff").filter(pk=decision_id).first()
    if decision is None:
        raise Http404("decision not found")
    return decision


def nine_box(actor: Actor, review: TalentReview) -> dict:
    """The grid (rows potential high to low, columns performance low to high) with counts per box, and the
    calibration spread per team."""
    entries = review_entries(actor, review)
    rows: list[tuple[str, int]] = [(t or "—", b) for t, b in entries.filter(box__isnull=False)
                                   .values_list("team__name", "box") if b is not None]
    dist = ninebox.distribution(b for _t, b in rows)
    grid = [[{"box": ninebox.box(perf, pot), "people": dist[ninebox.box(perf, pot)]} for perf in (1, 2, 3)]
            for pot in (3, 2, 1)]
    return {"grid": grid, "distribution": dist, "unrated": entries.filter(box__isnull=True).count(),
            "calibration": ninebox.calibration(rows)}


def curricula_visible(actor: Actor) -> QuerySet[Curriculum]:
    _reader(actor)
    staff = scope_filter(actor, Staff.objects.all(), owner="").values("pk")
    mine = Q(enrolments__staff__in=staff)
    return Curriculum.objects.annotate(
        enrolled=Count("enrolments", filter=mine),
        completed=Count("enrolments", filter=mine & Q(enrolments__completed_on__isnull=False)),
        avg_score=Avg("enrolments__score", filter=mine))


def curriculum_get(actor: Actor, curriculum_id: int) -> Curriculum:
    _reader(actor)
    curriculum = Curriculum.objects.filter(pk=curriculum_id).first()
    if curriculum is None:
        raise Http404("curriculum not found")
    return curriculum


def enrolment_get(actor: Actor, enrolment_id: int) -> Enrolment:
    _reader(actor)
    enrolment = scope_filter(actor, Enrolment.objects.all(), owner="staff").filter(pk=enrolment_id).first()
    if enrolment is None:
        raise Http404("enrolment not found")
    return enrolment


def enrolments_open(actor: Actor) -> QuerySet[Enrolment]:
    _reader(actor)
    return scope_filter(actor, Enrolment.objects.filter(completed_on__isnull=True)
                        .select_related("curriculum", "staff"), owner="staff").order_by("enrolled_on", "id")


def product_requirements(actor: Actor) -> list[dict]:
    """The certifications each product requires, with the product's name."""
    _reader(actor)
    rows: dict[int, list[str]] = defaultdict(list)
    labels = dict(Certification.Kind.choices)
    for product_id, kind in ProductCertificationRequirement.objects.order_by("product_id", "kind").values_list(
            "product_id", "kind"):
        rows[product_id].append(str(labels.get(kind, kind)))
    names = {p.pk: p.name for p in Product.objects.filter(pk__in=rows)}
    return [{"product": names.get(pk, pk), "kinds": kinds} for pk, kinds in rows.items()]


def certifications_visible(actor: Actor, *, status: str | None = None,
                           today: date | None = None) -> QuerySet[Certification]:
    _reader(actor)
    today = today or timezone.localdate()
    qs = scope_filter(actor, Certification.objects.select_related("staff"), owner="staff")
    if status == "expired":
        qs = qs.filter(expires_on__lt=today)
    elif status == "expiring":
        qs = qs.filter(expires_on__range=(today, today + timedelta(days=max(REMINDER_DAYS))))
    return qs


def reminders_visible(actor: Actor) -> QuerySet[CertificationReminder]:
    _reader(actor)
    return scope_filter(actor, CertificationReminder.objects.select_related("certification__staff"),
                        owner="certification__staff")


def drill_scenarios(actor: Actor) -> QuerySet[DrillScenario]:
    _reader(actor)
    return DrillScenario.objects.order_by("kind", "id")


def drill_scenario_get(actor: Actor, scenario_id: int) -> DrillScenario:
    scenario = drill_scenarios(actor).filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404("drill scenario not found")
    return scenario


def drill_scores_visible(actor: Actor) -> QuerySet[DrillScore]:
    _reader(actor)
    return scope_filter(actor, DrillScore.objects.select_related("scenario", "staff"), owner="staff")


def cases_search(actor: Actor, *, text: str = "", outcome: str = "") -> QuerySet[Case]:
    """The case library is shared knowledge: every coach reads all of it."""
    _reader(actor)
    qs = Case.objects.all()
    if outcome in Case.Outcome.values:
        qs = qs.filter(outcome=outcome)
    for word in text.split()[:5]:
        qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(lesson__icontains=word)
                       | Q(objection__icontains=word) | Q(funnel_stage__icontains=word))
    return qs


def talent_summary(actor: Actor, *, today: date | None = None) -> dict:
    """For the director's home: open requisitions, the latest review's distribution, expiring certificates."""
    latest = reviews_visible(actor).order_by("-period_start", "-id").first()
    return {"open_requisitions": requisitions_visible(actor, status="open").count(),
            "review": latest, "distribution": nine_box(actor, latest)["distribution"] if latest else None,
            "expiring_certifications": certifications_visible(actor, status="expiring", today=today).count()}
