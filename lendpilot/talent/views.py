"""Pages of talent for the director, regional heads and team leads: reviews and the 9-box with drill-down,
requisitions and candidates, the recruiting pipeline and balance report, curricula, certifications, drills
and the case library. Thin: parse, call a selector or service, render."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lendpilot.core.views import flash_errors, paginate
from lendpilot.org.access import actor_of
from lendpilot.org.models import Certification
from lendpilot.org.selectors import staff_get, staff_visible, teams_visible
from lendpilot.products.selectors import product_get, products_visible
from lendpilot.talent import forms, ninebox, selectors, services, wording
from lendpilot.talent.access import may_coach, may_confirm, may_manage
from lendpilot.talent.models import Candidate, Case, ReviewDecision, Skill


def _submit(request: HttpRequest, form, action: Callable[[dict], object], done: str) -> bool:
    """Validate the form and run the service; a refusal is flashed naming the field, nothing changed."""
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(errors)}")
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
        return False
    messages.success(request, done)
    return True


@login_required
def reviews(request):
    actor = actor_of(request.user)
    form = forms.ReviewStartForm(request.POST or None)
    if request.method == "POST":
        created = {}

        def start(d):
            created["review"] = services.review_start(actor=request.user, name=d["name"],
                                                      period_start=d["period_start"], months=d["months"])
        if _submit(request, form, start, _("The review is open: rate each person's potential.")):
            return redirect("talent:review", review_id=created["review"].pk)
    return render(request, "talent/reviews.html", {
        "reviews": selectors.reviews_visible(actor).order_by("-period_start", "-id"), "form": form,
        "can_manage": may_manage(actor), "summary": selectors.talent_summary(actor)})


@login_required
def review_detail(request, review_id: int):
    actor = actor_of(request.user)
    review = selectors.review_get(actor, review_id)
    box = request.GET.get("box")
    box_number = int(box) if box and box.isdigit() and 1 <= int(box) <= 9 else None
    unrated = request.GET.get("unrated") == "1"
    entries = selectors.review_entries(actor, review, box=box_number)
    if unrated:
        entries = entries.filter(box__isnull=True)
    rows = [{"entry": e, "recommendations": [wording.label(r) for r in ninebox.recommendations(e.box, is_manager=True)]
             if e.box else []} for e in entries[:200]]
    grid = selectors.nine_box(actor, review)
    for line in grid["grid"]:
        for cell in line:
            cell["name"] = wording.BOX_NAMES[cell["box"]]
    calibration = [{"team": _("All teams") if t == "__all__" else t, **v} for t, v in grid["calibration"].items()]
    return render(request, "talent/review_detail.html", {
        "review": review, "grid": grid, "calibration": calibration, "rows": rows, "box": box_number,
        "box_name": wording.BOX_NAMES.get(box_number or 0, ""),
        "unrated": unrated, "can_manage": may_manage(actor) and review.status == "open",
        "rate_form": forms.RateForm(), "decide_form": forms.DecideForm(), "calibrate_form": forms.CalibrateForm(),
        "decision_labels": dict(ReviewDecision.Kind.choices), "can_confirm": may_confirm(actor),
        "teams": teams_visible(actor).order_by("code") if may_confirm(actor) else []})


def _back_to_review(request, entry) -> HttpResponse:
    url = reverse("talent:review", args=[entry.review_id])
    nxt = request.POST.get("next", "")
    return redirect(url + (nxt if nxt.startswith("?") else ""))


@login_required
@require_POST
def entry_rate(request, entry_id: int):
    entry = selectors.entry_get(actor_of(request.user), entry_id)
    _submit(request, forms.RateForm(request.POST), lambda d: services.review_entry_rate(
        actor=request.user, entry_id=entry.pk, potential=d["potential"], evidence=d["evidence"],
        risk_of_loss=d["risk_of_loss"], impact_of_loss=d["impact_of_loss"]), _("Rated."))
    return _back_to_review(request, entry)


@login_required
@require_POST
def entry_decide(request, entry_id: int):
    entry = selectors.entry_get(actor_of(request.user), entry_id)
    _submit(request, forms.DecideForm(request.POST), lambda d: services.review_decide(
        actor=request.user, entry_id=entry.pk, kind=d["kind"], reason=d["reason"]), _("Decision recorded."))
    return _back_to_review(request, entry)


@login_required
@require_POST
def decision_confirm(request, decision_id: int):
    """The director confirms a promotion decided in the review: the person becomes team lead."""
    decision = selectors.decision_get(actor_of(request.user), decision_id)
    _submit(request, forms.ConfirmPromotionForm(request.POST), lambda d: services.review_promotion_confirm(
        actor=request.user, decision_id=decision.pk, team_id=d.get("team")),
        _("Promotion confirmed: the person is now a team lead."))
    return _back_to_review(request, decision.entry)


@login_required
@require_POST
def entry_calibrate(request, entry_id: int):
    entry = selectors.entry_get(actor_of(request.user), entry_id)
    _submit(request, forms.CalibrateForm(request.POST), lambda d: services.review_entry_calibrate(
        actor=request.user, entry_id=entry.pk, performance=d["performance"], potential=d["potential"],
        reason=d["reason"]), _("Calibration recorded."))
    return _back_to_review(request, entry)


@login_required
@require_POST
def review_complete(request, review_id: int):
    review = selectors.review_get(actor_of(request.user), review_id)
    try:
        services.review_complete(actor=request.user, review_id=review.pk)
        messages.success(request, _("The review is completed."))
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("talent:review", review_id=review.pk)


@login_required
def requisitions(request):
    actor = actor_of(request.user)
    form = forms.RequisitionForm(request.POST or None)
    if request.method == "POST":
        def open_(d):
            team = teams_visible(actor).filter(pk=d["team"]).first()
            if team is None:
                raise ValidationError({"team": _("Choose a team in your scope.")})
            services.requisition_open(actor=request.user, team=team, role=d["role"], title=d["title"],
                                      headcount=d["headcount"], profile=form.profile(request.POST))
        if _submit(request, form, open_, _("Requisition opened.")):
            return redirect("talent:requisitions")
    return render(request, "talent/requisitions.html", {
        "page_obj": paginate(request, selectors.requisitions_visible(actor, status=request.GET.get("status"))),
        "form": form, "teams": teams_visible(actor), "skills": Skill.choices, "levels": range(1, 6),
        "can_manage": may_manage(actor)})


@login_required
def requisition_detail(request, requisition_id: int):
    actor = actor_of(request.user)
    req = selectors.requisition_get(actor, requisition_id)
    form = forms.CandidateForm(request.POST or None)
    if request.method == "POST" and _submit(request, form, lambda d: services.candidate_add(
            actor=request.user, requisition=req, name=d["name"], source=d["source"],
            background=d["background"], skills=form.skills(request.POST)), _("Candidate added.")):
        return redirect("talent:requisition", requisition_id=req.pk)
    return render(request, "talent/requisition_detail.html", {
        "req": req, "form": form, "skills": Skill.choices, "levels": range(1, 6),
        "page_obj": paginate(request, req.candidates.order_by("-match_score", "id")),
        "stages": Candidate.Stage.choices, "can_manage": may_manage(actor)})


@login_required
@require_POST
def candidate_move(request, candidate_id: int):
    cand = selectors.candidate_get(actor_of(request.user), candidate_id)
    _submit(request, forms.CandidateMoveForm(request.POST), lambda d: services.candidate_move(
        actor=request.user, candidate_id=cand.pk, to_stage=d["to_stage"]), _("Candidate moved."))
    return redirect("talent:requisition", requisition_id=cand.requisition_id)


@login_required
def pipeline(request):
    actor = actor_of(request.user)
    report = selectors.pipeline(actor)
    sources = [{"label": wording.label(s.source), "row": s} for s in report["sources"]]
    balance = selectors.balance_report(actor)
    return render(request, "talent/pipeline.html", {"report": report, "sources": sources,
                                                    "balance_rows": wording.balance_rows(balance),
                                                    "people": balance["people"]})


@login_required
def curricula(request):
    actor = actor_of(request.user)
    form = forms.CurriculumForm(request.POST or None)
    if request.method == "POST" and _submit(request, form, lambda d: services.curriculum_create(
            actor=request.user, **d), _("Curriculum created.")):
        return redirect("talent:curricula")
    return render(request, "talent/curricula.html", {
        "curricula": selectors.curricula_visible(actor), "form": form, "can_manage": may_manage(actor),
        "staff": staff_visible(actor).filter(is_active=True)[:500] if may_manage(actor) else [],
        "open_enrolments": selectors.enrolments_open(actor)[:50]})


@login_required
@require_POST
def curriculum_enrol(request):
    actor = actor_of(request.user)
    try:
        curriculum = selectors.curriculum_get(actor, int(request.POST.get("curriculum") or 0))
        staff = staff_get(actor, int(request.POST.get("staff") or 0))
        services.enrol(actor=request.user, curriculum=curriculum, staff=staff)
        messages.success(request, _("Enrolled."))
    except ValueError:
        messages.error(request, _("Choose a curriculum and a staff member."))
    return redirect("talent:curricula")


@login_required
@require_POST
def enrolment_complete(request, enrolment_id: int):
    enrolment = selectors.enrolment_get(actor_of(request.user), enrolment_id)
    try:
        services.enrolment_complete(actor=request.user, enrolment_id=enrolment.pk,
                                    score=Decimal(request.POST.get("score") or "x"))
        messages.success(request, _("Completion recorded."))
    except ValidationError as exc:
        flash_errors(request, exc)
    except InvalidOperation:
        messages.error(request, _("Score: a number from 0 to 100."))
    return redirect("talent:curricula")


@login_required
def certifications(request):
    actor = actor_of(request.user)
    form = forms.CertificationForm(request.POST or None)
    if request.method == "POST":
        def record(d):
            services.certification_record(actor=request.user, staff=staff_get(actor, d["staff"]), kind=d["kind"],
                                          obtained_on=d["obtained_on"], expires_on=d["expires_on"])
        if _submit(request, form, record, _("Certification recorded.")):
            return redirect("talent:certifications")
    status = request.GET.get("status") or ""
    return render(request, "talent/certifications.html", {
        "page_obj": paginate(request, selectors.certifications_visible(actor, status=status or None)),
        "status": status, "form": form, "kinds": Certification.Kind.choices,
        "staff": staff_visible(actor).filter(is_active=True)[:500] if may_manage(actor) else [],
        "reminders": selectors.reminders_visible(actor)[:20], "can_manage": may_manage(actor),
        "products": products_visible(actor), "requirements": selectors.product_requirements(actor)})


@login_required
@require_POST
def certification_requirements(request):
    actor = actor_of(request.user)
    try:
        product = product_get(actor, product_id=int(request.POST.get("product") or 0))
        services.certification_requirement_set(actor=request.user, product_id=product.pk,
                                               kinds=request.POST.getlist("kinds"))
        messages.success(request, _("Requirement saved."))
    except ValidationError as exc:
        flash_errors(request, exc)
    except ValueError:
        messages.error(request, _("Choose a product."))
    return redirect("talent:certifications")


@login_required
def cases(request):
    actor = actor_of(request.user)
    text = (request.GET.get("q") or "").strip()
    outcome = request.GET.get("outcome") or ""
    return render(request, "talent/cases.html", {
        "page_obj": paginate(request, selectors.cases_search(actor, text=text, outcome=outcome)),
        "q": text, "outcome": outcome, "outcomes": Case.Outcome.choices,
        "drills": selectors.drill_scores_visible(actor)[:20], "scenarios": selectors.drill_scenarios(actor),
        "trainees": staff_visible(actor).filter(is_active=True, role="account_manager")[:500],
        "can_coach": may_coach(actor), "can_manage": may_manage(actor), "points": range(1, 6)})


@login_required
@require_POST
def drill_score(request, scenario_id: int):
    actor = actor_of(request.user)
    scenario = selectors.drill_scenario_get(actor, scenario_id)
    try:
        staff = staff_get(actor, int(request.POST.get("staff") or 0))
        scores = {c["key"]: int(request.POST.get(f"score_{c['key']}") or 0) for c in scenario.rubric}
        services.drill_score(actor=request.user, scenario=scenario, staff=staff, scores=scores)
        messages.success(request, _("Drill scored."))
    except ValidationError as exc:
        flash_errors(request, exc)
    except ValueError:
        messages.error(request, _("Score every criterion from 1 to 5."))
    return redirect("talent:cases")


@login_required
@require_POST
def cases_from_opportunities(request):
    drafted = services.cases_from_closed_opportunities(actor=request.user,
                                                       since=timezone.localdate() - timedelta(days=90))
    messages.success(request, ngettext("%(n)d case drafted from closed opportunities.",
                                       "%(n)d cases drafted from closed opportunities.", drafted) % {"n": drafted})
    return redirect("talent:cases")
