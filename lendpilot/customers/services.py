"""Customer writes (FEATURES X3, C8): create, update, reassign, reveal a personal identifier; the
outbox of messages to customers; and the portrait (B2, B4, D1, D7): tags, tiers, RFM, lifetime value,
segments and questionnaires.

Identifiers are validated with python-stdnum, then sealed (encrypted, hashed, masked) before they
reach the database. Audit records carry only masked identifiers, never the plaintext.
"""

import datetime as _dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Ntile
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event, record_event, snapshot
from lendpilot.compliance.crypto import decrypt, keyed_hash
from lendpilot.compliance.models import PiiAccessLog
from lendpilot.core.bulk_load import indexes_rebuilt_after
from lendpilot.core.reference import Industry
from lendpilot.customers import rules, segment_query, tiering
from lendpilot.customers.identifiers import (
    IdentifierError,
    birth_date_from_id,
    gender_from_id,
    normalise_bank_account,
    normalise_credit_code,
    normalise_id_number,
    normalise_mobile,
)
from lendpilot.customers.models import (
    Customer,
    CustomerFacts,
    CustomerMessage,
    CustomerNeeds,
    CustomerSignals,
    CustomerTag,
    CustomerValue,
    FeedRecord,
    Question,
    Questionnaire,
    QuestionnaireResponse,
    Segment,
    TagDefinition,
    TierChange,
    TierPolicy,
)
from lendpilot.customers.pii import PII_FIELDS, RevealPurpose, sealed_columns
from lendpilot.customers.selectors import tier_thresholds
from lendpilot.org.access import actor_of, require, scope_filter, staff_in_scope
from lendpilot.org.models import Region, Staff
from lendpilot.org.roles import Perm, Role

AUDITED_FIELDS = [
    "kind",
    "name",
    "id_number_masked",
    "credit_code",
    "phone_masked",
    "bank_account_masked",
    "legal_representative",
    "industry",
    "region_id",
    "city",
    "address",
    "manager_id",
    "lifecycle_status",
]
OWNER_ROLES = (Role.ACCOUNT_MANAGER, Role.TEAM_LEAD, Role.REGIONAL_HEAD)


def _validated_identifiers(
    *,
    kind: str,
    id_number: str | None,
    credit_code: str | None,
    phone: str | None,
    bank_account: str | None,
    errors: dict,
) -> dict:
    """Normalise the identifiers, collecting a message per bad field into `errors`."""
    values = {}
    for field, raw, normalise in (
        ("id_number", id_number, normalise_id_number),
        ("credit_code", credit_code, normalise_credit_code),
        ("phone", phone, normalise_mobile),
        ("bank_account", bank_account, normalise_bank_account),
    ):
        if raw is None or str(raw).strip() == "":
            values[field] = ""
            continue
        try:
            values[field] = normalise(str(raw))
        except IdentifierError as exc:
            errors[field] = str(exc)
    if kind == Customer.Kind.PERSON and not values.get("id_number") and "id_number" not in errors:
        errors["id_number"] = _("a person needs a resident ID number")
    if kind == Customer.Kind.ENTERPRISE and not values.get("credit_code") and "credit_code" not in errors:
        errors["credit_code"] = _("an enterprise needs a unified social credit code")
    return values


def _check_manager(acting, manager: Staff, errors: dict) -> None:
    if manager.role not in OWNER_ROLES or not manager.is_active:
        errors["manager"] = _("the relationship manager must be an active account manager, team lead or regional head")
    elif not staff_in_scope(acting, manager):
        errors["manager"] = _("the relationship manager is outside your data scope")


def _check_region(manager: Staff, region: Region, errors: dict, *, field: str = "region") -> None:
    # A customer lives in a region its manager serves: region scopes and regional figures follow the
    # manager, so a customer booked elsewhere would show in one region's figures and another's slices.
    if manager.region_id and region.pk != manager.region_id and "manager" not in errors:
        errors[field] = _("the region is not served by the customer's relationship manager")


def _check_duplicates(values: dict, *, exclude_pk: int | None, errors: dict) -> None:
    others = Customer.objects.exclude(pk=exclude_pk) if exclude_pk else Customer.objects.all()
    if (
        values.get("id_number")
        and others.filter(kind=Customer.Kind.PERSON, id_number_hash=keyed_hash(values["id_number"])).exists()
    ):
        errors["id_number"] = _("a customer with this ID number already exists")
    if (
        values.get("credit_code")
        and others.filter(kind=Customer.Kind.ENTERPRISE, credit_code=values["credit_code"]).exists()
    ):
        errors["credit_code"] = _("a customer with this credit code already exists")


@transaction.atomic
def customer_create(
    *,
    actor,
    kind: str,
    name: str,
    industry: str,
    region: Region,
    manager: Staff,
    id_number: str | None = None,
    credit_code: str | None = None,
    phone: str | None = None,
    bank_account: str | None = None,
    legal_representative: str = "",
    city: str = "",
    address: str = "",
    lifecycle_status: str = Customer.Lifecycle.PROSPECT,
) -> Customer:
    """Register a person or an enterprise. Rejects bad identifiers (GB 11643, GB 32100, mobile, bank
    account), a duplicate ID number or credit code, an unknown industry, and a manager outside scope."""
    acting = actor_of(actor)
    require(acting, Perm.CREATE_CUSTOMER)
    errors: dict[str, str] = {}
    if kind not in Customer.Kind.values:
        errors["kind"] = _("kind must be one of %(choices)s") % {"choices": ", ".join(Customer.Kind.values)}
    if not (name or "").strip():
        errors["name"] = _("a name is required")
    if industry not in Industry.values:
        errors["industry"] = _("unknown industry section %(industry)s (GB/T 4754: A-T)") % {"industry": industry}
    if lifecycle_status not in Customer.Lifecycle.values:
        errors["lifecycle_status"] = _("unknown lifecycle status %(lifecycle_status)s") % {
            "lifecycle_status": lifecycle_status
        }
    values = _validated_identifiers(
        kind=kind, id_number=id_number, credit_code=credit_code, phone=phone, bank_account=bank_account, errors=errors
    )
    _check_manager(acting, manager, errors)
    _check_region(manager, region, errors)
    _check_duplicates(values, exclude_pk=None, errors=errors)
    if errors:
        raise ValidationError(errors)
    columns = {}
    for field in PII_FIELDS:
        columns.update(sealed_columns(field, values[field]))
    person_facts = {}
    if values["id_number"]:
        person_facts = {
            "birth_date": birth_date_from_id(values["id_number"]),
            "gender": gender_from_id(values["id_number"]),
        }
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                kind=kind,
                name=name.strip(),
                credit_code=values["credit_code"],
                industry=industry,
                region=region,
                manager=manager,
                legal_representative=legal_representative,
                city=city,
                address=address,
                lifecycle_status=lifecycle_status,
                **columns,
                **person_facts,
            )
    except IntegrityError as exc:  # a concurrent registration of the same identifier
        raise ValidationError(
            {
                "id_number"
                if kind == Customer.Kind.PERSON
                else "credit_code": "a customer with this identifier already exists"
            }
        ) from exc
    tags_refresh_customers(customer_ids=[customer.pk])  # B4: a new customer carries its basic tags at once
    record_event(
        actor=acting.user,
        event_code="customers.customer_created",
        obj=customer,
        after=snapshot(customer, AUDITED_FIELDS),
    )
    return customer


UPDATABLE = {
    "name",
    "phone",
    "bank_account",
    "legal_representative",
    "industry",
    "region",
    "city",
    "address",
    "lifecycle_status",
}


@transaction.atomic
def customer_update(*, actor, customer: Customer, **changes) -> Customer:
    """Change contact and profile fields. Identity (kind, ID number, credit code) is fixed at creation;
    ownership changes go through `customer_reassign`."""
    acting = actor_of(actor)
    require(acting, Perm.UPDATE_CUSTOMER)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError({field: _("this field cannot be changed here") for field in sorted(unknown)})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = snapshot(customer, AUDITED_FIELDS)
    errors: dict[str, str] = {}
    if "name" in changes and not (changes["name"] or "").strip():
        errors["name"] = _("a name is required")
    if "industry" in changes and changes["industry"] not in Industry.values:
        errors["industry"] = _("unknown industry section %(industry)s (GB/T 4754: A-T)") % {
            "industry": changes["industry"]
        }
    if "lifecycle_status" in changes and changes["lifecycle_status"] not in Customer.Lifecycle.values:
        errors["lifecycle_status"] = _("unknown lifecycle status %(lifecycle_status)s") % {
            "lifecycle_status": changes["lifecycle_status"]
        }
    if "region" in changes:
        _check_region(customer.manager, changes["region"], errors)
    sealed = {}
    for field, normalise in (("phone", normalise_mobile), ("bank_account", normalise_bank_account)):
        if field in changes:
            raw = changes.pop(field)
            try:
                sealed.update(sealed_columns(field, normalise(raw) if raw else ""))
            except IdentifierError as exc:
                errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)
    for field, value in {**changes, **sealed}.items():
        setattr(customer, field, value.strip() if field == "name" else value)
    customer.save()
    # B4: tags follow a change of the customer at once, not only at the nightly recompute.
    tags_refresh_customers(customer_ids=[customer.pk])
    record_event(
        actor=acting.user,
        event_code="customers.customer_updated",
        obj=customer,
        before=before,
        after=snapshot(customer, AUDITED_FIELDS),
    )
    return customer


@transaction.atomic
def customer_reassign(*, actor, customer: Customer, manager: Staff, reason: str) -> Customer:
    """Hand a customer to another relationship manager within the actor's scope."""
    acting = actor_of(actor)
    require(acting, Perm.REASSIGN_CUSTOMER)
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = _("a reason is required")
    _check_manager(acting, manager, errors)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _check_region(manager, customer.region, errors, field="manager")
    if errors:
        raise ValidationError(errors)
    before = {"manager_id": customer.manager_id}
    customer.manager = manager
    customer.save(update_fields=["manager", "updated_at"])
    record_event(
        actor=acting.user,
        event_code="customers.customer_reassigned",
        obj=customer,
        before=before,
        after={"manager_id": manager.pk, "reason": reason.strip()},
    )
    return customer


@transaction.atomic
def customer_reveal_pii(*, actor, customer: Customer, field: str, purpose: str, note: str = "",
                        channel: str = "web") -> str:
    """Return one identifier in clear, for a purpose from `RevealPurpose` (with a free-text note, required
    for "other"). Needs the reveal permission; writes a row to the PII access log and an audit event. The
    caller must already have checked the scope (it got `customer` from a scoped selector)."""
    acting = actor_of(actor)
    require(acting, Perm.REVEAL_PII)
    errors = {}
    if field not in PII_FIELDS:
        errors["field"] = _("field must be one of %(choices)s") % {"choices": ", ".join(PII_FIELDS)}
    note = (note or "").strip()
    if purpose not in RevealPurpose.values:
        errors["purpose"] = _("choose why you need to see this identifier: %(choices)s") % {
            "choices": ", ".join(RevealPurpose.values)}
    elif purpose == RevealPurpose.OTHER and not note:
        errors["note"] = _("explain why you need to see this identifier")
    if errors:
        raise ValidationError(errors)
    purpose = f"{purpose}: {note}" if note else str(purpose)
    cipher = getattr(customer, f"{field}_cipher")
    if not cipher:
        raise ValidationError({"field": _("this customer has no such identifier on file")})
    plaintext = decrypt(cipher)
    PiiAccessLog.objects.create(
        actor=acting.user,
        object_type="customers.customer",
        object_id=str(customer.pk),
        field=field,
        purpose=purpose.strip()[:200],
        channel=channel,
    )
    record_event(
        actor=acting.user,
        event_code="customers.pii_revealed",
        obj=customer,
        after={"field": field, "purpose": purpose.strip()[:200], "channel": channel},
    )
    return plaintext


def customer_message_queue(
    *, actor, customer: Customer, channel: str, body: str, purpose: str, dedup_key: str
) -> CustomerMessage | None:
    """Queue a message to a customer in the outbox and audit it. Must run inside the caller's
    transaction (the business act that causes the message). A second call with the same
    ``dedup_key`` queues nothing and returns None, so re-run jobs never message twice.
    Rejects an unknown channel or an empty body."""
    errors: dict[str, str] = {}
    if channel not in CustomerMessage.Channel.values:
        errors["channel"] = _("unknown channel")
    if not (body or "").strip():
        errors["body"] = _("the message is empty")
    if errors:
        raise ValidationError(errors)
    message, created = CustomerMessage.objects.get_or_create(
        dedup_key=dedup_key,
        defaults={"customer": customer, "channel": channel, "body": body.strip()[:500], "purpose": purpose},
    )
    if not created:
        return None
    record_event(
        actor=actor_of(actor).user,
        event_code="customers.message_queued",
        obj=message,
        after={"customer_id": customer.pk, "channel": channel, "purpose": purpose},
    )
    return message


# --- Customer 360: tags, tiers, RFM, lifetime value, segments, questionnaires (B2, B4, D1, D7) -----------
# The recomputes below are set-based: one statement per tag (DELETE + INSERT ... SELECT), one INSERT ...
# SELECT with window functions for RFM, one GROUP BY for the feed signals, never a Python loop over rows.

_MONEY_OUT = DecimalField(max_digits=16, decimal_places=2)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert_select(model, columns: list[str], queryset, *, prefix_params: list | None = None,
                   select: str | None = None) -> int:
    """INSERT INTO model (columns) SELECT <select or *> FROM (<queryset's SQL>) s; returns rows written."""
    sql, params = queryset.query.sql_with_params()
    cols = ", ".join(_q(model._meta.get_field(c).column) for c in columns)
    statement = f"INSERT INTO {_q(model._meta.db_table)} ({cols}) SELECT {select or '*'} FROM ({sql}) s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [*(prefix_params or []), *params])
        return cursor.rowcount


def _months_back(as_of: _dt.date, months: int) -> _dt.date:
    """First day of the month `months` before as_of's month."""
    index = as_of.year * 12 + as_of.month - 1 - months
    return _dt.date(index // 12, index % 12 + 1, 1)


def signals_refresh(*, as_of: _dt.date) -> int:
    """Rebuild `CustomerSignals` from the feed records (B4) with one GROUP BY over the last two years:
    invoices and tax over 12 months, invoice growth (last 6 months against the 6 before), insured
    headcount now and its change over a year, online turnover and its peak month ratio, bureau enquiries
    over 6 months, red flags, debt at other lenders, equipment purchases over 12 months."""
    m12, m6, m1, m13, m3 = (_months_back(as_of, n) for n in (11, 5, 0, 12, 2))
    zero = Value(Decimal("0"), output_field=_MONEY_OUT)

    def total(metric, since, until=None, fn=Sum):
        cond = Q(metric=metric, period__gte=since, period__lte=as_of)
        if until is not None:
            cond &= Q(period__lt=until)
        return Coalesce(fn("value", filter=cond), zero, output_field=_MONEY_OUT)

    grouped = (
        FeedRecord.objects.filter(period__gte=m13, period__lte=as_of).order_by().values("customer_id")
        .annotate(
            tax_invoice_12m=total("tax.invoice", m12),
            inv_recent=total("tax.invoice", m6),
            inv_prior=total("tax.invoice", m12, m6),
            tax_paid_12m=total("tax.paid", m12),
            headcount=total("si.headcount", m1, fn=Max),
            headcount_prev=total("si.headcount", m13, _months_back(as_of, 11), fn=Max),
            gmv=total("ec.gmv", m12),
            gmv_peak=total("ec.gmv", m12, fn=Max),
            gmv_months=Count("pk", filter=Q(metric="ec.gmv", period__gte=m12)),
            queries=total("bureau.queries", m6),
            red_flags=total("bureau.red_flags", m12, fn=Max),
            external_debt=total("bureau.external_debt", m3, fn=Max),
            equipment_n=Count("pk", filter=Q(metric="equipment.purchase", period__gte=m12)),
            equipment_amount=total("equipment.purchase", m12),
        )
        .values_list("customer_id", "tax_invoice_12m", "inv_recent", "inv_prior", "tax_paid_12m", "headcount",
                     "headcount_prev", "gmv", "gmv_peak", "gmv_months", "queries", "red_flags", "external_debt",
                     "equipment_n", "equipment_amount")
    )
    select = """customer_id, %s, tax_invoice_12m,
        CASE WHEN inv_prior > 0 THEN (inv_recent * 1.0) / inv_prior - 1 END,
        tax_paid_12m, CAST(headcount AS INTEGER), CAST(headcount - headcount_prev AS INTEGER),
        gmv, CASE WHEN gmv > 0 THEN (gmv_peak * gmv_months * 1.0) / gmv END,
        CAST(queries AS INTEGER), CAST(red_flags AS INTEGER), external_debt, equipment_n, equipment_amount"""
    with transaction.atomic():
        CustomerSignals.objects.all().delete()
        return _insert_select(
            CustomerSignals,
            ["customer", "as_of", "tax_invoice_12m", "tax_invoice_growth", "tax_paid_12m", "headcount",
             "headcount_change", "ecommerce_gmv_12m", "ecommerce_peak_ratio", "bureau_queries_6m",
             "bureau_red_flags", "external_debt", "equipment_purchases_12m", "equipment_amount_12m"],
            grouped, prefix_params=[as_of], select=select)


def _tier_case(thresholds) -> Case:
    return Case(
        When(Q(facts__max_single_loan__gte=thresholds.strategic_min), then=Value("strategic")),
        When(Q(facts__max_single_loan__gte=thresholds.growth_min), then=Value("growth")),
        default=Value("micro"),
    )


@transaction.atomic
def tiers_recompute(*, actor, as_of: _dt.date) -> dict:
    """Set every customer's tier from the largest single loan under the tier policy (B2): strategic from
    5,000,000, growth from 1,000,000, micro below (both bounds inclusive on the upper tier). Each move is
    written to `TierChange` with its reason by one INSERT ... SELECT, the customers are updated by one
    UPDATE from those rows, and the batch is audited as one event with the counts per move."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    thresholds = tier_thresholds()
    batch = f"tiers:{as_of.isoformat()}:{timezone.now():%H%M%S%f}"
    new_tier = _tier_case(thresholds)
    reason = Case(
        When(Q(facts__max_single_loan__gte=thresholds.strategic_min),
             then=Value(f"max single loan >= {thresholds.strategic_min:,.0f}")),
        When(Q(facts__max_single_loan__gte=thresholds.growth_min),
             then=Value(f"max single loan in [{thresholds.growth_min:,.0f}, {thresholds.strategic_min:,.0f})")),
        default=Value(f"max single loan < {thresholds.growth_min:,.0f}"),
    )
    moves = (Customer.objects.order_by().annotate(new_tier=new_tier, reason=reason)
             .exclude(tier=F("new_tier"))
             .values_list("pk", "tier", "new_tier", "reason"))
    changed = _insert_select(TierChange, ["customer", "from_tier", "to_tier", "reason", "batch", "changed_on"],
                             moves, select="s.*, %s, %s", prefix_params=[batch, as_of])
    counts: dict[str, int] = {}
    if changed:
        Customer.objects.filter(pk__in=TierChange.objects.filter(batch=batch).values("customer_id")).update(
            tier=TierChange.objects.filter(batch=batch, customer_id=OuterRef("pk")).values("to_tier")[:1])
        for row in (TierChange.objects.filter(batch=batch).order_by().values("from_tier", "to_tier")
                    .annotate(n=Count("pk"))):
            counts[f"{row['from_tier']}->{row['to_tier']}"] = row["n"]
    record_batch_event(actor=acting.user, event_code="customers.tiers_changed", summary={
        "batch_id": batch, "as_of": as_of.isoformat(), "changed": changed, "moves": counts,
        "strategic_min": str(thresholds.strategic_min), "growth_min": str(thresholds.growth_min)})
    return {"changed": changed, "moves": counts}


def values_recompute(*, as_of: _dt.date) -> int:
    """Rebuild RFM and lifetime value (B2, D7) for every borrowing customer with one INSERT ... SELECT:
    recency from the last loan or repayment, frequency = loans + repayments, monetary = total disbursed;
    R, F, M are NTILE(5) quintiles (5 best) over all borrowers, the score their sum (3..15); lifetime value
    by the formula of `customers.tiering`, high-value at or above the policy's threshold."""
    thresholds = tier_thresholds()
    tenure = ExpressionWrapper(Value(as_of.year) - ExtractYear("first_disbursed_on") + Value(1),
                               output_field=IntegerField())
    factor = Case(*[When(max_days_past_due__gt=floor, then=Value(tiering.annuity_factor(retention).quantize(
        Decimal("0.000001")))) for floor, retention in tiering.RISK_BUCKETS[:-1]],
        default=Value(tiering.annuity_factor(tiering.RISK_BUCKETS[-1][1]).quantize(Decimal("0.000001"))),
        output_field=DecimalField(max_digits=12, decimal_places=6))
    last_activity = Greatest(Coalesce("last_repaid_on", "last_disbursed_on"), F("last_disbursed_on"))
    frequency = F("loans_count") + F("repayments_count")
    rows = (
        CustomerFacts.objects.filter(loans_count__gt=0, last_disbursed_on__isnull=False).order_by()
        .annotate(
            last_activity=last_activity, frequency=frequency,
            r=Window(Ntile(5), order_by=[last_activity.asc(), F("customer_id").asc()]),
            f=Window(Ntile(5), order_by=[frequency.asc(), F("customer_id").asc()]),
            m=Window(Ntile(5), order_by=[F("total_disbursed").asc(), F("customer_id").asc()]),
            clv=ExpressionWrapper(
                F("interest_income") * Value(tiering.NET_MARGIN_SHARE) * factor
                / Greatest(tenure, Value(1)), output_field=_MONEY_OUT),
        )
        .values_list("customer_id", "last_activity", "frequency", "total_disbursed", "r", "f", "m", "clv")
    )
    select = ("customer_id, %s, last_activity, frequency, total_disbursed, r, f, m, r + f + m, "
              "ROUND(clv, 2), CASE WHEN clv >= %s THEN TRUE ELSE FALSE END")
    with transaction.atomic():
        CustomerValue.objects.all().delete()
        return _insert_select(
            CustomerValue,
            ["customer", "computed_on", "last_activity_on", "frequency", "monetary", "r_score", "f_score",
             "m_score", "rfm_score", "lifetime_value", "high_value"],
            rows, prefix_params=[as_of, thresholds.high_value_clv], select=select)


def _tag_rows(tag: TagDefinition, as_of: _dt.date):
    return (Customer.objects.filter(rules.compile_rule(tag.rule, as_of=as_of)).order_by()
            .values_list("pk"))


def _recompute_tag(tag: TagDefinition, as_of: _dt.date, *, delete: bool = True) -> int:
    """DELETE the tag's rows (unless the table was just emptied) and INSERT ... SELECT the customers matching
    its compiled rule: two statements whatever the number of customers. Returns the number of members."""
    table = _q(CustomerTag._meta.db_table)
    sql, params = _tag_rows(tag, as_of).query.sql_with_params()
    with connection.cursor() as cursor:
        if delete:
            cursor.execute(f"DELETE FROM {table} WHERE tag_id = %s", [tag.pk])  # noqa: S608
        cursor.execute(f"INSERT INTO {table} (tag_id, customer_id) SELECT %s, s.* FROM ({sql}) s",  # noqa: S608
                       [tag.pk, *params])
        return cursor.rowcount


def _empty_tag_table() -> None:
    table = _q(CustomerTag._meta.db_table)
    with connection.cursor() as cursor:
        # TRUNCATE on PostgreSQL (no dead rows to vacuum); SQLite turns an unqualified DELETE into the same.
        cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")  # noqa: S608


def tags_recompute(*, actor, as_of: _dt.date, codes: list[str] | None = None) -> dict:
    """Recompute every active tag (or the named ones) over all customers (B4): per tag one INSERT ... SELECT
    of the customers matching its compiled rule (see `_recompute_tag`), never a loop over customers.
    Inactive tags lose their members. Audited as one batch event with the member counts."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    tags = TagDefinition.objects.all()
    if codes:
        tags = tags.filter(code__in=codes)
    counts, now = {}, timezone.now()
    # All tags: empty the table and insert every tag's members with the secondary index dropped and built
    # again after (one sort instead of a B-tree insert per row). Measured faster than writing only the
    # differences with anti-joins, which scan the customers twice per tag. A subset: per tag.
    everything = not codes
    with indexes_rebuilt_after(CustomerTag) if everything else transaction.atomic():
        if everything:
            _empty_tag_table()
        for tag in tags.order_by("pk"):
            if tag.active:
                _recompute_tag(tag, as_of, delete=not everything)
            elif not everything:
                CustomerTag.objects.filter(tag=tag).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics for the segment counts that follow
            cursor.execute(f"ANALYZE {_q(CustomerTag._meta.db_table)}")
    # Member counts for the catalogue: one GROUP BY over the whole table rather than a count per tag.
    members = dict(CustomerTag.objects.order_by().values_list("tag_id").annotate(n=Count("*")))
    for tag in tags.order_by("pk"):
        n = members.get(tag.pk, 0) if tag.active else 0
        TagDefinition.objects.filter(pk=tag.pk).update(member_count=n, computed_at=now)
        counts[tag.code] = n
    record_batch_event(actor=acting.user, event_code="customers.tags_recomputed", summary={
        "batch_id": f"tags:{as_of.isoformat()}:{now:%H%M%S}", "as_of": as_of.isoformat(), "tags": len(counts),
        "memberships": sum(counts.values())})
    return counts


def tags_refresh_customers(*, customer_ids, as_of: _dt.date | None = None) -> int:
    """Re-evaluate every active tag for a few customers (the hook after a change to one customer): one
    SELECT that evaluates each tag's rule as a boolean column, then replace those customers' tags."""
    as_of = as_of or timezone.localdate()
    ids = list(customer_ids)
    if not ids:
        return 0
    tags = list(TagDefinition.objects.filter(active=True).only("pk", "rule"))
    found: list[CustomerTag] = []
    for start in range(0, len(tags), 60):  # keep each SELECT to a readable size
        chunk = tags[start:start + 60]
        annotations = {f"t{tag.pk}": Case(When(rules.compile_rule(tag.rule, as_of=as_of), then=Value(True)),
                                          default=Value(False)) for tag in chunk}
        for row in Customer.objects.filter(pk__in=ids).order_by().annotate(**annotations).values(
                "pk", *annotations):
            found.extend(CustomerTag(tag_id=int(key[1:]), customer_id=row["pk"])
                         for key, hit in row.items() if key != "pk" and hit)
    with transaction.atomic():
        CustomerTag.objects.filter(customer_id__in=ids).delete()
        CustomerTag.objects.bulk_create(found)
    return len(found)


@transaction.atomic
def portrait_recompute(*, actor, as_of: _dt.date) -> dict:
    """The nightly portrait run after the loan-book facts are refreshed: feed signals, tiers, RFM and
    lifetime value, then all tags (in that order: tags read the tiers, signals and values)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    signals = signals_refresh(as_of=as_of)
    tiers = tiers_recompute(actor=acting, as_of=as_of)
    values = values_recompute(as_of=as_of)
    tags = tags_recompute(actor=acting, as_of=as_of)
    summary = {"signals": signals, "tier_changes": tiers["changed"], "values": values,
               "tags": len(tags), "memberships": sum(tags.values())}
    record_batch_event(actor=acting.user, event_code="customers.portrait_recomputed",
                       summary={"batch_id": f"portrait:{as_of.isoformat()}", "as_of": as_of.isoformat(), **summary})
    return summary


_CODE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


def _source_of(rule: str) -> str:
    sources = {rules.FIELDS[name].source for name in rules.fields_of(rule)} - {"internal"}
    return sorted(sources)[0] if len(sources) == 1 else "internal"


@transaction.atomic
def tag_define(*, actor, code: str, name_zh: str, name_en: str, theme: str, rule: str,
               source: str | None = None, active: bool = True, as_of: _dt.date | None = None) -> TagDefinition:
    """Create a tag or change its definition (B4). A changed rule bumps the version. The tag is recomputed
    at once. Rejects a bad code, an empty or duplicate name, an unknown theme or source, and a rule that
    does not parse or names an unknown field -- nothing is saved then."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    errors: dict[str, str] = {}
    code = (code or "").strip()
    if not _CODE.match(code):
        errors["code"] = _("a code is 2-60 lower-case letters, digits or underscores, starting with a letter")
    if not (name_zh or "").strip():
        errors["name_zh"] = _("a Chinese name is required")
    elif TagDefinition.objects.filter(name_zh=name_zh.strip()).exclude(code=code).exists():
        errors["name_zh"] = _("another tag already has this name")
    if theme not in TagDefinition.Theme.values:
        errors["theme"] = _("unknown theme")
    if source is not None and source not in TagDefinition.Source.values:
        errors["source"] = _("unknown source")
    try:
        rules.compile_rule(rule, as_of=as_of or timezone.localdate())
    except rules.RuleError as exc:
        errors["rule"] = str(exc)
    if errors:
        raise ValidationError(errors)
    existing = TagDefinition.objects.select_for_update().filter(code=code).first()
    before = snapshot(existing, ["name_zh", "theme", "rule", "version", "active"]) if existing else None
    values = {"name_zh": name_zh.strip(), "name_en": (name_en or "").strip() or code, "theme": theme,
              "source": source or _source_of(rule), "rule": rule.strip(), "active": active}
    if existing is None:
        tag = TagDefinition.objects.create(code=code, **values)
    else:
        tag = existing
        if tag.rule != values["rule"]:
            tag.version += 1
        for key, value in values.items():
            setattr(tag, key, value)
        tag.save()
    tag.member_count = _recompute_tag(tag, as_of or timezone.localdate()) if active else 0
    if not active:
        CustomerTag.objects.filter(tag=tag).delete()
    tag.computed_at = timezone.now()
    tag.save(update_fields=["member_count", "computed_at"])
    record_event(actor=acting.user, event_code="customers.tag_defined", obj=tag, before=before,
                 after=snapshot(tag, ["name_zh", "theme", "rule", "version", "active", "member_count"]))
    return tag


@transaction.atomic
def tier_policy_set(*, actor, strategic_min: Decimal, growth_min: Decimal,
                    high_value_clv: Decimal = tiering.HIGH_VALUE_CLV, note: str = "") -> TierPolicy:
    """Set new tier thresholds (B2). Rejects non-positive values and a growth floor not below strategic."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    errors = {}
    if growth_min is None or Decimal(growth_min) <= 0:
        errors["growth_min"] = _("must be positive")
    if strategic_min is None or (growth_min is not None and Decimal(strategic_min) <= Decimal(growth_min)):
        errors["strategic_min"] = _("must be above the growth threshold")
    if high_value_clv is None or Decimal(high_value_clv) <= 0:
        errors["high_value_clv"] = _("must be positive")
    if errors:
        raise ValidationError(errors)
    policy = TierPolicy.objects.create(strategic_min=strategic_min, growth_min=growth_min,
                                       high_value_clv=high_value_clv, note=note[:200])
    record_event(actor=acting.user, event_code="customers.tier_policy_set", obj=policy,
                 after={"strategic_min": str(strategic_min), "growth_min": str(growth_min),
                        "high_value_clv": str(high_value_clv)})
    return policy


# --- segments ---------------------------------------------------------------------------------------------


def _tag_lookup():
    """Resolver for the segment language: a tag by code or Chinese name -> Q on Customer."""
    cache: dict[str, int | None] = {}

    def tag_q(name: str):
        if name not in cache:
            cache[name] = (TagDefinition.objects.filter(Q(code=name) | Q(name_zh=name), active=True)
                           .values_list("pk", flat=True).first())
        if cache[name] is None:
            return None
        return Q(Exists(CustomerTag.objects.filter(tag_id=cache[name], customer_id=OuterRef("pk"))))

    return tag_q


def segment_filter(query: str, *, as_of: _dt.date | None = None) -> Q:
    """The segment query compiled to a Q on Customer; ValidationError({"query": ...}) when it does not parse
    or names an unknown tag or field."""
    try:
        tree = segment_query.parse_query(query)
        return segment_query.compile_query(tree, tag_q=_tag_lookup(), as_of=as_of or timezone.localdate())
    except segment_query.QueryError as exc:
        raise ValidationError({"query": str(exc)}) from None


def segment_customers(actor, query: str, *, owner: Staff | None = None):
    """Customers matching `query` within the actor's scope (and the segment owner's, when given)."""
    acting = actor_of(actor)
    require(acting, Perm.BUILD_SEGMENTS)
    qs = scope_filter(acting, Customer.objects.order_by(), owner="manager").filter(segment_filter(query))
    if owner is not None and owner.user_id:
        qs = scope_filter(actor_of(owner.user), qs, owner="manager")
    return qs


@transaction.atomic
def segment_save(*, actor, name: str, query: str) -> Segment:
    """Save a segment (B4) owned by the actor, scoped to the actor's data scope. Rejects an empty name and a
    query that does not parse or names an unknown tag; nothing is saved then."""
    acting = actor_of(actor)
    require(acting, Perm.BUILD_SEGMENTS)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("a name is required")
    try:
        segment_filter(query)
    except ValidationError as exc:
        errors.update(exc.message_dict and {k: v[0] for k, v in exc.message_dict.items()})
    if acting.staff is None:
        errors["owner"] = _("only staff members own segments")
    if errors:
        raise ValidationError(errors)
    count = segment_customers(acting, query).count()
    segment = Segment.objects.create(name=name.strip()[:100], query=query.strip(), owner=acting.staff,
                                     scope=acting.scope, member_count=count, counted_at=timezone.now())
    record_event(actor=acting.user, event_code="customers.segment_saved", obj=segment,
                 after={"name": segment.name, "query": segment.query, "scope": segment.scope, "count": count})
    return segment


@transaction.atomic
def segment_export_whitelist(*, actor, segment: Segment) -> list[int]:
    """The segment's customer ids (within the viewer's and owner's scope) as a whitelist taken out of
    the system; the export is logged with the count, and no business row changes (a download is a GET)."""
    from lendpilot.customers.selectors import segment_member_ids

    acting = actor_of(actor)
    require(acting, Perm.BUILD_SEGMENTS)
    ids = segment_member_ids(acting, segment)
    record_event(actor=acting.user, event_code="customers.segment_exported", obj=segment,
                 after={"count": len(ids)})
    return ids


# --- needs questionnaire (D1) -----------------------------------------------------------------------------

NEEDS_COLUMNS = {"purpose": "purpose", "amount": "amount", "term_months": "term_months",
                 "cashflow_cycle": "cashflow_cycle", "collateral": "collateral", "existing_debts": "existing_debts",
                 "risk_appetite": "risk_appetite"}


@transaction.atomic
def questionnaire_publish(*, actor, code: str, title: str, questions: list[dict]) -> Questionnaire:
    """Publish a new version of a questionnaire (D1): the previous version stops taking answers; answers
    given on it keep pointing at it. Each question: code, label_zh, label_en, kind, choices (for
    "choice"), required, min_value, max_value. Rejects duplicate or bad codes, unknown kinds and a
    choice question without choices, naming the question."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    errors: dict[str, str] = {}
    if not _CODE.match(code or ""):
        errors["code"] = _("a code is 2-60 lower-case letters, digits or underscores")
    if not (title or "").strip():
        errors["title"] = _("a title is required")
    if not questions:
        errors["questions"] = _("a questionnaire needs at least one question")
    seen = set()
    for i, q in enumerate(questions or []):
        qcode = q.get("code", "")
        key = f"questions.{qcode or i}"
        if not _CODE.match(qcode or "") or qcode in seen:
            errors[key] = _("each question needs its own code")
        seen.add(qcode)
        if q.get("kind") not in Question.Kind.values:
            errors[key] = _("unknown question kind")
        elif q["kind"] == Question.Kind.CHOICE and not q.get("choices"):
            errors[key] = _("a choice question needs choices")
        if not (q.get("label_zh") or "").strip():
            errors[key] = _("a question needs its text")
    if errors:
        raise ValidationError(errors)
    previous = Questionnaire.objects.select_for_update().filter(code=code).order_by("-version").first()
    Questionnaire.objects.filter(code=code, active=True).update(active=False)
    questionnaire = Questionnaire.objects.create(code=code, version=(previous.version + 1) if previous else 1,
                                                 title=title.strip(), active=True)
    Question.objects.bulk_create([
        Question(questionnaire=questionnaire, code=q["code"], label_zh=q["label_zh"].strip(),
                 label_en=(q.get("label_en") or q["code"]).strip(), kind=q["kind"], choices=q.get("choices") or [],
                 required=q.get("required", True), min_value=q.get("min_value"), max_value=q.get("max_value"),
                 position=i)
        for i, q in enumerate(questions)])
    record_event(actor=acting.user, event_code="customers.questionnaire_published", obj=questionnaire,
                 after={"code": code, "version": questionnaire.version, "questions": [q["code"] for q in questions]})
    return questionnaire


def _answer_value(question: Question, raw):
    """The answer in its stored form, or raise ValueError with the reason."""
    if question.kind == Question.Kind.CHOICE:
        allowed = [c["value"] if isinstance(c, dict) else c for c in question.choices]
        if raw not in allowed:
            raise ValueError(_("choose one of %(choices)s") % {"choices": ", ".join(map(str, allowed))})
        return raw
    if question.kind in (Question.Kind.NUMBER, Question.Kind.MONEY):
        try:
            number = Decimal(str(raw).replace(",", "").strip())
        except Exception:  # noqa: BLE001 (any unreadable number is the same user error)
            raise ValueError(_("enter a number")) from None
        if not number.is_finite():
            raise ValueError(_("enter a number"))
        if question.min_value is not None and number < question.min_value:
            raise ValueError(_("at least %(min)s") % {"min": question.min_value})
        if question.max_value is not None and number > question.max_value:
            raise ValueError(_("at most %(max)s") % {"max": question.max_value})
        return str(number.quantize(Decimal("0.01")) if question.kind == Question.Kind.MONEY else number)
    if question.kind == Question.Kind.BOOLEAN:
        if raw in (True, "true", "1", "yes", 1):
            return True
        if raw in (False, "false", "0", "no", 0):
            return False
        raise ValueError(_("answer yes or no"))
    text = str(raw).strip()
    if len(text) > 500:
        raise ValueError(_("at most 500 characters"))
    return text


@transaction.atomic
def questionnaire_answer(*, actor, customer: Customer, questionnaire: Questionnaire, answers: dict,
                         answered_on: _dt.date | None = None) -> QuestionnaireResponse:
    """Record a customer's answers (D1) on the active version of a questionnaire; validates each answer
    against its question (ValidationError keyed `answers.<question code>`), refreshes the customer's needs
    columns and re-evaluates the customer's tags (needs tags come from here)."""
    acting = actor_of(actor)
    require(acting, Perm.UPDATE_CUSTOMER)
    if not questionnaire.active:
        raise ValidationError({"questionnaire": _("this version of the questionnaire is no longer in use")})
    questions = {q.code: q for q in questionnaire.questions.all()}
    errors: dict[str, str] = {}
    clean: dict = {}
    for code in set(answers or {}) - set(questions):
        errors[f"answers.{code}"] = _("no such question")
    for code, question in questions.items():
        raw = (answers or {}).get(code)
        if raw is None or raw == "":
            if question.required:
                errors[f"answers.{code}"] = _("this question needs an answer")
            continue
        try:
            clean[code] = _answer_value(question, raw)
        except ValueError as exc:
            errors[f"answers.{code}"] = str(exc)
    if errors:
        raise ValidationError(errors)
    response = QuestionnaireResponse.objects.create(
        customer=customer, questionnaire=questionnaire, answered_by=acting.staff,
        answered_on=answered_on or timezone.localdate(), answers=clean)
    needs = {column: clean.get(code) for code, column in NEEDS_COLUMNS.items()}
    for column in ("purpose", "cashflow_cycle", "collateral", "risk_appetite"):
        needs[column] = needs[column] or ""
    if needs["term_months"] is not None:
        needs["term_months"] = int(Decimal(needs["term_months"]))
    CustomerNeeds.objects.update_or_create(customer=customer, defaults={
        "response": response, "answered_on": response.answered_on, **needs})
    tags_refresh_customers(customer_ids=[customer.pk])
    record_event(actor=acting.user, event_code="customers.questionnaire_answered", obj=response,
                 after={"customer_id": customer.pk, "questionnaire": questionnaire.code,
                        "version": questionnaire.version, "answered": sorted(clean)})
    return response


def customer_messages_queue_bulk(*, actor, messages: list[dict], batch_id: str) -> int:
    """Queue many customer messages at once (a campaign or a trigger run): one INSERT for the new
    rows and one batch audit event listing how many were queued per purpose. Each message is a dict
    of customer_id, channel, body, purpose, dedup_key; a dedup_key already in the outbox is skipped,
    so a re-run queues nothing. Must run inside the caller's transaction. Rejects the whole batch,
    naming the row, when a row has an unknown channel or an empty body."""
    errors: dict[str, str] = {}
    for index, row in enumerate(messages):
        if row.get("channel") not in CustomerMessage.Channel.values:
            errors[f"messages.{index}.channel"] = _("unknown channel")
        if not (row.get("body") or "").strip():
            errors[f"messages.{index}.body"] = _("the message is empty")
    if errors:
        raise ValidationError(errors)
    keys = [row["dedup_key"] for row in messages]
    taken = set()
    for start in range(0, len(keys), 5000):
        taken.update(CustomerMessage.objects.filter(dedup_key__in=keys[start:start + 5000])
                     .values_list("dedup_key", flat=True))
    new = [CustomerMessage(customer_id=row["customer_id"], channel=row["channel"], body=row["body"].strip()[:500],
                           purpose=row["purpose"], dedup_key=row["dedup_key"])
           for row in messages if row["dedup_key"] not in taken]
    CustomerMessage.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    if new:
        per_purpose: dict[str, int] = {}
        for message in new:
            per_purpose[message.purpose] = per_purpose.get(message.purpose, 0) + 1
        record_batch_event(actor=actor_of(actor).user, event_code="customers.messages_queued",
                           summary={"batch_id": batch_id, "queued": len(new), "per_purpose": per_purpose})
    return len(new)
