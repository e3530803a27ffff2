"""Pages of customers: list, detail with masked identifiers, create, edit, and the reveal fragment.

Reads go through the scoped selectors (an object outside the viewer's scope is a 404), writes through
the services (which check permissions and write the audit log).
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lendpilot.core.exports import csv_writer
from lendpilot.core.numbers import amount_text
from lendpilot.core.views import paginate
from lendpilot.customers import selectors as portrait_selectors
from lendpilot.customers import services as portrait_services
from lendpilot.customers.forms import CustomerCreateForm, CustomerFilterForm, CustomerUpdateForm, RevealForm
from lendpilot.customers.models import Customer, CustomerNeeds, Question, TagDefinition
from lendpilot.customers.needs_labels import choice_label, choice_value
from lendpilot.customers.pii import PII_FIELDS, RevealPurpose
from lendpilot.customers.selectors import customer_get, customers_visible
from lendpilot.customers.services.customers import customer_create, customer_reveal_pii, customer_update
from lendpilot.customers.tiering import BAND_PRICING, package_text
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


@login_required
def customer_list(request):
    actor = actor_of(request.user)
    filters = CustomerFilterForm(request.GET)
    customers = customers_visible(actor, **filters.criteria())
    return render(request, "customers/customer_list.html",
                  {"filters": filters, "page_obj": paginate(request, customers)})


def _identifiers(customer: Customer) -> list[dict]:
    """The masked identifiers on file, each labelled with its column's (translated) name."""
    rows = []
    for field in PII_FIELDS:
        masked = getattr(customer, f"{field}_masked")
        if masked:
            label = Customer._meta.get_field(f"{field}_masked").verbose_name
            rows.append({"field": field, "label": label, "masked": masked})
    return rows


@login_required
def customer_detail(request, customer_id: int):
    actor = actor_of(request.user)
    customer = customer_get(actor, customer_id)
    return render(request, "customers/customer_detail.html", {
        "customer": customer,
        "identifiers": _identifiers(customer),
        "can_reveal": actor.can(Perm.REVEAL_PII), "purposes": RevealPurpose.choices,
    })


@login_required
def customer_new(request):
    actor = actor_of(request.user)
    require(actor, Perm.CREATE_CUSTOMER)
    form = CustomerCreateForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Customer %(name)s registered.") % {"name": customer.name})
            return redirect("customers:detail", customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@login_required
def customer_edit(request, customer_id: int):
    actor = actor_of(request.user)
    customer = customer_get(actor, customer_id)
    require(actor, Perm.UPDATE_CUSTOMER)
    form = CustomerUpdateForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            if changes:
                customer_update(actor=request.user, customer=customer, **changes)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Customer saved.") if changes else _("Nothing was changed."))
            return redirect("customers:detail", customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@never_cache
@require_POST
@login_required
def customer_reveal(request, customer_id: int):
    """HTMX fragment: one identifier in clear, for a stated purpose (logged by the service)."""
    actor = actor_of(request.user)
    customer = customer_get(actor, customer_id)
    require(actor, Perm.REVEAL_PII)
    form = RevealForm(request.POST)
    field = request.POST.get("field") if request.POST.get("field") in PII_FIELDS else None
    row = next((r for r in _identifiers(customer) if r["field"] == field), None)
    if form.is_valid():
        try:
            value = customer_reveal_pii(actor=request.user, customer=customer, field=form.cleaned_data["field"],
                                        purpose=form.cleaned_data["purpose"], note=form.cleaned_data["note"],
                                        channel="web")
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return render(request, "customers/_identifier.html",
                          {"customer": customer, "row": row, "revealed": value, "can_reveal": True,
                           "purposes": RevealPurpose.choices})
    return render(request, "customers/_identifier.html",
                  {"customer": customer, "row": row, "form": form, "can_reveal": True,
                   "purposes": RevealPurpose.choices})


# --- Customer 360 pages: tag catalogue, segment builder, needs questionnaire, tiers (B2, B4, D1, D7) -------



@login_required
def tag_catalogue(request):
    actor = actor_of(request.user)
    theme = request.GET.get("theme") if request.GET.get("theme") in TagDefinition.Theme.values else None
    source = request.GET.get("source") if request.GET.get("source") in TagDefinition.Source.values else None
    search = (request.GET.get("q") or "").strip()[:100] or None
    tags = portrait_selectors.tags_catalogue(actor, theme=theme, source=source, search=search)
    return render(request, "customers/tag_catalogue.html", {
        "page_obj": paginate(request, tags), "themes": TagDefinition.Theme.choices,
        "sources": TagDefinition.Source.choices, "theme": theme, "source": source, "q": search or "",
        "total": TagDefinition.objects.count()})


@login_required
def segment_builder(request):
    actor = actor_of(request.user)
    require(actor, Perm.BUILD_SEGMENTS)
    query = request.POST.get("query", "") if request.method == "POST" else request.GET.get("query", "")
    errors = {}
    if request.method == "POST":
        try:
            segment = portrait_services.segment_save(actor=request.user, name=request.POST.get("name", ""),
                                                     query=query)
        except ValidationError as error:
            errors = {k: v[0] for k, v in error.message_dict.items()}
        else:
            messages.success(request, _("Segment %(name)s saved with %(count)s customers.") % {
                "name": segment.name, "count": segment.member_count})
            return redirect("customers:segments")
    return render(request, "customers/segment_builder.html", {
        "query": query, "name": request.POST.get("name", ""), "errors": errors,
        "segments": portrait_selectors.segments_visible(actor)[:50], "tag_groups": _tag_picker(actor),
        **_query_words()})


# The query language reads tags by code or Chinese name and its keywords in English or Chinese: a Chinese
# page writes examples with the Chinese names and 且 / 或 / 非, an English page with the codes and AND / OR / NOT.
QUERY_WORDS = {
    "zh": {"keywords": {"and": "且", "or": "或", "not": "非"},
           "examples": ["制造业 且 华东 且 扩产需求 且 非 逾期", "高价值客户 且 非 逾期",
                        "tier = growth 且 无不良记录"]},
    "en": {"keywords": {"and": "AND", "or": "OR", "not": "NOT"},
           "examples": ["industry_c AND region_east AND need_expansion AND NOT risk_overdue",
                        "value_high AND NOT risk_overdue", "tier = growth AND risk_clean"]},
}


def _query_words() -> dict:
    return QUERY_WORDS["en" if (translation.get_language() or "").startswith("en") else "zh"]


SAFE_TERM = re.compile(r"""^[^\s()<>=!"']+$""")
QUERY_KEYWORDS = frozenset({"AND", "OR", "NOT", "且", "或", "非"})


def tag_term(tag: TagDefinition) -> str:
    """How the picker writes a tag into the query: on a Chinese page its Chinese name, or its code when the name
    holds a character of the query language (space, parenthesis, comparison, quote) or is a keyword; on an
    English page its code (the query language reads no English names)."""
    name = tag.name_zh
    if (translation.get_language() or "").startswith("en"):
        return tag.code
    return name if SAFE_TERM.match(name) and name.upper() not in QUERY_KEYWORDS else tag.code


def _tag_picker(actor) -> list[dict]:
    """The active tags by theme for the point-and-click picker, each with how many of the actor's customers
    hold it and the term the picker writes into the query."""
    groups: dict[str, list[dict]] = {}
    for tag in portrait_selectors.tags_catalogue(actor).filter(active=True):
        groups.setdefault(tag.theme, []).append({
            "code": tag.code, "label": tag.name,
            "term": tag_term(tag), "members": tag.members_in_scope})
    return [{"theme": value, "label": label, "tags": groups[value]}
            for value, label in TagDefinition.Theme.choices if value in groups]


PREVIEW_ROWS = 20


@never_cache
@require_GET
@login_required
def segment_preview(request):
    """HTMX fragment (GET, writes nothing): how many of the actor's customers the query typed so far finds,
    and the first 20 of them, or why the query does not parse."""
    actor = actor_of(request.user)
    require(actor, Perm.BUILD_SEGMENTS)
    query = (request.GET.get("query") or "").strip()[:2000]
    count, error, customers = None, "", []
    if query:
        try:
            matching = portrait_services.segment_customers(actor, query)
            count = matching.count()
            customers = list(matching.select_related("region", "manager").order_by("name", "pk")[:PREVIEW_ROWS])
        except ValidationError as exc:
            error = "; ".join(exc.message_dict.get("query", exc.messages))
    return render(request, "customers/_segment_preview.html", {
        "count": count, "error": error, "query": query, "customers": customers, "shown": len(customers)})


@never_cache
@login_required
def segment_count(request):
    """HTMX fragment: the live count of the query typed so far (or why it does not parse)."""
    actor = actor_of(request.user)
    require(actor, Perm.BUILD_SEGMENTS)
    query = (request.POST.get("query") or request.GET.get("query") or "").strip()
    count, error = None, ""
    if query:
        try:
            count = portrait_services.segment_customers(actor, query).count()
        except ValidationError as exc:
            error = "; ".join(exc.message_dict.get("query", exc.messages))
    return render(request, "customers/_segment_count.html", {"count": count, "error": error, "query": query})


@login_required
def segment_export(request, segment_id: int):
    """The segment's whitelist (customer ids, names, managers) as CSV; audited by the service."""
    actor = actor_of(request.user)
    segment = portrait_selectors.segment_get(actor, segment_id)
    ids = portrait_services.segment_export_whitelist(actor=request.user, segment=segment)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a byte-order mark
    writer = csv_writer(response)
    writer.writerow(["customer_id", "name", "manager", "region"])
    rows = customers_visible(actor).filter(pk__in=ids).order_by("pk").values_list(
        "pk", "name", "manager__name", "region__code")
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(row)
    return response


@login_required
def needs_form(request, customer_id: int):
    """The needs questionnaire (D1) for one customer: the active version's questions, typed."""
    actor = actor_of(request.user)
    customer = customer_get(actor, customer_id)
    require(actor, Perm.UPDATE_CUSTOMER)
    questionnaire = portrait_selectors.questionnaire_active()
    errors, values = {}, {}
    if questionnaire is not None and request.method == "POST":
        values = {q.code: request.POST.get(q.code, "").strip() for q in questionnaire.questions.all()}
        try:
            portrait_services.questionnaire_answer(actor=request.user, customer=customer,
                                                   questionnaire=questionnaire,
                                                   answers={k: v for k, v in values.items() if v != ""})
        except ValidationError as error:
            errors = {k.removeprefix("answers."): v[0] for k, v in error.message_dict.items()}
        else:
            messages.success(request, _("Answers saved."))
            return redirect("customers:needs", customer.pk)
    questions = []
    if questionnaire is not None:
        for q in questionnaire.questions.all():
            questions.append({"q": q, "value": values.get(q.code, ""), "error": errors.get(q.code, ""),
                              "choices": [(choice_value(c), choice_label(q.code, c)) for c in q.choices]})
    portrait = portrait_selectors.customer_portrait(actor=actor, customer=customer)
    return render(request, "customers/needs_form.html", {
        "customer": customer, "questionnaire": questionnaire, "questions": questions, "errors": errors,
        "needs": portrait["needs"], "answers": _answers_shown(customer), "kinds": Question.Kind})


def _answers_shown(customer) -> list[tuple[str, str]]:
    """The latest answers as the reader reads them: each question's text and the answer's label."""
    needs = CustomerNeeds.objects.filter(customer=customer).select_related("response__questionnaire").first()
    if needs is None:
        return []
    questions = {q.code: q for q in needs.response.questionnaire.questions.all()}
    rows = []
    for code, value in needs.response.answers.items():
        question = questions.get(code)
        own = next((c for c in question.choices if choice_value(c) == value), value) if question else value
        shown = amount_text(value) if question and question.kind == Question.Kind.MONEY else choice_label(code, own)
        rows.append((question.label if question else code, shown))
    return rows


@login_required
def tier_reference(request):
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_CUSTOMERS)
    thresholds = portrait_selectors.tier_thresholds()
    packages = [portrait_selectors.service_package(t) for t in Customer.Tier.values]
    counts = dict(customers_visible(actor).order_by().values_list("tier").annotate(n=Count("pk")))
    return render(request, "customers/tier_reference.html", {
        "thresholds": thresholds,
        "packages": [{**p, "label": Customer.Tier(p["tier"]).label, "count": counts.get(p["tier"], 0),
                      "pricing_band": package_text(p["pricing_band"]), "advisory": package_text(p["advisory"])}
                     for p in packages],
        "bands": [(band, package_text(note)) for band, note in BAND_PRICING.items()]})
