"""Writes of the market database: LPR fixings, indicators, competitors and their moves, industries, and the
all-or-nothing import of a sheet. Each is one transaction with its audit record."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.reference import ProductCategory
from lendpilot.market import figures_file
from lendpilot.market.models import Competitor, CompetitorMove, Indicator, Industry, LprFixing, MoveKind, Tenor
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Region
from lendpilot.org.roles import Perm


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def lpr_record(*, actor, effective: date, tenor: str, rate: Decimal, source: str) -> LprFixing:
    require(actor_of(actor), Perm.MANAGE_MARKET)
    if tenor not in Tenor.values:
        raise _invalid("tenor", _("choose 1Y or 5Y"))
    if not Decimal("0") < rate < Decimal("0.2"):
        raise _invalid("rate", _("a rate between 0% and 20%"))
    if not source.strip():
        raise _invalid("source", _("say where the figure comes from"))
    with transaction.atomic():
        fixing, created = LprFixing.objects.update_or_create(effective=effective, tenor=tenor,
                                                             defaults={"rate": rate, "source": source.strip()})
        record_event(actor=actor, event_code="market.lpr_recorded", obj=fixing, after=snapshot(fixing))
    return fixing


def _region(code: str, field: str = "region") -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _invalid(field, _("unknown region %(code)s") % {"code": code})
    return region


def indicator_record(*, actor, code: str, name: str, region: str, as_of: date, value: Decimal, unit: str,
                     source: str, max_age_days: int = 100) -> Indicator:
    require(actor_of(actor), Perm.MANAGE_MARKET)
    if not code.strip():
        raise _invalid("code", _("required"))
    if not source.strip():
        raise _invalid("source", _("say where the figure comes from"))
    if not 1 <= max_age_days <= 3650:
        raise _invalid("max_age_days", _("between 1 and 3650 days"))
    with transaction.atomic():
        row, _created = Indicator.objects.update_or_create(
            code=code.strip(), region=_region(region), as_of=as_of,
            defaults={"name": name or code, "value": value, "unit": unit, "source": source.strip(),
                      "max_age_days": max_age_days})
        record_event(actor=actor, event_code="market.indicator_recorded", obj=row, after=snapshot(row))
    return row


def competitor_save(*, actor, name: str, kind: str = "", profile: str = "", report: str = "", source: str,
                    as_of: date) -> Competitor:
    require(actor_of(actor), Perm.MANAGE_MARKET)
    if not name.strip():
        raise _invalid("name", _("required"))
    if not source.strip():
        raise _invalid("source", _("say where the profile comes from"))
    with transaction.atomic():
        row, _created = Competitor.objects.update_or_create(
            name=name.strip(), defaults={"kind": kind, "profile": profile, "report": report,
                                         "source": source.strip(), "as_of": as_of})
        record_event(actor=actor, event_code="market.competitor_saved", obj=row, after=snapshot(row))
    return row


def competitor_move_record(*, actor, competitor: Competitor, kind: str, product: str, region: str,
                           effective: date, apr: Decimal, approval_days: Decimal, documents: str = "",
                           source: str) -> CompetitorMove:
    require(actor_of(actor), Perm.MANAGE_MARKET)
    if kind not in MoveKind.values:
        raise _invalid("kind", _("choose rate, approval time or documents"))
    if product not in ProductCategory.values:
        raise _invalid("product", _("unknown product %(product)s") % {"product": product})
    if not Decimal("0") < apr < Decimal("0.36"):
        raise _invalid("apr", _("an APR between 0% and 36%"))
    if approval_days < 0:
        raise _invalid("approval_days", _("not negative"))
    if not source.strip():
        raise _invalid("source", _("say where the move was seen"))
    place = _region(region)
    if place is None:
        raise _invalid("region", _("required"))
    with transaction.atomic():
        move = CompetitorMove.objects.create(
            competitor=competitor, kind=kind, product=product, region=place, effective=effective, apr=apr,
            approval_days=approval_days, documents=documents, source=source.strip(),
            recorded_by=getattr(actor, "pk", None) and actor)
        record_event(actor=actor, event_code="market.competitor_move_recorded", obj=move, after=snapshot(move))
    return move


def industry_save(*, actor, name: str, region: str, growth: Decimal, financing_need: str, source: str,
                  as_of: date) -> Industry:
    require(actor_of(actor), Perm.MANAGE_MARKET)
    if not name.strip() or not financing_need.strip():
        raise _invalid("name" if not name.strip() else "financing_need", _("required"))
    if not source.strip():
        raise _invalid("source", _("say where the figure comes from"))
    if not Decimal("-1") < growth < Decimal("10"):
        raise _invalid("growth", _("a growth between -100% and 1000%"))
    with transaction.atomic():
        row = Industry.objects.create(name=name.strip(), region=_region(region), growth=growth,
                                      financing_need=financing_need, source=source.strip(), as_of=as_of)
        record_event(actor=actor, event_code="market.industry_saved", obj=row, after=snapshot(row))
    return row


def figures_preview(*, kind: str, content: bytes, filename: str) -> figures_file.ParsedSheet:
    """The checked rows of an uploaded sheet and its row errors; nothing is saved."""
    try:
        table = figures_file.read_table(content, filename)
    except (UnicodeDecodeError, ValueError, OSError, KeyError) as error:
        raise _invalid("file", f"cannot read the file: {error}") from error
    return figures_file.parse_rows(kind, table)


def _save_row(actor, kind: str, row: dict[str, Any]) -> None:
    if kind == "lpr":
        lpr_record(actor=actor, effective=row["effective"], tenor=row["tenor"], rate=row["rate_percent"],
                   source=row["source"])
    elif kind == "indicator":
        indicator_record(actor=actor, code=row["code"], name=row["name"], region=row["region"], as_of=row["as_of"],
                         value=row["value"], unit=row["unit"], source=row["source"])
    else:
        competitor = Competitor.objects.filter(name=row["competitor"]).first()
        if competitor is None:
            raise _invalid("competitor", f"unknown competitor {row['competitor']}")
        competitor_move_record(actor=actor, competitor=competitor, kind=row["kind"], product=row["product"],
                               region=row["region"], effective=row["effective"], apr=row["apr_percent"],
                               approval_days=row["approval_days"], documents=row["documents"],
                               source=row["source"])


def figures_import(*, actor, kind: str, content: bytes, filename: str) -> int:
    """Save every row of the sheet or none: any row error (parse or rule) aborts with the row numbers."""
    require(actor_of(actor), Perm.MANAGE_MARKET)
    sheet = figures_preview(kind=kind, content=content, filename=filename)
    errors = [f"row {n}: {message}" for n, message in sheet.errors]
    if errors:
        raise ValidationError({"file": errors})
    if not sheet.rows:
        raise _invalid("file", "the sheet has no rows")
    try:
        with transaction.atomic():
            for row in sheet.rows:
                try:
                    _save_row(actor, kind, row)
                except ValidationError as error:
                    raise ValidationError({"file": [f"row {row['row']}: {m}" for m in error.messages]}) from error
            record_event(actor=actor, event_code="market.figures_imported", object_type="market.sheet",
                         object_id=kind, after={"rows": len(sheet.rows), "file": filename})
    except IntegrityError as error:
        raise _invalid("file", "two rows describe the same figure") from error
    return len(sheet.rows)
