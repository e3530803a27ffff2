"""Pages of lead intake: the new-lead form, the kanban's quick-create, and the lead file import with a
preview (row errors and duplicates) before anything is stored."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.customers.models import Customer
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.roles import Perm, Role
from lendpilot.sales.intake.files import (
    COLUMN_LABELS,
    COLUMNS,
    KIND_WORDS,
    LeadFileError,
    LeadRow,
    read_lead_file,
)
from lendpilot.sales.intake.forms import LeadForm, LeadImportForm, QuickLeadForm
from lendpilot.sales.models import Lead
from lendpilot.sales.notices import notify
from lendpilot.sales.services.lead_import import leads_import
from lendpilot.sales.services.leads import DISQUALIFICATION_LABELS, lead_create


def announce(request: HttpRequest, actor: Actor, lead: Lead) -> None:
    """The message after a lead was taken in: where it went and what comes next."""
    name = lead.name
    opportunity = getattr(lead, "opportunity", None)
    if opportunity is not None and opportunity.owner_id == (actor.staff.pk if actor.staff else None):
        notify(request, _("Lead %(name)s is now your opportunity at lead screening; next, make the first "
                          "contact.") % {"name": name},
               url=reverse("sales:opportunity", args=[opportunity.pk]), link=_("Open the opportunity"))
    elif lead.status == Lead.Status.DISQUALIFIED:
        reasons = "、".join(_(DISQUALIFICATION_LABELS.get(code, code)) for code in lead.disqualification_reasons)
        notify(request, _("Lead %(name)s did not pass screening (%(reasons)s) and stays in the inbox.")
               % {"name": name, "reasons": reasons}, url=reverse("sales:leads"), link=_("Open the lead inbox"),
               level=messages.WARNING)
    elif lead.status == Lead.Status.MERGED:
        notify(request, _("Lead %(name)s is already being worked as an open lead; it was merged into it.")
               % {"name": name}, url=reverse("sales:leads"), link=_("Open the lead inbox"), level=messages.INFO)
    elif actor.can(Perm.ASSIGN_LEADS):
        notify(request, _("Lead %(name)s passed screening and waits for assignment.") % {"name": name},
               url=reverse("sales:assignment"), link=_("Assign it now"))
    else:
        notify(request, _("Lead %(name)s passed screening and waits for the team lead to assign it.")
               % {"name": name}, url=reverse("sales:leads"), link=_("Open the lead inbox"))


def _staff_region(actor: Actor):
    return actor.staff.region if actor.staff is not None else None


@login_required
def lead_new(request: HttpRequest) -> HttpResponse:
    """A lead typed in by an account manager or a team lead; a manager keeps the lead unless handed over."""
    actor = actor_of(request.user)
    require(actor, Perm.CREATE_LEAD)
    require(actor, Perm.VIEW_SALES)
    keeps = actor.role == Role.ACCOUNT_MANAGER
    form = LeadForm(request.POST or None, region=_staff_region(actor), keeps=keeps)
    if request.method == "POST" and form.is_valid():
        try:
            lead = lead_create(actor=request.user, **form.lead_values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            announce(request, actor, lead)
            return redirect("sales:lead_new")
    return render(request, "sales/lead_form.html", {"form": form, "keeps": keeps})


@require_POST
@login_required
def lead_quick(request: HttpRequest) -> HttpResponse:
    """The kanban's quick-create: the lead is in the manager's own region, source direct."""
    actor = actor_of(request.user)
    require(actor, Perm.CREATE_LEAD)
    require(actor, Perm.VIEW_SALES)
    form = QuickLeadForm(request.POST, prefix="quick")
    region = _staff_region(actor)
    if region is None:
        messages.error(request, _("Quick-create needs a region: use the new-lead form."))
        return redirect("sales:lead_new")
    if form.is_valid():
        try:
            lead = lead_create(actor=request.user, source=Lead.Source.DIRECT, region=region, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            announce(request, actor, lead)
            return redirect("sales:kanban")
    errors = "; ".join(f"{form.fields[name].label if name in form.fields else ''} {' '.join(msgs)}".strip()
                       for name, msgs in form.errors.items())
    messages.error(request, _("The lead was not created: %(errors)s") % {"errors": errors})
    return redirect("sales:kanban")


def _rows_from_post(text: str) -> list[LeadRow]:
    try:
        data = json.loads(text)
        return [LeadRow(int(item["row"]), {str(k): str(v) for k, v in item["values"].items()}) for item in data]
    except (ValueError, TypeError, KeyError) as exc:
        raise LeadFileError(_("the preview expired; upload the file again")) from exc


@login_required
def lead_import(request: HttpRequest) -> HttpResponse:
    """Upload -> preview (each row new, duplicate or in error) -> import the previewed rows, all or nothing."""
    actor = actor_of(request.user)
    require(actor, Perm.CREATE_LEAD)
    require(actor, Perm.VIEW_SALES)
    form = LeadImportForm(request.POST or None, request.FILES or None)
    result, rows_json, error = None, "", None
    if request.method == "POST":
        hand_over = request.POST.get("hand_over") == "on"
        try:
            if request.POST.get("action") == "apply":
                rows = _rows_from_post(request.POST.get("rows", ""))
            elif form.is_valid():
                upload = form.cleaned_data["file"]
                rows = read_lead_file(upload.read(), upload.name)
            else:
                rows = None
            if rows is not None:
                apply = request.POST.get("action") == "apply"
                result = leads_import(actor=request.user, rows=rows, apply=apply,
                                      default_region=_staff_region(actor), hand_over=hand_over)
                if result.applied:
                    target = "sales:kanban" if actor.role == Role.ACCOUNT_MANAGER and not hand_over \
                        else "sales:assignment" if actor.can(Perm.ASSIGN_LEADS) else "sales:leads"
                    notify(request, _("%(new)s leads imported, %(dup)s duplicates skipped.") % {
                        "new": result.new, "dup": result.duplicates},
                           url=reverse(target), link=_("Work them now"))
                    return redirect("sales:lead_import")
                rows_json = json.dumps([{"row": r.row, "values": r.values} for r in rows], ensure_ascii=False)
        except LeadFileError as exc:
            error = str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(request, "sales/lead_import.html", {
        "form": form, "result": result, "rows_json": rows_json, "error": error,
        "columns": [(COLUMN_LABELS[column], [s for s in spellings if s.isascii()],
                     [s for s in spellings if not s.isascii()]) for column, spellings in COLUMNS.items()],
        "kinds": [(code, [word for word, kind in KIND_WORDS.items() if kind == code and not word.isascii()])
                  for code in Customer.Kind.values],
        "hand_over": request.POST.get("hand_over") == "on"})


@login_required
def lead_import_template(request: HttpRequest) -> HttpResponse:
    """A CSV with the column names and one example row."""
    actor = actor_of(request.user)
    require(actor, Perm.CREATE_LEAD)
    header = ",".join(next(s for s in spellings if not s.isascii()) for spellings in COLUMNS.values())
    example = "张三,个人,,,13800138000,C,,,200000,direct,展会"
    response = HttpResponse(f"\ufeff{header}\n{example}\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="leads.csv"'
    return response
