"""Pages of the service package for complaint handlers (operations, managers), approvers (the director,
regional heads) and readers (compliance): the complaint desk, one complaint with its steps, and the
satisfaction page with NPS and the customer-experience matrix. Thin: parse, call a selector or service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
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
from lendpilot.service.models import Complaint

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
        "months": months, "reward": reward, "cap": cap, "can_approve": actor.can(Perm.APPROVE_SERVICE)})
