"""Drill pages: canary alerts to work, canaries, the drill schedule, bulk-access outliers; a drill's result
and fixes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.compliance.drills import selectors, services
from lendpilot.compliance.drills.forms import CanaryForm, DrillFixForm, DrillForm, DrillResultForm
from lendpilot.compliance.drills.models import DrillFix
from lendpilot.core.views import flash_errors
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


@login_required
def drills(request):
    actor = actor_of(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    canary_form = CanaryForm(request.POST if action == "canary" else None)
    drill_form = DrillForm(request.POST if action == "drill" else None)
    if action:
        require(actor, Perm.WORK_COMPLIANCE)
        form = canary_form if action == "canary" else drill_form
        if form.is_valid():
            try:
                if action == "canary":
                    services.canary_plant(actor=actor, **form.cleaned_data)
                else:
                    services.drill_schedule(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("compliance:drills")
    return render(request, "compliance/drills/overview.html", {
        "alerts": selectors.canary_alerts(actor)[:50], "canaries": selectors.canaries(actor),
        "drills": selectors.drills(actor),
        "outliers": selectors.bulk_access_outliers(actor, today=timezone.localdate()),
        "canary_form": canary_form, "drill_form": drill_form, "can_work": actor.can(Perm.WORK_COMPLIANCE),
    })


@login_required
@require_POST
def sweep(request):
    require(actor_of(request.user), Perm.WORK_COMPLIANCE)
    raised = services.canary_sweep()
    messages.info(request, _("%(n)d new canary alerts from the access log.") % {"n": raised})
    return redirect("compliance:drills")


@login_required
@require_POST
def alert_close(request, alert_id: int):
    actor = actor_of(request.user)
    alert = get_object_or_404(selectors.canary_alerts(actor, status=""), pk=alert_id)
    try:
        services.alert_close(actor=actor, alert=alert, note=request.POST.get("note", ""))
    except ValidationError as exc:
        flash_errors(request, exc, name_fields=False)
    else:
        messages.success(request, _("Alert closed."))
    return redirect("compliance:drills")


@login_required
def drill_detail(request, drill_id: int):
    actor = actor_of(request.user)
    drill = get_object_or_404(selectors.drills(actor), pk=drill_id)
    action = request.POST.get("action") if request.method == "POST" else None
    result_form = DrillResultForm(request.POST if action == "result" else None, initial={
        "result": drill.result or None, "run_on": drill.run_on or timezone.localdate(), "findings": drill.findings,
        "detection_minutes": drill.detection_minutes})
    fix_form = DrillFixForm(request.POST if action == "fix" else None)
    if action:
        require(actor, Perm.WORK_COMPLIANCE)
        form = result_form if action == "result" else fix_form
        if form.is_valid():
            try:
                if action == "result":
                    services.drill_record(actor=actor, drill=drill, **form.cleaned_data)
                else:
                    services.drill_fix_add(actor=actor, drill=drill, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("compliance:drill", drill_id=drill.pk)
    return render(request, "compliance/drills/drill.html", {
        "drill": drill, "fixes": drill.fixes.select_related("owner__staff"), "result_form": result_form,
        "fix_form": fix_form, "can_work": actor.can(Perm.WORK_COMPLIANCE), "today": timezone.localdate()})


@login_required
@require_POST
def fix_done(request, fix_id: int):
    actor = actor_of(request.user)
    fix = get_object_or_404(DrillFix, pk=fix_id)
    try:
        services.drill_fix_done(actor=actor, fix=fix)
    except ValidationError as exc:
        flash_errors(request, exc, name_fields=False)
    return redirect("compliance:drill", drill_id=fix.drill_id)
