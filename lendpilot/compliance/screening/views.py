"""Screening pages for the compliance desk: hits to review, a hit's two-officer decision, watch-list import
with a preview, and a run over a file of subjects."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.compliance.screening import selectors, services
from lendpilot.compliance.screening.forms import HitProposalForm, SubjectFileForm, WatchListImportForm
from lendpilot.compliance.screening.models import ScreeningHit
from lendpilot.compliance.screening.subjects_file import parse_subjects
from lendpilot.compliance.screening.watchlist_file import WatchFileError, parse_watch_list, read_table
from lendpilot.core.views import flash_errors, paginate
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

PREVIEW_SECONDS = 1800


@login_required
def hits(request):
    actor = actor_of(request.user)
    status = request.GET.get("status", ScreeningHit.Status.REVIEW)
    waiting = request.GET.get("waiting") == "1"
    return render(request, "compliance/screening/hits.html", {
        "page_obj": paginate(request, selectors.screening_hits(actor, status=status, waiting_for_me=waiting)),
        "status": status, "waiting": waiting, "statuses": ScreeningHit.Status.choices,
        "counts": selectors.hit_counts(actor),
        "runs": selectors.screening_runs(actor)[:5],
        "lists": selectors.watch_lists(actor).filter(is_active=True),
        "can_work": actor.can(Perm.WORK_COMPLIANCE),
    })


@login_required
def hit_detail(request, hit_id: int):
    actor = actor_of(request.user)
    hit = get_object_or_404(selectors.screening_hits(actor), pk=hit_id)
    form = HitProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hit_propose(actor=actor, hit=hit, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Proposal recorded; a second compliance officer decides on it."))
            return redirect("compliance:hit", hit_id=hit.pk)
    return render(request, "compliance/screening/hit.html", {
        "hit": hit, "form": form, "can_work": actor.can(Perm.WORK_COMPLIANCE),
        "own_proposal": hit.proposed_by_id == request.user.pk,
        "frozen": selectors.is_frozen(ref=hit.subject_ref),
    })


@login_required
@require_POST
def hit_decide(request, hit_id: int):
    actor = actor_of(request.user)
    hit = get_object_or_404(selectors.screening_hits(actor), pk=hit_id)
    try:
        hit = services.hit_decide(actor=actor, hit=hit, approve=request.POST.get("approve") == "1")
    except ValidationError as exc:
        flash_errors(request, exc, name_fields=False)
    else:
        if hit.status == ScreeningHit.Status.CONFIRMED:
            messages.success(request, _("Hit confirmed: the subject's applications and disbursements are frozen. "
                                        "No message goes to the customer."))
        elif hit.status == ScreeningHit.Status.CLEARED:
            messages.success(request, _("Hit cleared."))
        else:
            messages.info(request, _("Proposal sent back for review."))
    return redirect("compliance:hit", hit_id=hit.pk)


@login_required
def watch_list_import(request):
    actor = actor_of(request.user)
    require(actor, Perm.WORK_COMPLIANCE)
    form = WatchListImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token = data["token"]
        parsed = cache.get(f"watchlist-preview:{request.user.pk}:{token}") if token else None
        if data["file"] is not None:
            try:
                parsed = parse_watch_list(read_table(data["file"].read(), data["file"].name))
            except WatchFileError as exc:
                form.add_error("file", str(exc))
                parsed = None
            token = secrets.token_urlsafe(16)
            if parsed is not None:
                cache.set(f"watchlist-preview:{request.user.pk}:{token}", parsed, PREVIEW_SECONDS)
        elif parsed is None and not form.errors:
            form.add_error("file", _("Choose the list's file."))
        if parsed is not None:
            rows, errors = parsed
            preview = {"rows": rows[:50], "count": len(rows), "errors": errors, "token": token}
            if "confirm" in request.POST and not errors:
                try:
                    watch_list = services.watch_list_import(actor=actor, name=data["name"], version=data["version"],
                                                            source=data["source"], rows=rows)
                except ValidationError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(request, _("%(list)s imported with %(count)d entries. Run a screening so that "
                                                "every subject meets the new version.") % {
                        "list": watch_list, "count": watch_list.entry_count})
                    return redirect("compliance:hits")
    return render(request, "compliance/screening/import.html", {"form": form, "preview": preview})


@login_required
def run_screening(request):
    actor = actor_of(request.user)
    require(actor, Perm.WORK_COMPLIANCE)
    form = SubjectFileForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            subjects, errors = parse_subjects(read_table(upload.read(), upload.name), id_hash=services.id_hash_of)
        except WatchFileError as exc:
            form.add_error("file", str(exc))
            subjects = []
        if subjects and not errors:
            run = services.screening_run(actor=actor, subjects=subjects)
            messages.success(request, _("%(subjects)d subjects screened, %(hits)d new hits to review.") % {
                "subjects": run.subjects, "hits": run.hits})
            return redirect("compliance:hits")
    return render(request, "compliance/screening/run.html", {
        "form": form, "errors": errors, "runs": selectors.screening_runs(actor)[:20]})
