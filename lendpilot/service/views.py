"""Pages of the service package for complaint handlers (operations, managers), approvers (the director,
regional heads) and readers (compliance): the complaint desk, one complaint with its steps, the
satisfaction page with NPS and the customer-experience matrix, referrals, public sentiment, crisis incidents
and feedback along the journey. Thin: parse, call a selector or service."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from lendpilot.core.months import shift_month
from lendpilot.core.views import flash_errors, paginate
from lendpilot.customers.models import Customer
from lendpilot.customers.selectors import customers_visible
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm
from lendpilot.org.selectors import staff_visible
from lendpilot.products.models import Product
from lendpilot.service import selectors, services
from lendpilot.service.models import Complaint, Incident, IncidentStep, Statement, TaskForceMember, Topic
from lendpilot.service.sentiment import feed

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
STEPS = ("acknowledge", "recuse", "extend", "decide", "withdraw", "confirm", "appeal", "close")


@login_required
def complaints(request):
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_SERVICE)
    if request.method == "POST":
        require(actor, Perm.WORK_COMPLAINTS)
        customer = customers_visible(actor).filter(pk=request.POST.get("customer") or 0).first()
        try:
            if customer is None:
                raise ValidationError({"customer": _("choose a customer in your scope")})
            names = [n for n in (request.POST.get("representatives") or "").splitlines() if n.strip()]
            complaint = services.complaint_receive(
                actor=request.user, customer=customer, channel=request.POST.get("channel", ""),
                stage=request.POST.get("stage", ""), level=request.POST.get("level", "ordinary"),
                summary=request.POST.get("summary", ""), request=request.POST.get("request", ""),
                is_group=request.POST.get("is_group") == "on", representatives=names)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Complaint %(ref)s received; the decision is due on %(due)s.") % {
                "ref": complaint.reference, "due": complaint.due_on.isoformat()})
            return redirect("service:complaint", complaint_id=complaint.pk)
    status = request.GET.get("status") or ""
    rows = selectors.complaints_for(actor)
    if status == "open":
        rows = rows.filter(status__in=services.complaints.LIVE_STATUSES)
    elif status in Complaint.Status.values:
        rows = rows.filter(status=status)
    today = timezone.localdate()
    return render(request, "service/complaints.html", {
        "page_obj": paginate(request, rows), "status": status, "statuses": Complaint.Status.choices, "today": today,
        "channels": Complaint.Channel.choices, "stages": Complaint.Stage.choices, "levels": Complaint.Level.choices,
        "customers": customers_visible(actor).order_by("name")[:500] if actor.can(Perm.WORK_COMPLAINTS) else [],
        "overdue": selectors.complaints_for(actor).filter(status__in=services.complaints.OPEN_STATUSES,
                                                          due_on__lt=today).count()})


@login_required
def complaint_detail(request, complaint_id: int):
    actor = actor_of(request.user)
    complaint = selectors.complaint_get(actor, complaint_id)
    handlers = staff_visible(actor).filter(is_active=True).exclude(pk=complaint.manager_id).order_by("name")
    return render(request, "service/complaint_detail.html", {
        "complaint": complaint, "handlers": handlers, "today": timezone.localdate(),
        "can_work": actor.can(Perm.WORK_COMPLAINTS), "can_approve": actor.can(Perm.APPROVE_SERVICE),
        "history": complaint.history.select_related("actor"), "extensions": complaint.extension_records.all(),
        "recusals": complaint.recusals.select_related("staff"),
        "live": complaint.status in services.complaints.LIVE_STATUSES})


@login_required
@require_POST
def complaint_step(request, complaint_id: int, step: str):
    actor = actor_of(request.user)
    complaint = selectors.complaint_get(actor, complaint_id)
    post = request.POST
    try:
        if step not in STEPS:
            raise ValidationError({"step": _("unknown step")})
        if step in ("acknowledge", "recuse"):
            staff = staff_visible(actor).filter(pk=post.get("staff") or 0).first()
            if staff is None:
                raise ValidationError({"staff": _("choose a colleague in your scope")})
            if step == "acknowledge":
                services.complaint_acknowledge(actor=request.user, complaint=complaint, owner=staff,
                                               level=post.get("level") or None)
            else:
                services.complaint_recuse(actor=request.user, complaint=complaint, staff=staff,
                                          reason=post.get("reason", ""))
        elif step == "extend":
            services.complaint_extend(actor=request.user, complaint=complaint, reason=post.get("reason", ""))
        elif step == "decide":
            services.complaint_decide(actor=request.user, complaint=complaint, decision=post.get("decision", ""))
        elif step == "withdraw":
            services.complaint_withdraw(actor=request.user, complaint=complaint, note=post.get("note", ""))
        elif step in ("confirm", "appeal"):
            services.complaint_respond(actor=request.user, complaint=complaint, confirmed=step == "confirm",
                                       note=post.get("note", ""))
        else:
            services.complaint_close(actor=request.user, complaint=complaint, root_cause=post.get("root_cause", ""),
                                     remediation=post.get("remediation", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    except PermissionDenied:
        messages.error(request, _("You may not take this step on this complaint."))
    else:
        messages.success(request, _("Saved."))
    return redirect("service:complaint", complaint_id=complaint.pk)


def _labels(dimension: str, keys: list) -> dict:
    if dimension == "tier":
        return dict(Customer.Tier.choices)
    if dimension == "manager":
        return dict(Staff.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {p.pk: p.name for p in Product.objects.filter(pk__in=keys)}


@login_required
def satisfaction(request):
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_SERVICE)
    today = timezone.localdate()
    dimension = request.GET.get("dimension") if request.GET.get("dimension") in ("tier", "manager", "product") \
        else "tier"
    start = shift_month(today.replace(day=1), -11)
    rows = selectors.cx_matrix(actor, dimension=dimension, start=start, end=today)
    labels = _labels(dimension, [r["key"] for r in rows])
    for row in rows:
        row["label"] = labels.get(row["key"], str(row["key"]))
    months = []
    for n in range(11, -1, -1):
        first = shift_month(today.replace(day=1), -n)
        last = shift_month(first, 1)
        score, answers = selectors.nps_of(selectors.surveys_for(actor).filter(answered_on__gte=first,
                                                                              answered_on__lt=last))
        months.append({"month": f"{first:%Y-%m}", "nps": score, "answers": answers,
                       "complaints": selectors.complaints_for(actor).filter(received_on__gte=first,
                                                                           received_on__lt=last).count()})
    return render(request, "service/satisfaction.html", {
        "rows": rows, "dimension": dimension, "months": months, "start": start, "today": today,
        "dimensions": [("tier", _("Tier")), ("manager", _("Account manager")), ("product", _("Product"))]})



@login_required
def referrals(request):
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_SERVICE)
    mine = customers_visible(actor)
    if request.method == "POST":
        require(actor, Perm.WORK_COMPLAINTS)
        try:
            if request.POST.get("approve"):
                referral = selectors.referrals_for(actor).filter(pk=request.POST.get("approve")).first()
                if referral is None:
                    raise ValidationError({"approve": _("no such referral in your scope")})
                services.referral_approve(actor=request.user, referral=referral)
            else:
                referred = mine.filter(pk=request.POST.get("referred") or 0).first()
                if referred is None:
                    raise ValidationError({"referred": _("choose a customer in your scope")})
                services.referral_register(actor=request.user, code=request.POST.get("code", ""),
                                           referred=referred, candidates=mine)
        except ValidationError as exc:
            flash_errors(request, exc)
        except PermissionDenied:
            messages.error(request, _("You may not approve referral rewards."))
        else:
            messages.success(request, _("Saved."))
        return redirect("service:referrals")
    customers = list(mine.order_by("name")[:200])
    months, reward, cap = services.referrals.referral_terms()
    return render(request, "service/referrals.html", {
        "page_obj": paginate(request, selectors.referrals_for(actor)),
        "codes": [(c, services.referral_code(c)) for c in customers], "customers": customers,
        "months": months, "reward": reward, "cap": cap, "can_approve": actor.can(Perm.APPROVE_SERVICE),
        "tiers": services.referrals.reward_tiers(),
        "repeat_tables": [
            (_("Tier"), selectors.repeat_loan_rates(actor, dimension="tier"), "repeat-by-tier"),
            (_("Account manager"), selectors.repeat_loan_rates(actor, dimension="manager"), "repeat-by-manager")]})


# --- public sentiment (E8) -------------------------------------------------------------------------------


@login_required
def sentiment(request):
    """Posts and reviews: the CSV upload, the topics with their daily volumes and sentiment, the alerts with
    their crisis reviews, the discovered clusters and the latest posts."""
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_SERVICE)
    if request.method == "POST":
        require(actor, Perm.WORK_COMPLAINTS)
        try:
            if request.POST.get("action") == "cluster":
                n = services.posts_cluster(actor=request.user)
                messages.success(request, _("Topics recomputed: %(n)d clusters.") % {"n": n})
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError({"file": _("choose a CSV file")})
                if upload.size > MAX_UPLOAD_BYTES:
                    raise ValidationError({"file": _("the file is larger than 20 MB")})
                result = services.posts_import_csv(actor=request.user, content=upload.read())
                messages.success(request, _("%(added)d posts added, %(dup)d already held; %(alerts)d new alerts.") % {
                    "added": result.added, "dup": result.duplicates, "alerts": result.alerts})
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("service:sentiment")
    today = timezone.localdate()
    start = today - timedelta(days=29)
    topic = request.GET.get("topic") or ""
    posts = selectors.posts_for(actor)
    if topic in Topic.values:
        posts = posts.filter(topic=topic)
    summary = selectors.topic_summary(actor, start=start, end=today)
    peak = max((max(r["daily"]) for r in summary), default=0) or 1
    for row in summary:
        row["bars"] = [(start + timedelta(days=i), n, round(100 * n / peak)) for i, n in enumerate(row["daily"])]
    alerts = list(selectors.alerts_for(actor)[:20])
    # An alert links to its crisis review only for a reader who may open it (the task force, the bank-wide desk).
    openable = set(selectors.incidents_for(actor).filter(pk__in={a.incident_id for a in alerts if a.incident_id})
                   .values_list("pk", flat=True))
    return render(request, "service/sentiment.html", {
        "summary": summary, "start": start, "today": today, "topic": topic, "topics": Topic.choices,
        "alerts": alerts, "openable_incidents": openable, "clusters": selectors.clusters_for(actor),
        "page_obj": paginate(request, posts), "can_work": actor.can(Perm.WORK_COMPLAINTS),
        "columns": format_html_join(pgettext("list separator", ", "), "<code>{}</code>",
                                    ((column,) for column in feed.COLUMNS)),
        "sources": feed.SOURCES})


# --- crisis incidents (E9) -------------------------------------------------------------------------------

INCIDENT_ACTIONS = ("member", "note", "grade", "step", "statement", "check_statement", "compensation",
                    "check_compensation", "review", "close")


@login_required
def incidents(request):
    actor = actor_of(request.user)
    rows = selectors.incidents_for(actor)
    if request.method == "POST":
        require(actor, Perm.WORK_COMPLAINTS)
        try:
            topic = request.POST.get("topic") or Topic.OTHER
            complaint = None
            if request.POST.get("complaint"):
                complaint = selectors.complaints_for(actor).filter(pk=request.POST.get("complaint")).first()
                if complaint is None:
                    raise ValidationError({"complaint": _("no such complaint in your scope")})
            incident = services.incident_open(actor=request.user, title=request.POST.get("title", ""),
                                              summary=request.POST.get("summary", ""), topic=topic,
                                              is_drill=request.POST.get("is_drill") == "on", complaint=complaint)
        except ValidationError as exc:
            flash_errors(request, exc)
            return redirect("service:incidents")
        messages.success(request, _("Incident %(ref)s opened.") % {"ref": incident.reference})
        return redirect("service:incident", incident_id=incident.pk)
    return render(request, "service/incidents.html", {
        "page_obj": paginate(request, rows), "topics": Topic.choices, "can_work": actor.can(Perm.WORK_COMPLAINTS)})


@login_required
def incident_detail(request, incident_id: int):
    actor = actor_of(request.user)
    incident = selectors.incident_get(actor, incident_id)
    done = {s.step: s for s in incident.steps.select_related("done_by")}
    steps = [{"code": code, "label": label, "done": done.get(code)} for code, label in IncidentStep.Step.choices]
    next_step = next((s["code"] for s in steps if s["done"] is None), None)
    scripts = services.crisis.scripts_for(incident.topic)
    return render(request, "service/incident_detail.html", {
        "incident": incident, "steps": steps, "next_step": next_step,
        "task_force": incident.task_force.select_related("staff"),
        "statements": incident.statements.select_related("drafted_by", "checked_by"),
        "compensations": incident.compensations.select_related("customer", "proposed_by", "checked_by"),
        "timeline": incident.timeline.select_related("actor"), "alerts": incident.alerts.all(),
        "scripts": [(_("Holding statement"), scripts.get("holding", "")),
                    (_("Reply to customers"), scripts.get("customer", "")),
                    (_("Internal brief"), scripts.get("internal", ""))],
        "functions": TaskForceMember.Function.choices, "grades": Incident.Grade.choices,
        "kinds": Statement.Kind.choices,
        "note_steps": [(c, lbl) for c, lbl in IncidentStep.Step.choices
                       if c not in services.crisis.STEPS_BY_ACTION and c not in done],
        "colleagues": staff_visible(actor).filter(is_active=True).order_by("name")[:300],
        "customers": customers_visible(actor).order_by("name")[:300] if actor.can(Perm.WORK_COMPLAINTS) else [],
        "open": incident.status == Incident.Status.OPEN, "can_work": actor.can(Perm.WORK_COMPLAINTS),
        "can_approve": actor.can(Perm.APPROVE_SERVICE), "user_id": request.user.pk})


def _decimal(value: str, field: str) -> Decimal:
    try:
        amount = Decimal((value or "").strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError({field: _("not a number")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("not a number")})
    return amount


@login_required
@require_POST
def incident_action(request, incident_id: int, action: str):
    actor = actor_of(request.user)
    incident = selectors.incident_get(actor, incident_id)
    post = request.POST
    user = request.user
    try:
        if action not in INCIDENT_ACTIONS:
            raise ValidationError({"action": _("unknown action")})
        if action == "member":
            staff = staff_visible(actor).filter(pk=post.get("staff") or 0).first()
            if staff is None:
                raise ValidationError({"staff": _("choose a colleague in your scope")})
            services.incident_member_add(actor=user, incident=incident, staff=staff, function=post.get("function", ""))
        elif action == "note":
            services.incident_note(actor=user, incident=incident, text=post.get("text", ""))
        elif action == "grade":
            services.incident_grade(actor=user, incident=incident, grade=post.get("grade", ""),
                                    note=post.get("note", ""))
        elif action == "step":
            services.incident_step_done(actor=user, incident=incident, step=post.get("step", ""),
                                        note=post.get("note", ""))
        elif action == "statement":
            services.statement_draft(actor=user, incident=incident, kind=post.get("kind", ""),
                                     text=post.get("text", ""))
        elif action == "check_statement":
            statement = incident.statements.filter(pk=post.get("statement") or 0).first()
            if statement is None:
                raise ValidationError({"statement": _("no such statement of this incident")})
            services.statement_check(actor=user, statement=statement, approve=post.get("decision") == "approve",
                                     note=post.get("note", ""))
        elif action == "compensation":
            customer = customers_visible(actor).filter(pk=post.get("customer") or 0).first()
            if customer is None:
                raise ValidationError({"customer": _("choose a customer in your scope")})
            services.compensation_propose(actor=user, incident=incident, customer=customer,
                                          amount=_decimal(post.get("amount", ""), "amount"),
                                          reason=post.get("reason", ""))
        elif action == "check_compensation":
            case = incident.compensations.filter(pk=post.get("case") or 0).first()
            if case is None:
                raise ValidationError({"case": _("no such compensation case of this incident")})
            services.compensation_check(actor=user, case=case, approve=post.get("decision") == "approve")
        elif action == "review":
            services.incident_review(actor=user, incident=incident, findings=post.get("findings", ""),
                                     improvements=post.get("improvements", ""))
        else:
            services.incident_close(actor=user, incident=incident)
    except ValidationError as exc:
        flash_errors(request, exc)
    except PermissionDenied:
        messages.error(request, _("You may not take this step on this incident."))
    else:
        messages.success(request, _("Saved."))
    return redirect("service:incident", incident_id=incident.pk)


# --- feedback along the journey (F6) ---------------------------------------------------------------------


@login_required
def feedback(request):
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_SERVICE)
    today = timezone.localdate()
    start = shift_month(today.replace(day=1), -11)
    data = selectors.feedback_by_stage(actor, start=start, end=today)
    stage_labels = dict(Complaint.Stage.choices)
    topic_labels = dict(Topic.choices)
    for row in data["stages"]:
        row["label"] = stage_labels.get(row["stage"], row["stage"])
        row["months"] = [(m, [(topic_labels.get(t, t), n) for t, n in list(counts.items())[:3]])
                         for m, counts in row["topics"].items()]
    return render(request, "service/feedback.html", {
        **data, "start": start, "today": today})
