"""What arrives from outside: the account transaction feed, external events (court judgements and the like)
and customer re-scores, each the raw material of tomorrow's signals."""

import contextlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.errors import Conflict
from lendpilot.customers.models import Customer
from lendpilot.monitoring.models import AccountTransaction, CustomerScore, ExternalEvent
from lendpilot.monitoring.services.acting import Acting
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

FEED_COLUMNS = ("txn_id", "customer_id", "booked_on", "direction", "amount", "merchant_category", "counterparty")
FEED_AMOUNT_LIMIT = Decimal("1e15")


@dataclass
class _FeedCheck:
    """What one file's rows are checked against, and the errors found so far (row, field, error)."""

    today: date
    existing: set[str]
    known_customers: set[int]
    seen: set[str] = field(default_factory=set)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, row: int, name: str, error: str) -> None:
        self.errors.append({"row": row, "field": name, "error": error})


def _feed_check(rows: list[Any], today: date) -> _FeedCheck:
    ids = {str(r.get("txn_id", "")).strip() for r in rows if isinstance(r, dict)}
    existing = set(AccountTransaction.objects.filter(txn_id__in=ids).values_list("txn_id", flat=True))
    cids = set()
    for r in rows:
        with contextlib.suppress(TypeError, ValueError, AttributeError):
            cids.add(int(r.get("customer_id", "")))
    known = set(Customer.objects.filter(pk__in=cids).values_list("pk", flat=True))
    return _FeedCheck(today=today, existing=existing, known_customers=known)


def _feed_txn_id(check: _FeedCheck, n: int, r: dict[str, Any]) -> str:
    txn_id = str(r.get("txn_id", "")).strip()
    if not txn_id or len(txn_id) > 64:
        check.refuse(n, "txn_id", "missing or longer than 64")
    elif txn_id in check.seen or txn_id in check.existing:
        check.refuse(n, "txn_id", "duplicate transaction id")
    check.seen.add(txn_id)
    return txn_id


def _feed_customer(check: _FeedCheck, n: int, r: dict[str, Any]) -> int | None:
    try:
        cid: int | None = int(r.get("customer_id", ""))
    except (TypeError, ValueError):
        cid = None
    if cid not in check.known_customers:
        check.refuse(n, "customer_id", "unknown account")
    return cid


def _feed_booked_on(check: _FeedCheck, n: int, r: dict[str, Any]) -> date | None:
    booked = r.get("booked_on")
    try:
        day = booked if isinstance(booked, date) else date.fromisoformat(str(booked).strip())
    except ValueError:
        check.refuse(n, "booked_on", "not a date")
        return None
    if day > check.today:
        check.refuse(n, "booked_on", "date in the future")
    return day


def _feed_amount(check: _FeedCheck, n: int, r: dict[str, Any]) -> Decimal | None:
    try:
        amount = Decimal(str(r.get("amount")).strip())
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")) \
                or amount >= FEED_AMOUNT_LIMIT:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        check.refuse(n, "amount", "not a positive amount in fen")
        return None
    return amount


def _feed_row(check: _FeedCheck, n: int, r: dict[str, Any], batch: str) -> AccountTransaction | None:
    """One row as a transaction; what is wrong with it goes to `check.errors` (then None or a row not to store)."""
    txn_id = _feed_txn_id(check, n, r)
    cid = _feed_customer(check, n, r)
    booked = _feed_booked_on(check, n, r)
    amount = _feed_amount(check, n, r)
    direction = str(r.get("direction", "")).strip()
    if direction not in AccountTransaction.Direction.values:
        check.refuse(n, "direction", "in or out")
    if cid is None or booked is None or amount is None:
        return None
    return AccountTransaction(txn_id=txn_id, customer_id=cid, booked_on=booked, direction=direction, amount=amount,
                              merchant_category=str(r.get("merchant_category") or "")[:8],
                              counterparty=str(r.get("counterparty") or "")[:100], batch=batch[:40])


def transactions_import(*, actor: Acting, rows: list[dict[str, Any]], batch: str = "",
                        today: date | None = None) -> dict[str, int]:
    """Import an account transaction feed, all or nothing: every row is checked (unknown account, amount
    not positive, duplicate id in the file or already imported, date in the future, bad direction) and
    any error rejects the whole file with a per-row report (`ValidationError` with `rows`)."""
    acting = actor_of(actor)
    require(acting, Perm.IMPORT_FEED)
    today = today or timezone.localdate()
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"rows": _("the feed is empty")})
    check = _feed_check(rows, today)
    clean = []
    for n, r in enumerate(rows, start=1):
        if not isinstance(r, dict):
            check.refuse(n, "row", "not an object")
            continue
        txn = _feed_row(check, n, r, batch)
        if txn is not None:
            clean.append(txn)
    if check.errors:
        raise ValidationError({"rows": [f"row {e['row']}: {e['field']}: {e['error']}" for e in check.errors[:200]]},
                              params={"report": check.errors})
    with transaction.atomic():
        AccountTransaction.objects.bulk_create(clean, batch_size=5000)
        record_event(actor=acting.user, event_code="monitoring.feed_imported", object_type="batch",
                     object_id=batch or f"feed:{today}", after={"rows": len(clean)})
    return {"imported": len(clean), "rejected": 0}

@transaction.atomic
def external_event_record(*, actor: Acting, customer: Customer, kind: str, occurred_on: date,
                          reference: str, detail: str = "") -> ExternalEvent:
    acting = actor_of(actor)
    require(acting, Perm.IMPORT_FEED)
    if kind not in ExternalEvent.Kind.values:
        raise ValidationError({"kind": _("unknown event kind")})
    if not (reference or "").strip():
        raise ValidationError({"reference": _("a reference is required")})
    if ExternalEvent.objects.filter(reference=reference.strip()).exists():
        raise Conflict(_("the event was already recorded"), field="reference")
    ev = ExternalEvent.objects.create(customer=customer, kind=kind, occurred_on=occurred_on,
                                      reference=reference.strip()[:64], detail=detail[:300])
    record_event(actor=acting.user, event_code="monitoring.external_event_recorded", obj=ev,
                 after={"kind": kind, "customer": customer.pk, "occurred_on": occurred_on})
    return ev


@transaction.atomic
def customer_rescore(*, actor: Acting, customer: Customer, scored_on: date, score: float,
                     source: str = "") -> CustomerScore:
    acting = actor_of(actor)
    require(acting, Perm.IMPORT_FEED)
    row = CustomerScore.objects.create(customer=customer, scored_on=scored_on, score=float(score), source=source[:40])
    record_event(actor=acting.user, event_code="monitoring.customer_rescored", obj=row,
                 after={"customer": customer.pk, "score": row.score})
    return row
