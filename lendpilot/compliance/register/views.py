"""Register pages: the dashboard (coverage per document, overdue owners), a document with its revisions and
trainings, and every staff member's own trainings to attest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.compliance.register import selectors, services
from lendpilot.compliance.register.coverage import GOAL
from lendpilot.compliance.register.forms import DocumentForm, DocumentStatusForm, RevisionForm, TrainingForm
from lendpilot.compliance.register.models import ManualRevision, RegulatoryDocument, Training
from lendpilot.core.views import flash_errors
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm, Role


@login_required
def register(request):
    actor = actor_of(request.user)
    today = timezone.localdate()
    issuer = request.GET.get("issuer", "")
    rows = selectors.register_rows(actor, today=today, issuer=issuer)
    return render(request, "compliance/register/dashboard.html", {
        "rows": rows, "owners": selectors.overdue_owners(actor, today=today), "goal": GOAL,
        "issuers": RegulatoryDocument.Issuer.choices, "issuer": issuer,
        "missed": sum(r.state == "missed" for r in rows), "met": sum(r.state == "met" for r in rows),
        "can_work": actor.can(Perm.WORK_COMPLIANCE),
    })


@login_required
def document_new(request):
    actor = actor_of(request.user)
    require(actor, Perm.WORK_COMPLIANCE)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.regulation_register(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Document registered. Plan the manual revisions and the training."))
            return redirect("compliance:document", document_id=document.pk)
    return render(request, "compliance/register/document_new.html", {"form": form})


def _document_forms(request, document):
    action = request.POST.get("action") if request.method == "POST" else None
    return (DocumentStatusForm(request.POST if action == "status" else None,
                               initial={"status": document.status, "summary": document.summary}),
            RevisionForm(request.POST if action == "revision" else None),
            TrainingForm(request.POST if action == "training" else None), action)


def _apply(actor, document, action, forms) -> bool:
    status_form, revision_form, training_form = forms
    form = {"status": status_form, "revision": revision_form, "training": training_form}.get(action)
    if form is None or not form.is_valid():
        return False
    try:
        if action == "status":
            services.regulation_update(actor=actor, document=document, **form.cleaned_data)
        elif action == "revision":
            services.revision_plan(actor=actor, document=document, **form.cleaned_data)
        else:
            services.training_create(actor=actor, document=document, **form.cleaned_data)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    return True


@login_required
def document_detail(request, document_id: int):
    actor = actor_of(request.user)
    document = get_object_or_404(selectors.documents(actor), pk=document_id)
    status_form, revision_form, training_form, action = _document_forms(request, document)
    if action:
        require(actor, Perm.WORK_COMPLIANCE)
        if _apply(actor, document, action, (status_form, revision_form, training_form)):
            messages.success(request, _("Saved."))
            return redirect("compliance:document", document_id=document.pk)
    trainings = list(document.trainings.all())
    coverage = selectors.training_coverage(trainings)
    today = timezone.localdate()
    role_names = dict(Role.choices)
    return render(request, "compliance/register/document.html", {
        "document": document, "today": today,
        "revisions": document.revisions.select_related("owner__staff"),
        "trainings": [(t, coverage[t.pk], coverage[t.pk].state(today), [role_names.get(r, r) for r in t.roles])
                      for t in trainings],
        "status_form": status_form, "revision_form": revision_form, "training_form": training_form,
        "can_work": actor.can(Perm.WORK_COMPLIANCE),
    })


@login_required
@require_POST
def revision_done(request, revision_id: int):
    actor = actor_of(request.user)
    revision = get_object_or_404(ManualRevision, pk=revision_id)
    try:
        services.revision_complete(actor=actor, revision=revision, note=request.POST.get("note", ""))
    except ValidationError as exc:
        flash_errors(request, exc, name_fields=False)
    else:
        messages.success(request, _("Revision marked done."))
    if actor.can(Perm.VIEW_COMPLIANCE):
        return redirect("compliance:document", document_id=revision.document_id)
    return redirect("compliance:my_trainings")


@login_required
def my_trainings(request):
    actor = actor_of(request.user)
    own_revisions = ManualRevision.objects.filter(owner=request.user, done_on__isnull=True).select_related("document")
    return render(request, "compliance/register/my_trainings.html", {
        "trainings": selectors.my_trainings(actor), "revisions": own_revisions, "today": timezone.localdate()})


@login_required
@require_POST
def training_attest(request, training_id: int):
    actor = actor_of(request.user)
    training = get_object_or_404(Training, pk=training_id)
    try:
        services.training_attest(actor=actor, training=training)
    except ValidationError as exc:
        flash_errors(request, exc, name_fields=False)
    else:
        messages.success(request, _("Attestation recorded."))
    return redirect("compliance:my_trainings")
