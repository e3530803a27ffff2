"""Pages of sales: the kanban with HTMX moves, the opportunity page (history, activities, proposals with an
instalment preview, the playbook for the node), the lead inbox and the assignment screen.

Reads go through the scoped selectors (out of scope is a 404), writes through the services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lendpilot.core.views import flash_errors, paginate
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.sales import selectors, services
from lendpilot.sales.forms import (
    ActivityForm,
    AssignmentFilterForm,
    LeadFilterForm,
    MoveForm,
    PlaybookEntryForm,
    ProposalForm,
)
from lendpilot.sales.funnel import LossReason, Node
from lendpilot.sales.intake.forms import QuickLeadForm
from lendpilot.sales.models import Lead, Opportunity, PlaybookEntry
from lendpilot.sales.notices import notify
from lendpilot.sales.services import playbooks as playbook_services
from lendpilot.sales.services.opportunities import LOAN_LOSS, opportunities_follow_loans

MANUAL_NEXT = {Node.SCREENING: Node.FIRST_CONTACT, Node.FIRST_CONTACT: Node.PROPOSAL}
"""The next node a person moves an opportunity to; from the proposal on, the loan application moves it."""
MANUAL_LOSS_REASONS = [(code, label) for code, label in LossReason.choices if code not in LOAN_LOSS.values()]
NEXT_STEP = {
    Node.FIRST_CONTACT: gettext_lazy("next, log the first contact and the customer's needs"),
    Node.PROPOSAL: gettext_lazy("next, save a proposal and open the loan application"),
    Node.LOST: gettext_lazy("it is closed; its loss counts in the funnel diagnostics"),
}


def _board_context(request, actor):
    owner_id = request.GET.get("owner") or request.POST.get("owner")
    owner_id = int(owner_id) if owner_id and owner_id.isdigit() else None
    # One column in full, a page at a time (?node=...), or the board with the first cards of each column.
    node = request.GET.get("node") or request.POST.get("node_page") or ""
    page = None
    if node:
        page = paginate(request, selectors.kanban_column(actor, node=node, owner_id=owner_id),
                        per_page=selectors.KANBAN_COLUMN_CARDS)
        columns = {node: (list(page.object_list), page.paginator.count)}
    else:
        columns = selectors.kanban(actor, owner_id=owner_id)
    return {
        "columns": [{"node": node, "label": Node(node).label, "cards": cards, "total": total,
                     "next": MANUAL_NEXT.get(node),
                     "next_label": Node(MANUAL_NEXT[node]).label if node in MANUAL_NEXT else "",
                     "follows_loan": node in (Node.QUALIFICATION, Node.SIGNING), "proposal": node == Node.PROPOSAL}
                    for node, (cards, total) in columns.items()],
        "owner_id": owner_id, "loss_reasons": MANUAL_LOSS_REASONS, "column_page": page, "column_node": node,
    }


@login_required
def kanban(request):
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_SALES)
    context = _board_context(request, actor)
    context["overdue"] = selectors.follow_ups_overdue(actor)[:20]
    context["quick_form"] = QuickLeadForm(prefix="quick") if actor.can(Perm.CREATE_LEAD) else None
    return render(request, "sales/kanban.html", context)


@require_POST
@login_required
def opportunity_move(request, opportunity_id: int):
    """HTMX: move one card and answer the redrawn board (with the reason when the move is refused)."""
    actor = actor_of(request.user)
    opp = selectors.opportunity_get(actor, opportunity_id)
    form = MoveForm(request.POST)
    error = None
    if form.is_valid():
        try:
            moved = services.opportunity_move(actor=request.user, opportunity=opp, to_node=form.cleaned_data["node"],
                                              loss_reason=form.cleaned_data["loss_reason"],
                                              note=form.cleaned_data["note"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(m for errs in form.errors.values() for m in errs)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            _announce_move(request, moved)
        return redirect("sales:opportunity", opportunity_id)
    context = _board_context(request, actor)
    context["error"] = error
    # 200 either way: htmx swaps only successful answers, and the refused move's reason is on the board.
    return render(request, "sales/_board.html", context)


def _announce_move(request, opp: Opportunity) -> None:
    notify(request, _("%(name)s is now at %(node)s; %(next)s.") % {
        "name": opp.name, "node": opp.get_node_display(), "next": NEXT_STEP.get(opp.node, "")},
           url=reverse("sales:opportunity", args=[opp.pk]) + "#activity-form", link=_("Continue"))


def _stage_context(actor, opp: Opportunity) -> dict:
    """The stage control: the next node a person may move to (selected by default), never a step back;
    the loan-driven nodes say which application moves them."""
    application = opp.application
    return {"next_node": MANUAL_NEXT.get(opp.node), "next_label": Node(MANUAL_NEXT[opp.node]).label
            if opp.node in MANUAL_NEXT else "", "follows_loan": opp.node in (Node.QUALIFICATION, Node.SIGNING),
            "application": application, "can_apply": actor.can(Perm.APPLY_LOAN),
            "loss_reasons": MANUAL_LOSS_REASONS}


@require_POST
@login_required
def follow_loans(request):
    """Posted by the pipeline and opportunity pages as they load (a GET changes nothing): moves the
    reader's open opportunities to where their loan applications are, and has the page reload when
    anything moved."""
    actor = actor_of(request.user)
    visible = selectors.opportunities_visible(actor, open_only=True)
    opportunity_id = request.POST.get("opportunity", "")
    if opportunity_id.isdigit():
        visible = visible.filter(pk=int(opportunity_id))
    moved = opportunities_follow_loans(within=visible)["moved"]
    if not request.htmx:
        return redirect("sales:opportunity", int(opportunity_id)) if opportunity_id.isdigit() \
            else redirect("sales:kanban")
    response = HttpResponse(status=204 if not moved else 200)
    if moved:
        response["HX-Refresh"] = "true"
    return response


@login_required
def opportunity_detail(request, opportunity_id: int):
    actor = actor_of(request.user)
    opp = selectors.opportunity_get(actor, opportunity_id)
    activity_form = ActivityForm(prefix="act")
    proposal_form = ProposalForm(prefix="prop", initial={
        "product": opp.product_id, "amount": opp.amount, "term_months": 12,
        "repayment_method": "equal_instalment"})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "activity":
                activity_form = ActivityForm(request.POST, prefix="act")
                if activity_form.is_valid():
                    act = services.activity_log(actor=request.user, opportunity=opp, **activity_form.cleaned_data)
                    follow_up = (_("follow-up %(step)s due %(day)s") % {"step": act.next_step or _("next step"),
                                                                        "day": act.next_step_on}
                                 if act.next_step_on else _("no follow-up set"))
                    notify(request, _("%(kind)s with %(name)s logged (%(follow_up)s).") % {
                        "kind": act.get_kind_display(), "name": opp.name, "follow_up": follow_up},
                           url=reverse("sales:opportunity", args=[opp.pk]) + "#move-form",
                           link=_("Move the opportunity on"))
                    return redirect("sales:opportunity", opp.pk)
            elif action == "proposal":
                proposal_form = ProposalForm(request.POST, prefix="prop")
                if proposal_form.is_valid():
                    data = dict(proposal_form.cleaned_data)
                    needs = {k: data.pop(k) for k in ("purpose", "cash_flow_cycle") if data.get(k)}
                    data.pop("purpose", None)
                    data.pop("cash_flow_cycle", None)
                    proposal = services.proposal_save(actor=request.user, opportunity=opp, needs=needs, **data)
                    notify(request, _("Proposal version %(v)s for %(name)s saved; next, open the loan application "
                                      "with these terms.") % {"v": proposal.version, "name": opp.name},
                           url=reverse("lending:application_new"), link=_("Open a loan application"))
                    return redirect("sales:opportunity", opp.pk)
            else:
                return HttpResponseBadRequest("unknown action")
        except ValidationError as exc:
            (activity_form if action == "activity" else proposal_form).add_service_errors(exc)
    proposals = list(opp.proposals.select_related("product").order_by("-version"))
    preview = None
    if proposals:
        latest = proposals[0]
        preview = services.proposal_preview(product=latest.product, amount=latest.amount,
                                            term_months=latest.term_months, repayment_method=latest.repayment_method,
                                            annual_rate=latest.annual_rate).rows
    return render(request, "sales/opportunity_detail.html", {**_stage_context(actor, opp),
        "opp": opp, "transitions": _history(opp), "activities": opp.activities.all()[:50],
        "proposals": proposals, "preview": preview, "playbook": selectors.playbook_for(opp)[:30],
        "activity_form": activity_form, "proposal_form": proposal_form,
        "can_work": actor.can(Perm.WORK_OPPORTUNITIES),
    })


def _history(opp: Opportunity) -> list:
    """The opportunity's moves as a reader reads them: node labels, who moved it by name, the note translated
    where it is an assignment reason."""
    transitions = list(selectors.transitions_of(opp))
    names = selectors.actor_names(t.actor_label for t in transitions if t.actor is None)
    for t in transitions:
        t.from_label = Node(t.from_node).label if t.from_node in Node.values else t.from_node
        t.who = t.actor.name if t.actor is not None else names[t.actor_label]
        t.note_shown = services.reason_shown(t.note)
    return transitions


@require_POST
@login_required
def proposal_preview(request, opportunity_id: int):
    """HTMX: the instalment preview and annualised rate of the proposal form as typed, nothing saved."""
    actor = actor_of(request.user)
    selectors.opportunity_get(actor, opportunity_id)
    form = ProposalForm(request.POST, prefix="prop")
    rows, apr, error = None, None, None
    if form.is_valid():
        data = form.cleaned_data
        try:
            preview = services.proposal_preview(product=data["product"], amount=data["amount"],
                                                term_months=data["term_months"],
                                                repayment_method=data["repayment_method"],
                                                annual_rate=data["annual_rate"])
            rows, apr = preview.rows, preview.apr
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(m for errs in form.errors.values() for m in errs)
    return render(request, "sales/_preview.html", {"rows": rows, "apr": apr, "error": error})


@login_required
def lead_inbox(request):
    actor = actor_of(request.user)
    filters = LeadFilterForm(request.GET)
    status = q = None
    if filters.is_valid():
        status, q = filters.cleaned_data["status"] or None, filters.cleaned_data["q"] or None
    leads = selectors.leads_visible(actor, status=status, search=q)
    page = paginate(request, leads)
    labels = {code: _(text) for code, text in services.DISQUALIFICATION_LABELS.items()}
    status_labels = {**dict(Lead.Status.choices), selectors.RECEIVED: _("Received")}
    for lead in page:
        # What the reader may learn of the lead: a partner sees "received" and nothing of the bank's customers.
        lead.shown_reason = services.reason_shown(lead.assignment_reason)
        lead.shown_status = status_labels[selectors.lead_status_shown(actor, lead)]
        lead.shown_customer_id = selectors.lead_customer_shown(actor, lead)
        lead.reason_labels = [labels.get(code, code) for code in selectors.lead_reasons_shown(actor, lead)]
    return render(request, "sales/lead_inbox.html", {"filters": filters, "page_obj": page,
                                                     "can_assign": actor.can(Perm.ASSIGN_LEADS),
                                                     "can_create": actor.can(Perm.CREATE_LEAD),
                                                     "show_work": selectors.lead_worked_shown(actor)})


@login_required
def assignment(request):
    """Pick qualified leads, preview the optimal assignment beside round robin, then apply it."""
    actor = actor_of(request.user)
    require(actor, Perm.ASSIGN_LEADS)
    filters = AssignmentFilterForm(request.GET)
    candidates = selectors.leads_visible(actor, status=Lead.Status.QUALIFIED)
    if filters.is_valid():
        chosen = {k: v for k, v in filters.cleaned_data.items() if v}
        candidates = candidates.filter(**{"industry" if k == "industry" else k: v for k, v in chosen.items()})
    candidates = candidates[:200]
    plan = None
    error = None
    if request.method == "POST":
        lead_ids = [int(x) for x in request.POST.getlist("lead") if x.isdigit()]
        method = request.POST.get("method", "optimal")
        overrides = {}
        for key, value in request.POST.items():
            if key.startswith("override-") and value.isdigit() and key[9:].isdigit():
                overrides[int(key[9:])] = int(value)
        try:
            if request.POST.get("action") == "apply":
                created = services.assignment_apply(actor=request.user, lead_ids=lead_ids, method=method,
                                                    overrides=overrides)
                owners = sorted({o.owner.name for o in created})
                notify(request, _("%(n)s leads assigned to %(owners)s; each is now an opportunity at lead screening "
                                  "on its manager's pipeline.") % {"n": len(created), "owners": "、".join(owners)},
                       url=reverse("sales:kanban"), link=_("Open the pipeline"))
                return redirect("sales:assignment")
            plan = services.assignment_preview(actor=request.user, lead_ids=lead_ids, method=method)
            for row in plan.rows:
                row.reason = services.reason_text(row.reasons)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(request, "sales/assignment.html", {
        "candidates": candidates, "plan": plan, "error": error, "filters": filters,
        "managers": selectors.managers_in_scope(actor),
        "selected": {r.lead.pk for r in plan.rows} if plan else set(),
    })


@require_POST
@login_required
def playbook_use(request, entry_id: int):
    """HTMX: an entry opened on the opportunity page counts as used; answers the new count."""
    entry = PlaybookEntry.objects.filter(pk=entry_id, is_active=True).first()
    if entry is None:
        raise Http404("no such playbook entry")
    return HttpResponse(str(services.playbook_use(actor=request.user, entry=entry)))


@login_required
def funnel(request):
    """Funnel diagnostics data (B10): per node reached, advanced, lost, conversion and median days over the
    visible opportunities of the last 12 months; nodes losing more than 15% are flagged."""
    from datetime import timedelta

    from django.utils import timezone

    actor = actor_of(request.user)
    figures = selectors.funnel_figures(actor, since=timezone.now() - timedelta(days=365))
    rows = [{"label": Node(f.node).label, "f": f, "weak": f.node in figures.weak_nodes} for f in figures.nodes]
    return render(request, "sales/funnel.html", {"figures": figures, "rows": rows})


@login_required
def playbook(request):
    """The playbook's authoring desk (C7): new entries are drafts, sent to compliance, published only with
    their exact text approved; a live entry can be withdrawn."""
    actor = actor_of(request.user)
    require(actor, Perm.MANAGE_PLAYBOOKS)
    form = PlaybookEntryForm(request.POST or None) if request.POST.get("action") == "create" else PlaybookEntryForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create":
                if form.is_valid():
                    services.playbook_entry_save(actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Draft saved. Next: submit it for compliance review."))
                    return redirect("sales:playbook")
            else:
                entry = selectors.playbook_entries_managed(actor).filter(pk=request.POST.get("entry") or 0).first()
                if entry is None:
                    raise ValidationError({"entry": _("no such playbook entry")})
                if action == "submit":
                    playbook_services.playbook_entry_submit(actor=request.user, entry=entry)
                    messages.success(request, _("Sent to compliance for review."))
                elif action in ("publish", "withdraw"):
                    playbook_services.playbook_entry_publish(actor=request.user, entry=entry, live=action == "publish")
                    messages.success(request, _("Published.") if action == "publish" else _("Withdrawn."))
                return redirect("sales:playbook")
        except ValidationError as exc:
            flash_errors(request, exc)
            if action != "create":
                return redirect("sales:playbook")
    page = paginate(request, selectors.playbook_entries_managed(actor))
    rows = [{"entry": e, "cleared": playbook_services.playbook_is_cleared(e)} for e in page.object_list]
    return render(request, "sales/playbook.html", {"page_obj": page, "rows": rows, "form": form})
