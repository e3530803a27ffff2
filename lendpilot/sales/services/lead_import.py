"""Importing a lead file: every row goes through the same intake as a typed lead (validation,
screening, linking a customer). Rows whose person is already an open lead, or appears earlier in the
file, are skipped as duplicates. All or nothing: a preview, or a file with any row in error, writes
nothing; a clean file is imported whole with one audit record for the batch."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lendpilot.channels.services import ensure_partner_may_submit
from lendpilot.compliance.audit import record_batch_event
from lendpilot.compliance.crypto import keyed_hash
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Region
from lendpilot.org.roles import Perm, Role
from lendpilot.products.models import Product
from lendpilot.sales.intake.files import LeadRow
from lendpilot.sales.models import Lead
from lendpilot.sales.services.leads import _identifiers, _open_duplicate, lead_create


@dataclass
class ImportLine:
    row: int
    name: str
    outcome: str  # "new", "duplicate" or "error"
    messages: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    lines: list[ImportLine]
    applied: bool

    @property
    def errors(self) -> int:
        return sum(1 for line in self.lines if line.outcome == "error")

    @property
    def new(self) -> int:
        return sum(1 for line in self.lines if line.outcome == "new")

    @property
    def duplicates(self) -> int:
        return sum(1 for line in self.lines if line.outcome == "duplicate")


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items()]
    return list(exc.messages)


def _references(rows: list[LeadRow], default_region: Region | None) -> tuple[dict[str, Region], dict[str, Product]]:
    regions = {r.code: r for r in Region.objects.filter(code__in={row.values.get("region", "") for row in rows})}
    if default_region is not None:
        regions.setdefault("", default_region)
    products = {p.code: p for p in Product.objects.filter(code__in={row.values.get("product", "") for row in rows})}
    return regions, products


def _duplicate_of(values: dict[str, str], seen: dict[str, int]) -> str | None:
    """Why this row is a duplicate (earlier row of the file, or an open lead), or None. Raises
    ValidationError for identifiers that do not parse."""
    ids = _identifiers(values.get("kind", "person"), values.get("id_number", ""), values.get("credit_code", ""),
                       values.get("phone", ""))
    hashes = {k: keyed_hash(v) if v else "" for k, v in ids.items()}
    for value in filter(None, hashes.values()):
        if value in seen:
            return _("same person as row %(row)s") % {"row": seen[value]}
    if _open_duplicate(hashes) is not None:
        return _("already an open lead")
    return None


def _remember(values: dict[str, str], row: int, seen: dict[str, int]) -> None:
    ids = _identifiers(values.get("kind", "person"), values.get("id_number", ""), values.get("credit_code", ""),
                       values.get("phone", ""))
    for value in filter(None, ids.values()):
        seen.setdefault(keyed_hash(value), row)


def _import_row(acting: object, row: LeadRow, regions: dict[str, Region], products: dict[str, Product],
                seen: dict[str, int], hand_over: bool) -> ImportLine:
    values = row.values
    line = ImportLine(row.row, values.get("name", ""), "new")
    region = regions.get(values.get("region", ""))
    product = products.get(values.get("product", "")) if values.get("product") else None
    if region is None:
        line.outcome, line.messages = "error", [_("region: unknown region %(code)s") % {
            "code": values.get("region", "")}]
        return line
    if values.get("product") and product is None:
        line.outcome, line.messages = "error", [_("product: unknown product %(code)s") % {"code": values["product"]}]
        return line
    try:
        duplicate = _duplicate_of(values, seen)
        if duplicate:
            line.outcome, line.messages = "duplicate", [duplicate]
            return line
        with transaction.atomic():
            lead_create(actor=acting, kind=values.get("kind", "person"), name=values.get("name", ""),
                        source=values.get("source") or Lead.Source.DIRECT, industry=values.get("industry", ""),
                        region=region, id_number=values.get("id_number", ""),
                        credit_code=values.get("credit_code", ""), phone=values.get("phone", ""), product=product,
                        amount_wanted=values.get("amount") or None, source_detail=values.get("note", ""),
                        hand_over=hand_over)
        _remember(values, row.row, seen)
    except ValidationError as exc:
        line.outcome, line.messages = "error", _messages(exc)
    return line


@transaction.atomic
def leads_import(*, actor: object, rows: list[LeadRow], apply: bool, default_region: Region | None = None,
                 hand_over: bool = False) -> ImportResult:
    """Check (apply=False) or import (apply=True) the rows of a lead file. A row without a region takes
    `default_region` (the importer's own). Nothing is written unless `apply` and no row is in error."""
    acting = actor_of(actor)
    require(acting, Perm.CREATE_LEAD)
    if acting.role == Role.CHANNEL_PARTNER:
        ensure_partner_may_submit(staff=acting.staff)
    require(acting, Perm.VIEW_SALES)
    if not rows:
        raise ValidationError({"file": _("the file has no lead rows")})
    regions, products = _references(rows, default_region)
    seen: dict[str, int] = {}
    lines = [_import_row(acting, row, regions, products, seen, hand_over) for row in rows]
    result = ImportResult(lines, applied=False)
    if not apply or result.errors:
        transaction.set_rollback(True)
        return result
    result.applied = True
    record_batch_event(actor=acting.user, event_code="sales.leads_imported",
                       summary={"rows": len(rows), "new": result.new, "duplicates": result.duplicates})
    return result
