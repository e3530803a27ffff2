"""Pages of scenario marketing and the Customer 360 (FEATURES B2, B3, B4, D1, D3, D7): the offer list
with accept/decline, the task list, trigger rules (list, create, edit, run now) and the 360 page.

Reads go through the scoped selectors (out of scope is a 404), writes through the services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.errors import Conflict
from lendpilot.core.views import paginate
from lendpilot.customers.models import TagDefinition
from lendpilot.customers.needs_labels import needs_shown
from lendpilot.customers.tiering import package_text
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.models import FundingNode
from lendpilot.sales.customer360 import customer_360
from lendpilot.sales.forms import DeclineForm, TriggerRuleForm
from lendpilot.sales.models import ManagerTask, PreApprovedOffer
from lendpilot.sales.notices import notify
from lendpilot.sales.scenarios import selectors as sel
from lendpilot.sales.scenarios import services as svc
from lendpilot.sales.selectors import actor_names

ACTION_LABELS = {
    "collection_visit": gettext_lazy("Visit for collection: a loan is %(days_past_due)s days past due"),
    "call_about_offer": gettext_lazy("Call about the pre-approved offer not yet discussed"),
    "assign_dedicated_manager": gettext_lazy("Assign a dedicated manager: the current one carries "
                                             "%(manager_customers)s customers"),
    "needs_interview": gettext_lazy("Run the needs interview: no current questionnaire"),
    "advisory_visit": gettext_lazy("Post-loan advisory visit for a high-value customer"),
    "follow_up_opportunity": gettext_lazy("Follow up %(overdue)s overdue next steps on open opportunities"),
    "check_in": gettext_lazy("Check in: no contact for 90 days or more"),
}


def action_text(action) -> str:
    template = str(ACTION_LABELS.get(action.code, action.code))
    try:
        return template % action.facts
    except (KeyError, TypeError, ValueError):
        return template


@login_required
def offer_list(request):
    actor = actor_of(request.user)
    status = request.GET.get("status") or None
    if status not in PreApprovedOffer.Status.values:
        status = None
    node = request.GET.get("node") or None
    if node not in FundingNode.values:
        node = None
    page = paginate(request, sel.offers_visible(actor, status=status, node=node))
    return render(request, "sales/offer_list.html", {
        "page_obj": page, "status": status or "", "node": node or "", "statuses": PreApprovedOffer.Status.choices,
        "nodes": FundingNode.choices, "counts": sel.offer_counts(actor),
        "can_work": actor.can(Perm.WORK_OPPORTUNITIES)})


@require_POST
@login_required
def offer_decide(request, offer_id: int, decision: str):
    actor = actor_of(request.user)
    offer = sel.offer_get(actor, offer_id)
    try:
        if decision == "accept":
            offer = svc.offer_accept(actor=request.user, offer=offer, amount=request.POST.get("amount") or None)
            notify(request, _("Offer of %(product)s to %(customer)s accepted; the opportunity is open at lead "
                              "screening.") % {"product": offer.product.name, "customer": offer.customer.name},
                   url=reverse("sales:opportunity", args=[offer.opportunity_id]) if offer.opportunity_id
                   else reverse("sales:kanban"), link=_("Work the opportunity"))
        else:
            form = DeclineForm(request.POST)
            form.is_valid()
            svc.offer_decline(actor=request.user, offer=offer, reason=form.cleaned_data.get("reason", ""))
            notify(request, _("Offer of %(product)s to %(customer)s declined; the customer is not offered this "
                              "node again during the cool-down.") % {"product": offer.product.name,
                                                                     "customer": offer.customer.name},
                   url=reverse("sales:offers") + "?status=offered", link=_("Next live offer"), level=messages.INFO)
    except (ValidationError, Conflict) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("sales:offers")


@login_required
def task_list(request):
    actor = actor_of(request.user)
    kind = request.GET.get("kind") or None
    if kind not in ManagerTask.Kind.values:
        kind = None
    mine = request.GET.get("all") != "1"
    page = paginate(request, sel.tasks_visible(actor, kind=kind, mine=mine and actor.staff is not None))
    return render(request, "sales/task_list.html", {"page_obj": page, "kind": kind or "",
                                                    "kinds": ManagerTask.Kind.choices, "mine": mine})


@require_POST
@login_required
def task_done(request, task_id: int):
    actor = actor_of(request.user)
    task = sel.task_get(actor, task_id)
    try:
        svc.task_complete(actor=request.user, task=task, note=request.POST.get("note", ""))
        notify(request, _("Task for %(customer)s done.") % {"customer": task.customer.name},
               url=reverse("sales:tasks"), link=_("Next task"))
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect("sales:tasks")


@login_required
def trigger_rule_list(request):
    actor = actor_of(request.user)
    rules = list(sel.trigger_rules(actor))
    runs = list(sel.trigger_runs(actor)[:10])
    names = actor_names(run.actor_label for run in runs)
    for run in runs:
        run.by = names[run.actor_label]
    tags = dict((t.code, t.name) for t in TagDefinition.objects.filter(code__in={r.tag_code for r in rules}))
    for rule in rules:
        rule.tag_name = tags.get(rule.tag_code)
    return render(request, "sales/trigger_rules.html", {
        "rules": rules, "runs": runs,
        "can_manage": actor.can(Perm.MANAGE_PLAYBOOKS), "can_run": actor.can(Perm.ASSIGN_LEADS)})


@login_required
def trigger_rule_edit(request, rule_id: int | None = None):
    actor = actor_of(request.user)
    require(actor, Perm.MANAGE_PLAYBOOKS)
    rule = sel.trigger_rule_get(actor, rule_id) if rule_id else None
    form = TriggerRuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.trigger_rule_save(actor=request.user, rule=rule, **form.values())
            notify(request, _("Trigger rule %(code)s saved (version %(v)s); it pushes offers at the next daily "
                              "run.") % {"code": saved.code, "v": saved.version},
                   url=reverse("sales:trigger_rules") + "#trigger-run", link=_("Run it now"))
            return redirect("sales:trigger_rules")
        except ValidationError as exc:
            form.add_service_errors(exc)
    return render(request, "sales/trigger_rule_form.html", {"form": form, "rule": rule})


@require_POST
@login_required
def trigger_run(request):
    actor = actor_of(request.user)
    require(actor, Perm.ASSIGN_LEADS)
    run = svc.triggers_evaluate(actor=request.user)
    notify(request, _("%(n)s offers pushed, %(m)s messages queued; each offer is a task on its manager's list.")
           % {"n": run.offers, "m": run.messages}, url=reverse("sales:offers"), link=_("See the offers"))
    return redirect("sales:trigger_rules")


@login_required
def customer_360_page(request, customer_id: int):
    actor = actor_of(request.user)
    view = customer_360(actor, customer_id)
    english = (get_language() or "").startswith("en")
    tags = view.portrait.get("tags", {})
    tag_groups = [(code, label, [{"code": t["code"], "name": t["name_en"] if english and t["name_en"] else t["name"]}
                                 for t in tags.get(code, [])])
                  for code, label in TagDefinition.Theme.choices]
    package = view.portrait["service_package"]
    return render(request, "sales/customer_360.html", {
        "view": view, "c": view.customer, "p": view.portrait,
        "package": {**package, "pricing_band": package_text(package["pricing_band"])},
        "advisory": package_text(view.portrait["advisory"]), "needs": needs_shown(view.portrait["needs"]),
        "tag_groups": [g for g in tag_groups if g[2]],
        "actions": [(a, action_text(a)) for a in view.actions],
        "can_work": actor.can(Perm.WORK_OPPORTUNITIES), "can_create_lead": actor.can(Perm.CREATE_LEAD)})


# --- objection drills (D5) -------------------------------------------------------------------------


@login_required
def drill_list(request):
    """Drills in scope, results per person, and starting a drill (for oneself or a manager in scope)."""
    from lendpilot.sales import drills
    from lendpilot.sales.selectors import managers_in_scope

    actor = actor_of(request.user)
    require(actor, Perm.VIEW_SALES)
    managers = list(managers_in_scope(actor)) if actor.can(Perm.ASSIGN_LEADS) else (
        [actor.staff] if actor.staff is not None else [])
    if request.method == "POST":
        manager = next((m for m in managers if str(m.pk) == request.POST.get("manager")), None)
        size = request.POST.get("size", "5")
        try:
            if manager is None:
                raise ValidationError({"manager": _("choose a manager in your scope")})
            drill = drills.drill_start(actor=request.user, manager=manager,
                                       size=int(size) if size.isdigit() else -1)
            return redirect("sales:drill", drill.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(request, "sales/drill_list.html", {
        "drills": drills.drills_visible(actor)[:50], "results": drills.drill_results(actor),
        "managers": managers})


@login_required
def drill_detail(request, drill_id: int):
    from lendpilot.sales import drills

    actor = actor_of(request.user)
    drill = drills.drill_get(actor, drill_id)
    items = list(drill.items.select_related("entry"))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "answer":
                drills.drill_answer(actor=request.user, drill=drill,
                                    answers={i.pk: request.POST.get(f"answer-{i.pk}", "") for i in items})
                notify(request, _("Answers to drill %(id)s handed in; the team lead scores them next.") % {
                    "id": drill.pk}, url=reverse("sales:drills"), link=_("Back to the drills"))
            else:
                raw = {i.pk: request.POST.get(f"score-{i.pk}", "") for i in items}
                drills.drill_score(actor=request.user, drill=drill, feedback=request.POST.get("feedback", ""),
                                   scores={pk: int(v) if v.isdigit() else -1 for pk, v in raw.items()})
                notify(request, _("Drill %(id)s scored; the manager sees the feedback on it.") % {"id": drill.pk},
                       url=reverse("sales:drills"), link=_("Drill results"))
            return redirect("sales:drill", drill.pk)
        except (ValidationError, Conflict) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    is_manager = actor.staff is not None and actor.staff.pk == drill.manager_id
    return render(request, "sales/drill_detail.html", {
        "drill": drill, "items": items, "can_answer": is_manager and drill.status == "open",
        "can_score": (not is_manager and actor.can(Perm.ASSIGN_LEADS) and drill.status == "answered")})
