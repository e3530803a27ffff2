"""Writes of scenario marketing (FEATURES B3, D3, D7): trigger rules, the set-based trigger run that
pushes pre-approved offers, the managers' task list, offer decisions, post-loan advisory tasks.

A funding node is detected per rule by a portrait tag (`customers.TagDefinition.code`) and/or a
condition in the tag rule language (`customers.rules`, e.g. ``equipment_purchases_12m >= 1``); both
compile to one SQL predicate. A run inserts every offer of a rule with one INSERT ... SELECT whose
WHERE clause carries the rate limits (no offer on the same node within the cool-down, at most N offers
per customer per window), under a row lock on the active rules so two runs cannot interleave; a unique
constraint (customer, rule, day) backs it up. Tasks are inserted the same way from the run's offers;
each offer's customer message goes through the customers outbox with the offer id as dedup key.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Least, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event, record_event, snapshot
from lendpilot.core.bulk_load import insert_select
from lendpilot.core.errors import Conflict
from lendpilot.customers.models import Customer, CustomerTag, TagDefinition
from lendpilot.customers.rules import RuleError, compile_rule, parse
from lendpilot.customers.services import customer_messages_queue_bulk
from lendpilot.org.access import Actor, actor_of, require, staff_in_scope
from lendpilot.org.roles import Perm
from lendpilot.products.models import FundingNode, Product
from lendpilot.sales.models import (
    ManagerTask,
    PreApprovedOffer,
    Tier,
    TriggerRule,
    TriggerRuleProduct,
    TriggerRun,
)

MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
ROUND_TO = Decimal("10000")  # bands are quoted in round ten-thousands of yuan
OFFER_TASK_DAYS = 3  # the manager calls within three days of the push
BASIS_PATH = {
    TriggerRule.AmountBasis.NEED_AMOUNT: "needs__amount",
    TriggerRule.AmountBasis.EQUIPMENT_AMOUNT: "signals__equipment_amount_12m",
    TriggerRule.AmountBasis.TAX_INVOICE: "signals__tax_invoice_12m",
    TriggerRule.AmountBasis.MAX_SINGLE_LOAN: "facts__max_single_loan",
}
LIMITS = {"validity_days": (1, 365), "cooldown_days": (1, 730), "max_offers": (1, 10), "window_days": (1, 365)}
OPPORTUNITY_TIER = {Customer.Tier.STRATEGIC: Tier.PREMIUM, Customer.Tier.GROWTH: Tier.STANDARD,
                    Customer.Tier.MICRO: Tier.BASIC}


# --- trigger rules ---------------------------------------------------------------------------------


def _ratio(value, name: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value))
        if not number.is_finite() or not Decimal("0") < number <= Decimal("5"):
            raise InvalidOperation
        return number.quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError, TypeError):
        errors[name] = _("a share of the basis between 0 and 5 (0.5 is half)")
        return None


def condition_problem(condition: str) -> str | None:
    """Why a trigger condition is not a valid rule of the tag language, or None."""
    try:
        parse(condition)
    except RuleError as exc:
        return str(exc)
    return None


def _identity_errors(code: str, name: str, node: str, amount_basis: str, channel: str,
                     rule: TriggerRule | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("a code is required")
    elif TriggerRule.objects.filter(code=code).exclude(pk=rule.pk if rule else None).exists():
        errors["code"] = _("rule %(code)s already exists") % {"code": code}
    if not (name or "").strip():
        errors["name"] = _("a name is required")
    if node not in FundingNode.values:
        errors["node"] = _("unknown funding node %(node)s") % {"node": node}
    if amount_basis not in TriggerRule.AmountBasis.values:
        errors["amount_basis"] = _("unknown amount basis %(basis)s") % {"basis": amount_basis}
    if channel not in TriggerRule.Channel.values:
        errors["channel"] = _("channel is sms or app")
    return errors


def _product_problem(ids: list[int]) -> str | None:
    """Why the rule's product list cannot be offered, or None."""
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids)}
    if not ids:
        return _("choose at least one product")
    if len(products) != len(ids):
        return _("products %(ids)s do not exist") % {"ids": ", ".join(str(i) for i in ids if i not in products)}
    if any(not p.is_active for p in products.values()):
        return _("products not on sale cannot be offered")
    return None


def _detection_errors(tag_code: str, condition: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if tag_code and not TagDefinition.objects.filter(code=tag_code).exists():
        errors["tag_code"] = _("no tag %(code)s is defined") % {"code": tag_code}
    problem = condition_problem(condition) if condition else None
    if problem:
        errors["condition"] = problem
    if not tag_code and not condition:
        errors["condition"] = _("a rule detects its node by a tag, a condition or both")
    return errors


def _limit_errors(limits: dict[str, object]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field_name, (lo, hi) in LIMITS.items():
        value = limits[field_name]
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            errors[field_name] = _("a whole number from %(lo)s to %(hi)s") % {"lo": lo, "hi": hi}
    return errors


@transaction.atomic
def trigger_rule_save(*, actor, code: str, name: str, node: str, product_ids: list[int], amount_basis: str,
                      low_ratio, high_ratio, tag_code: str = "", condition: str = "", validity_days: int = 30,
                      cooldown_days: int = 90, max_offers: int = 2, window_days: int = 30, channel: str = "sms",
                      active: bool = True, rule: TriggerRule | None = None) -> TriggerRule:
    """Create a trigger rule or change one (B3, D3); a change raises the version. Rejects, naming the
    field and saving nothing: an empty or unknown product list, an unknown node, basis or channel, a tag
    that is not defined, a condition that does not parse, neither tag nor condition, a band outside
    (0, 5] or with low above high, limits outside their ranges, a code already taken."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PLAYBOOKS)
    code = (code or "").strip()
    errors = _identity_errors(code, name, node, amount_basis, channel, rule)
    ids = list(dict.fromkeys(product_ids or []))
    problem = _product_problem(ids)
    if problem:
        errors["product_ids"] = problem
    tag_code, condition = (tag_code or "").strip(), (condition or "").strip()
    errors.update(_detection_errors(tag_code, condition))
    low, high = _ratio(low_ratio, "low_ratio", errors), _ratio(high_ratio, "high_ratio", errors)
    if low is not None and high is not None and high < low:
        errors["high_ratio"] = _("the band's high end is below its low end")
    limits = {"validity_days": validity_days, "cooldown_days": cooldown_days, "max_offers": max_offers,
              "window_days": window_days}
    errors.update(_limit_errors(limits))
    if errors:
        raise ValidationError(errors)
    fields = ["code", "name", "node", "tag_code", "condition", "amount_basis", "low_ratio", "high_ratio",
              "validity_days", "cooldown_days", "max_offers", "window_days", "channel", "active", "version"]
    if rule is not None:
        rule = TriggerRule.objects.select_for_update().get(pk=rule.pk)
        before = {**snapshot(rule, fields), "product_ids": list(rule.rule_products.values_list("product_id",
                                                                                               flat=True))}
        rule.version += 1
    else:
        before, rule = None, TriggerRule()
    rule.code, rule.name, rule.node, rule.tag_code, rule.condition = code, name.strip()[:100], node, tag_code, condition
    rule.amount_basis, rule.low_ratio, rule.high_ratio, rule.channel, rule.active = (
        amount_basis, low, high, channel, bool(active))
    for field_name, value in limits.items():
        setattr(rule, field_name, value)
    rule.save()
    rule.rule_products.all().delete()
    TriggerRuleProduct.objects.bulk_create([TriggerRuleProduct(rule=rule, product_id=pk, position=n)
                                            for n, pk in enumerate(ids)])
    record_event(actor=acting.user, event_code="sales.trigger_rule_saved", obj=rule, before=before,
                 after={**snapshot(rule, fields), "product_ids": ids})
    return rule


# --- the trigger run -------------------------------------------------------------------------------


def rule_matches(rule: TriggerRule, *, as_of: date) -> QuerySet[Customer]:
    """Customers at the rule's funding node: carrying the tag and meeting the condition, with an amount
    basis above zero, and not past due on any loan (no pre-approval for a borrower in arrears)."""
    qs = Customer.objects.exclude(lifecycle_status=Customer.Lifecycle.CHURNED)
    if rule.tag_code:
        qs = qs.filter(Exists(CustomerTag.objects.filter(customer=OuterRef("pk"), tag__code=rule.tag_code,
                                                         tag__active=True)))
    if rule.condition:
        qs = qs.filter(compile_rule(rule.condition, as_of=as_of))
    qs = qs.exclude(facts__max_days_past_due__gt=0)
    return qs.annotate(basis=Coalesce(F(BASIS_PATH[rule.amount_basis]), Value(Decimal("0")),
                                      output_field=MONEY_FIELD)).filter(basis__gt=0)


def _rounded(expr):
    return Round(expr / Value(ROUND_TO), output_field=MONEY_FIELD) * Value(ROUND_TO)


def _offer_rows(rule: TriggerRule, products: list[Product], *, as_of: date, run: TriggerRun) -> QuerySet:
    """The SELECT of a rule's new offers: one row per matching customer within the rate limits, on the
    first product of the rule's list whose range the band reaches, the band clipped to that range."""
    high_raw = _rounded(F("basis") * Value(rule.high_ratio))
    low_raw = _rounded(F("basis") * Value(rule.low_ratio))

    def pick(attr: str, output):
        return Case(*[When(Q(high_raw__gte=p.min_amount), then=Value(getattr(p, attr), output_field=output))
                      for p in products], default=Value(None, output_field=output), output_field=output)

    recent = (PreApprovedOffer.objects.filter(customer=OuterRef("pk"),
                                              offered_on__gt=as_of - timedelta(days=rule.window_days))
              .order_by().values("customer").annotate(n=Count("pk")).values("n"))
    qs = (rule_matches(rule, as_of=as_of)
          .exclude(Exists(PreApprovedOffer.objects.filter(
              customer=OuterRef("pk"), node=rule.node, offered_on__gt=as_of - timedelta(days=rule.cooldown_days))))
          .annotate(recent=Coalesce(Subquery(recent, output_field=IntegerField()), Value(0)))
          .filter(recent__lt=rule.max_offers)
          .annotate(high_raw=high_raw, low_raw=low_raw)
          .annotate(pid=pick("pk", IntegerField()), pmin=pick("min_amount", MONEY_FIELD),
                    pmax=pick("max_amount", MONEY_FIELD))
          .filter(pid__isnull=False)
          .annotate(low=Greatest(Least(F("low_raw"), F("pmax"), output_field=MONEY_FIELD), F("pmin"),
                                 output_field=MONEY_FIELD),
                    high=Least(F("high_raw"), F("pmax"), output_field=MONEY_FIELD))
          .filter(low__lte=F("high")))
    return qs.order_by().values_list(
        "pk", "pid",
        Value(rule.pk, output_field=IntegerField()), Value(rule.version, output_field=IntegerField()),
        Value(run.pk, output_field=IntegerField()), Value(rule.node, output_field=CharField()), "manager_id",
        "low", "high", Value(as_of, output_field=DateField()),
        Value(as_of + timedelta(days=rule.validity_days), output_field=DateField()),
        Value(PreApprovedOffer.Status.OFFERED, output_field=CharField()),
        Value("", output_field=CharField()), Value(timezone.now(), output_field=DateTimeField()))


OFFER_COLUMNS = ["customer_id", "product_id", "rule_id", "rule_version", "run_id", "node", "manager_id",
                 "amount_low", "amount_high", "offered_on", "valid_until", "status", "decline_reason", "created_at"]


def offers_expire(*, as_of: date) -> int:
    """Offers still open past their validity become expired (one UPDATE)."""
    return PreApprovedOffer.objects.filter(status=PreApprovedOffer.Status.OFFERED, valid_until__lt=as_of).update(
        status=PreApprovedOffer.Status.EXPIRED)


def offer_message(offer: PreApprovedOffer) -> str:
    return _("Dear customer, you are pre-approved for %(product)s of CNY %(low)s to %(high)s, valid until "
             "%(until)s. Your account manager will contact you.") % {
        "product": offer.product.name_zh, "low": f"{offer.amount_low:,.0f}", "high": f"{offer.amount_high:,.0f}",
        "until": offer.valid_until.isoformat()}


@transaction.atomic
def triggers_evaluate(*, actor, as_of: date | None = None) -> TriggerRun:
    """Run every active trigger rule once (B3, D3): expire stale offers, insert the new offers of each
    rule set-based within the rate limits, put a follow-up task on each customer's manager's list, queue
    the customer messages through the outbox in one bulk insert, and write one batch audit event for
    the run (the outbox writes one more for the messages). Rules run in code order, so a customer
    matched by two rules in one run gets the second only within the limits. Idempotent for a day: a
    re-run pushes nothing new."""
    acting = actor_of(actor)
    if not acting.is_system:
        require(acting, Perm.ASSIGN_LEADS)
    as_of = as_of or timezone.localdate()
    if not date(2000, 1, 1) <= as_of <= date(2100, 12, 31):
        raise ValidationError({"as_of": _("a business date between 2000 and 2100")})
    # Locking the active rules serialises concurrent runs: the NOT EXISTS of the second sees the first's rows.
    rules = list(TriggerRule.objects.select_for_update().filter(active=True).order_by("code"))
    run = TriggerRun.objects.create(as_of=as_of, actor_label=acting.label)
    run.expired = offers_expire(as_of=as_of)
    products_of: dict[int, list[Product]] = {}
    for link in (TriggerRuleProduct.objects.filter(rule__in=rules, product__is_active=True)
                 .select_related("product").order_by("rule_id", "position")):
        products_of.setdefault(link.rule_id, []).append(link.product)
    per_rule = {}
    for rule in rules:
        products = products_of.get(rule.pk)
        if not products:
            per_rule[rule.code] = 0
            continue
        try:
            rows = _offer_rows(rule, products, as_of=as_of, run=run)
        except RuleError:
            # A field the condition names was withdrawn from the rule language since the rule was saved.
            per_rule[rule.code] = "condition_invalid"
            continue
        per_rule[rule.code] = insert_select(PreApprovedOffer, OFFER_COLUMNS, rows)
    offers = PreApprovedOffer.objects.filter(run=run)
    run.offers = offers.count()
    run.tasks = insert_select(ManagerTask, ["owner_id", "customer_id", "kind", "offer_id", "due_on", "status",
                                             "dedup_key", "note", "created_at"],
                               offers.order_by().values_list(
                                   "manager_id", "customer_id", Value(ManagerTask.Kind.OFFER, output_field=CharField()),
                                   "pk", Value(as_of + timedelta(days=OFFER_TASK_DAYS), output_field=DateField()),
                                   Value(ManagerTask.Status.OPEN, output_field=CharField()),
                                   Concat(Value("offer:"), Cast("pk", CharField()), output_field=CharField()),
                                   Value("", output_field=CharField()),
                                   Value(timezone.now(), output_field=DateTimeField())))
    # Bounded by the rate limits: a customer gets at most max_offers messages per window.
    run.messages = customer_messages_queue_bulk(
        actor=actor, batch_id=f"trigger-run:{run.pk}",
        messages=[{"customer_id": offer.customer_id, "channel": offer.rule.channel, "body": offer_message(offer),
                   "purpose": "preapproved_offer", "dedup_key": f"offer:{offer.pk}"}
                  for offer in offers.select_related("product", "rule").order_by("pk")])
    run.per_rule = per_rule
    run.save(update_fields=["expired", "offers", "tasks", "messages", "per_rule"])
    record_batch_event(actor=acting.user, event_code="sales.offers_pushed", summary={
        "batch_id": f"trigger-run:{run.pk}", "as_of": as_of.isoformat(), "offers": run.offers, "tasks": run.tasks,
        "messages": run.messages, "expired": run.expired, "per_rule": per_rule,
        "offer_ids": list(offers.order_by("pk").values_list("pk", flat=True)[:1000])})
    return run


# --- post-loan advisory (D7) -----------------------------------------------------------------------


def _quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@transaction.atomic
def advisory_tasks_generate(*, actor, as_of: date | None = None) -> int:
    """Post-loan advisory (D7): every high-value customer (the portrait's flag) with a loan outstanding
    gets one advisory task per quarter on the manager's list; one INSERT ... SELECT, idempotent through
    the task's dedup key (customer and quarter). Returns how many tasks were created."""
    acting = actor_of(actor)
    if not acting.is_system:
        require(acting, Perm.ASSIGN_LEADS)
    as_of = as_of or timezone.localdate()
    if not date(2000, 1, 1) <= as_of <= date(2100, 12, 31):
        raise ValidationError({"as_of": _("a business date between 2000 and 2100")})
    period = _quarter(as_of)
    key = Concat(Value(f"advisory:{period}:"), Cast("pk", CharField()), output_field=CharField())
    candidates = (Customer.objects.filter(value__high_value=True, facts__active_loans__gt=0)
                  .annotate(key=key)
                  .exclude(Exists(ManagerTask.objects.filter(dedup_key=OuterRef("key")))))
    created = insert_select(ManagerTask, ["owner_id", "customer_id", "kind", "offer_id", "due_on", "status",
                                           "dedup_key", "note", "created_at"],
                             candidates.order_by().values_list(
                                 "manager_id", "pk", Value(ManagerTask.Kind.ADVISORY, output_field=CharField()),
                                 Value(None, output_field=IntegerField()),
                                 Value(as_of + timedelta(days=14), output_field=DateField()),
                                 Value(ManagerTask.Status.OPEN, output_field=CharField()), "key",
                                 Value(period, output_field=CharField()),
                                 Value(timezone.now(), output_field=DateTimeField())))
    record_batch_event(actor=acting.user, event_code="sales.advisory_tasks_created", summary={
        "batch_id": f"advisory:{period}:{as_of.isoformat()}", "as_of": as_of.isoformat(), "period": period,
        "created": created})
    return created


# --- offers and tasks ------------------------------------------------------------------------------


def _check_customer(acting: Actor, customer: Customer) -> None:
    require(acting, Perm.WORK_OPPORTUNITIES)
    if not acting.is_system and not staff_in_scope(acting, customer.manager):
        raise PermissionDenied(_("this customer is outside your scope"))


def _close_tasks(offer: PreApprovedOffer) -> None:
    ManagerTask.objects.filter(offer=offer, status=ManagerTask.Status.OPEN).update(
        status=ManagerTask.Status.DONE, done_at=timezone.now())


def _locked_live(offer: PreApprovedOffer, today: date) -> PreApprovedOffer:
    locked = PreApprovedOffer.objects.select_for_update().select_related("customer", "product").get(pk=offer.pk)
    if locked.status != PreApprovedOffer.Status.OFFERED:
        raise Conflict(_("the offer is already %(status)s") % {"status": locked.get_status_display()},
                       field="status")
    if locked.valid_until < today:
        raise Conflict(_("the offer expired on %(day)s") % {"day": locked.valid_until.isoformat()},
                       field="valid_until")
    return locked


@transaction.atomic
def offer_accept(*, actor, offer: PreApprovedOffer, amount=None) -> PreApprovedOffer:
    """The customer takes up a live offer (D3): it becomes an opportunity on the offered product for the
    customer's manager, at the band's top unless an amount within the band is given; the follow-up task
    is done. A decided or expired offer is a Conflict; an amount outside the band a ValidationError."""
    from lendpilot.sales.services import opportunity_create

    acting = actor_of(actor)
    _check_customer(acting, offer.customer)
    locked = _locked_live(offer, timezone.localdate())
    value = locked.amount_high
    if amount is not None:
        try:
            value = Decimal(str(amount))
            if not value.is_finite() or not locked.amount_low <= value <= locked.amount_high:
                raise InvalidOperation
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationError({"amount": _("an amount within the offered band")}) from None
    before = snapshot(locked, ["status", "opportunity_id"])
    opp = opportunity_create(actor=actor, customer=locked.customer, product=locked.product, amount=value,
                             tier=OPPORTUNITY_TIER.get(locked.customer.tier, Tier.STANDARD),
                             name=f"{locked.customer.name} · {locked.product.name_zh}")
    locked.status, locked.opportunity = PreApprovedOffer.Status.ACCEPTED, opp
    locked.decided_at, locked.decided_by = timezone.now(), acting.staff
    locked.save(update_fields=["status", "opportunity", "decided_at", "decided_by"])
    _close_tasks(locked)
    record_event(actor=acting.user, event_code="sales.offer_decided", obj=locked, before=before,
                 after=snapshot(locked, ["status", "opportunity_id"]))
    return locked


@transaction.atomic
def offer_decline(*, actor, offer: PreApprovedOffer, reason: str = "") -> PreApprovedOffer:
    """The customer declines a live offer; the follow-up task is done. Decided or expired: Conflict."""
    acting = actor_of(actor)
    _check_customer(acting, offer.customer)
    locked = _locked_live(offer, timezone.localdate())
    before = snapshot(locked, ["status"])
    locked.status, locked.decline_reason = PreApprovedOffer.Status.DECLINED, (reason or "").strip()[:200]
    locked.decided_at, locked.decided_by = timezone.now(), acting.staff
    locked.save(update_fields=["status", "decline_reason", "decided_at", "decided_by"])
    _close_tasks(locked)
    record_event(actor=acting.user, event_code="sales.offer_decided", obj=locked, before=before,
                 after=snapshot(locked, ["status", "decline_reason"]))
    return locked


@transaction.atomic
def task_complete(*, actor, task: ManagerTask, note: str = "") -> ManagerTask:
    """Tick off a task on the list (its owner, or someone whose scope covers the owner)."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_OPPORTUNITIES)
    if not acting.is_system and not staff_in_scope(acting, task.owner):
        raise PermissionDenied(_("this task is outside your scope"))
    locked = ManagerTask.objects.select_for_update().get(pk=task.pk)
    if locked.status != ManagerTask.Status.OPEN:
        raise Conflict(_("the task is already closed"), field="status")
    locked.status, locked.done_at = ManagerTask.Status.DONE, timezone.now()
    if note:
        locked.note = note.strip()[:300]
    locked.save(update_fields=["status", "done_at", "note"])
    record_event(actor=acting.user, event_code="sales.task_done", obj=locked,
                 after={"kind": locked.kind, "customer_id": locked.customer_id, "note": locked.note})
    return locked
