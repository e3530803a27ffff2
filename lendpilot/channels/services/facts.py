"""The per-partner loan facts that higher packages push down (lending and monitoring in the EOD, the demo
bank when it loads): month facts and vintage cells, replaced whole for the months given, so a rerun for the
same business date changes nothing."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lendpilot.channels.models import MonthFact, Partner, VintageCell
from lendpilot.channels.vintage import Cell
from lendpilot.compliance.audit import record_batch_event
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


@dataclass(frozen=True)
class MonthFacts:
    partner_id: int
    month: date
    leads: int = 0
    applications: int = 0
    approved: int = 0
    loans: int = 0
    disbursed: Decimal = Decimal("0")
    balance: Decimal = Decimal("0")
    complaints: int = 0
    findings: int = 0
    incidents: int = 0
    fees: Decimal = Decimal("0")
    clawback: Decimal = Decimal("0")
    cells: list[Cell] = field(default_factory=list)
    """This partner's vintage cells observed in `month` (each cohort at the MOB it reached)."""


@transaction.atomic
def partner_facts_load(*, actor: object, facts: list[MonthFacts]) -> int:
    """Replace the partners' facts for the months given; returns the rows written."""
    acting = actor_of(actor)
    require(acting, Perm.RUN_EOD)
    known = set(Partner.objects.filter(pk__in={f.partner_id for f in facts}).values_list("pk", flat=True))
    unknown = sorted({f.partner_id for f in facts} - known)
    if unknown:
        raise ValidationError({"partner_id": _("unknown partners: %(ids)s") % {"ids": unknown}})
    rows, cells = [], []
    for f in facts:
        rows.append(MonthFact(partner_id=f.partner_id, month=f.month, leads=f.leads, applications=f.applications,
                              approved=f.approved, loans=f.loans, disbursed=f.disbursed, balance=f.balance,
                              complaints=f.complaints, findings=f.findings, incidents=f.incidents, fees=f.fees,
                              clawback=f.clawback))
        cells += [VintageCell(partner_id=f.partner_id, cohort=c.cohort, mob=c.mob, disbursed=c.disbursed,
                              m1=c.m1, m2=c.m2, m3=c.m3) for c in f.cells]
    # Replaced set-wise: one delete per month for the facts, one per (cohort, month on book) for the cells.
    by_month: dict[date, set[int]] = defaultdict(set)
    for f in facts:
        by_month[f.month].add(f.partner_id)
    for month, ids in by_month.items():
        MonthFact.objects.filter(month=month, partner_id__in=ids).delete()
    by_cell: dict[tuple[date, int], set[int]] = defaultdict(set)
    for c in cells:
        by_cell[(c.cohort, c.mob)].add(c.partner_id)
    for (cohort, mob), ids in by_cell.items():
        VintageCell.objects.filter(cohort=cohort, mob=mob, partner_id__in=ids).delete()
    MonthFact.objects.bulk_create(rows, batch_size=1000)
    VintageCell.objects.bulk_create(cells, batch_size=1000)
    record_batch_event(actor=acting.user, event_code="channels.loan_facts_loaded",
                       summary={"months": len(rows), "cells": len(cells),
                                "partners": len({f.partner_id for f in facts})})
    return len(rows) + len(cells)
