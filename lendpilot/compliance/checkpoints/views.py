"""Checkpoint pages: the review queue with a scanner, a review's decision, and submission by any author."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lendpilot.compliance.checkpoints import selectors, services
from lendpilot.compliance.checkpoints.checklist import CHECKLISTS
from lendpilot.compliance.checkpoints.forms import DecisionForm, ScanForm, SubmitForm
from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.checkpoints.promises import scan
from lendpilot.core.views import paginate
from lendpilot.org.access import actor_of
from lendpilot.org.roles import Perm


@login_required
def queue(request):
    actor = actor_of(request.user)
    status = request.GET.get("status", CheckpointReview.Status.PENDING)
    form = ScanForm(request.POST or None)
    findings = None
    if request.method == "POST" and form.is_valid():
        findings = scan(form.cleaned_data["text"], has_fees=form.cleaned_data["has_fees"])
    return render(request, "compliance/checkpoints/queue.html", {
        "page_obj": paginate(request, selectors.reviews(actor, status=status)), "status": status,
        "statuses": CheckpointReview.Status.choices, "form": form, "findings": findings})


@login_required
def review_detail(request, review_id: int):
    actor = actor_of(request.user)
    review = get_object_or_404(selectors.reviews(actor), pk=review_id)
    items = CHECKLISTS[review.kind]
    form = DecisionForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkpoint_decide(actor=actor, review=review, approve=request.POST.get("approve") == "1",
                                       note=form.cleaned_data["note"], checked=form.cleaned_data["checked"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("compliance:checkpoint", review_id=review.pk)
    return render(request, "compliance/checkpoints/review.html", {
        "review": review, "form": form, "items": items,
        "can_decide": actor.can(Perm.WORK_COMPLIANCE) and review.submitted_by_id != request.user.pk})


@login_required
def submit(request):
    actor = actor_of(request.user)
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.checkpoint_submit(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if review.findings:
                messages.warning(request, _("Submitted. The scanner found forbidden promises: correct them and "
                                            "submit again, or compliance will reject the text."))
            else:
                messages.success(request, _("Submitted for compliance review."))
            return redirect("compliance:checkpoint_submit")
    return render(request, "compliance/checkpoints/submit.html", {
        "form": form, "mine": selectors.my_reviews(actor)[:30]})
