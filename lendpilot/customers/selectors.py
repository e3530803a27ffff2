"""Scoped reads of customers: an account manager sees own customers, a team lead the team's, a regional
head the region's, the director and back-office roles all (FEATURES X5)."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from lendpilot.compliance.crypto import keyed_hash
from lendpilot.customers.identifiers import IdentifierError, normalise_id_number, normalise_mobile
from lendpilot.customers.models import Customer
from lendpilot.org.access import Actor, actor_of, require, scope_filter
from lendpilot.org.roles import DataScope, Perm


def customers_visible(actor: Actor, *, search: str | None = None, kind: str | None = None,
                      industry: str | None = None, region_id: int | None = None, manager_id: int | None = None,
                      lifecycle_status: str | None = None) -> QuerySet[Customer]:
    """Customers in the actor's scope, optionally filtered. `search` matches a name fragment, a credit
    code, or an exact ID number / mobile number (through their keyed hashes)."""
    require(actor, Perm.VIEW_CUSTOMERS)
    qs = scope_filter(actor, Customer.objects.select_related("manager", "region"), owner="manager")
    if kind:
        qs = qs.filter(kind=kind)
    if industry:
        qs = qs.filter(industry=industry)
    if region_id:
        qs = qs.filter(region_id=region_id)
    if manager_id:
        qs = qs.filter(manager_id=manager_id)
    if lifecycle_status:
        qs = qs.filter(lifecycle_status=lifecycle_status)
    if search:
        qs = _search(qs, search.strip())
    return qs.order_by("-id")


def _search(qs: QuerySet[Customer], term: str) -> QuerySet[Customer]:
    for normalise, column in ((normalise_id_number, "id_number_hash"), (normalise_mobile, "phone_hash")):
        try:
            return qs.filter(**{column: keyed_hash(normalise(term))})
        except IdentifierError:
            continue
    if len(term) == 18 and term.isalnum():
        by_code = qs.filter(credit_code=term.upper())
        if by_code.exists():
            return by_code
    return qs.filter(name__icontains=term)


def customer_get(actor: Actor, customer_id: int) -> Customer:
    """One customer within scope; 404 when absent or out of scope, so existence does not leak."""
    customer = customers_visible(actor).filter(pk=customer_id).first()
    if customer is None:
        raise Http404("customer not found")
    return customer


# --- Customer 360 reads (FEATURES B2, B4, D1, D7) -------------------------------------------------------


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def tier_thresholds():
    """The tier policy in force (newest row), or the defaults of `customers.tiering`."""
    from lendpilot.customers.models import TierPolicy
    from lendpilot.customers.tiering import Thresholds

    policy = TierPolicy.objects.order_by("-id").first()
    if policy is None:
        return Thresholds()
    return Thresholds(strategic_min=policy.strategic_min, growth_min=policy.growth_min,
                      high_value_clv=policy.high_value_clv)


def service_package(tier: str) -> dict:
    """The service package of a tier (the table's row, or the built-in default)."""
    from lendpilot.customers.models import ServicePackage
    from lendpilot.customers.tiering import DEFAULT_PACKAGES

    row = ServicePackage.objects.filter(tier=tier).first()
    source = row if row is not None else DEFAULT_PACKAGES[tier]
    return {"tier": tier, "dedicated_manager": source.dedicated_manager,
            "response_sla_hours": source.response_sla_hours, "pricing_band": source.pricing_band,
            "review_every_months": source.review_every_months, "advisory": source.advisory}


def customer_portrait(*, actor, customer) -> dict:
    """Everything the Customer 360 page shows about one customer's portrait: tier with its service
    package and credit band, RFM, tags grouped by theme, latest needs, lifetime value, loan facts.
    `customer` is a Customer or its id; out of the actor's scope -> 404."""

    from lendpilot.customers.models import CustomerFacts, CustomerNeeds, CustomerTag, CustomerValue, TagDefinition
    from lendpilot.customers.tiering import pricing_note

    acting = actor_of(actor) if not isinstance(actor, Actor) else actor
    customer = customer_get(acting, customer if isinstance(customer, int) else customer.pk)
    facts = CustomerFacts.objects.filter(customer=customer).first()
    value = CustomerValue.objects.filter(customer=customer).first()
    needs = CustomerNeeds.objects.filter(customer=customer).select_related("response__questionnaire").first()
    tag_ids = CustomerTag.objects.filter(customer=customer).values("tag_id")
    tags = TagDefinition.objects.filter(pk__in=tag_ids, active=True).order_by("theme", "code")
    grouped: dict[str, list[dict]] = {theme: [] for theme in TagDefinition.Theme.values}
    for tag in tags:
        grouped[tag.theme].append({"code": tag.code, "name": tag.name_zh, "name_en": tag.name_en,
                                   "theme": tag.theme, "source": tag.source})
    credit_band = facts.credit_band if facts else ""
    package = service_package(customer.tier)
    high_value = bool(value and value.high_value)
    rfm = None
    if value is not None:
        as_of = value.computed_on or timezone.localdate()
        rfm = {"recency_days": (as_of - value.last_activity_on).days if value.last_activity_on else None,
               "frequency": value.frequency, "monetary": _money(value.monetary),
               "r": value.r_score, "f": value.f_score, "m": value.m_score, "score": value.rfm_score,
               "computed_on": value.computed_on.isoformat()}
    fact_dict = None
    if facts is not None:
        fact_dict = {
            "as_of": facts.as_of.isoformat(), "loans_count": facts.loans_count, "active_loans": facts.active_loans,
            "max_single_loan": _money(facts.max_single_loan), "total_disbursed": _money(facts.total_disbursed),
            "outstanding_balance": _money(facts.outstanding_balance),
            "first_disbursed_on": facts.first_disbursed_on.isoformat() if facts.first_disbursed_on else None,
            "last_disbursed_on": facts.last_disbursed_on.isoformat() if facts.last_disbursed_on else None,
            "last_repaid_on": facts.last_repaid_on.isoformat() if facts.last_repaid_on else None,
            "repayments_count": facts.repayments_count, "total_repaid": _money(facts.total_repaid),
            "interest_income": _money(facts.interest_income), "max_days_past_due": facts.max_days_past_due,
            "credit_band": facts.credit_band,
        }
    needs_dict = None
    if needs is not None:
        needs_dict = {
            "answered_on": needs.answered_on.isoformat(),
            "questionnaire": str(needs.response.questionnaire), "version": needs.response.questionnaire.version,
            "purpose": needs.purpose, "amount": _money(needs.amount), "term_months": needs.term_months,
            "cashflow_cycle": needs.cashflow_cycle, "collateral": needs.collateral,
            "existing_debts": _money(needs.existing_debts), "risk_appetite": needs.risk_appetite,
            "answers": needs.response.answers,
        }
    return {
        "customer_id": customer.pk,
        "tier": customer.tier,
        "credit_band": credit_band,
        "service_package": {**package, "dedicated_manager": package["dedicated_manager"] or high_value,
                            "pricing_note": pricing_note(credit_band)},
        "rfm": rfm,
        "tags": grouped,
        "tag_count": sum(len(v) for v in grouped.values()),
        "needs": needs_dict,
        "lifetime_value": _money(value.lifetime_value) if value else None,
        "high_value": high_value,
        "advisory": package["advisory"] if high_value or package["dedicated_manager"] else "",
        "facts": fact_dict,
    }


def tags_catalogue(actor, *, theme: str | None = None, source: str | None = None, search: str | None = None):
    """Tag definitions (B4), filtered; readable by anyone who may see customers. Each carries
    `members_in_scope`: how many of the reader's customers hold it (the stored count is the bank's)."""
    from django.db.models import Q

    from lendpilot.customers.models import TagDefinition

    require(actor, Perm.VIEW_CUSTOMERS)
    qs = TagDefinition.objects.all().order_by("theme", "code")
    qs = qs.annotate(members_in_scope=_members_in_scope(actor))
    if theme:
        qs = qs.filter(theme=theme)
    if source:
        qs = qs.filter(source=source)
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name_zh__icontains=search) | Q(name_en__icontains=search))
    return qs


def _members_in_scope(actor):
    from django.db.models import Count, F, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from lendpilot.customers.models import CustomerTag

    if actor.is_system or actor.scope == DataScope.ALL:
        return F("member_count")
    mine = scope_filter(actor, Customer.objects.all(), owner="manager").values("pk")
    counts = (CustomerTag.objects.filter(tag_id=OuterRef("pk"), customer_id__in=mine).order_by()
              .values("tag_id").annotate(n=Count("customer_id")).values("n"))
    return Coalesce(Subquery(counts), 0)


def segment_member_ids(actor, segment) -> list[int]:
    """The segment's customer ids within the reader's and the owner's scope. A read: nothing is
    counted or stored."""
    from lendpilot.customers.services.segments import segment_customers

    return list(segment_customers(actor, segment.query, owner=segment.owner).order_by("pk")
                .values_list("pk", flat=True))


def segments_visible(actor):
    """Saved segments whose owner lies in the actor's scope."""
    from lendpilot.customers.models import Segment

    require(actor, Perm.BUILD_SEGMENTS)
    return scope_filter(actor, Segment.objects.select_related("owner"), owner="owner").order_by("-id")


def segment_get(actor, segment_id: int):
    segment = segments_visible(actor).filter(pk=segment_id).first()
    if segment is None:
        raise Http404("segment not found")
    return segment


def questionnaire_active(code: str = "needs"):
    from lendpilot.customers.models import Questionnaire

    return Questionnaire.objects.filter(code=code, active=True).prefetch_related("questions").first()


def high_value_customers(actor):
    """High-value customers in scope (D7): the list the sales side turns into dedicated-manager and
    post-loan advisory tasks."""
    return customers_visible(actor).filter(value__high_value=True).select_related("value")
