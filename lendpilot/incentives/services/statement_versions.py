"""Writing computed statements as versions of the month's statements (called inside the run's or the
recalculation's transaction): a person's first statement of the month is created as version 1; a draft
whose figures or lines differ from its current version gets the next version, its new lines, the list of
what changed, and its open line disputes moved to the matching new line; a draft with the same figures is
left alone, so a second run for the same facts changes nothing."""

from datetime import date
from decimal import Decimal

from django.db.models import F

from lendpilot.incentives import commission
from lendpilot.incentives.models import (
    CommissionLine,
    CommissionPlan,
    CommissionStatement,
    Dispute,
    StatementVersion,
)
from lendpilot.org.models import Staff

FIGURES = ("quota", "disbursed", "attainment", "multiplier", "total")


def _lines_of(st: commission.Statement) -> tuple:
    return tuple((line.loan_id, line.rule, line.amount) for line in st.lines)


def _current_lines(statement_ids: list[int]) -> dict[int, tuple]:
    rows: dict[int, list] = {pk: [] for pk in statement_ids}
    for statement_id, loan_id, rule, amount in CommissionLine.objects.filter(
            statement_id__in=statement_ids, version__number=F("statement__version")).order_by(
            "statement_id", "id").values_list("statement_id", "loan_id", "rule", "amount").iterator(chunk_size=5000):
        rows[statement_id].append((loan_id, rule, amount))
    return {pk: tuple(lines) for pk, lines in rows.items()}


def changes_between(row: CommissionStatement, st: commission.Statement, plan_row: CommissionPlan,
                    old_lines: tuple, new_lines: tuple) -> dict:
    """What a recalculation changed, as data the statement page puts into words: each figure that moved
    (old, new), the plan versions if the plan changed, and how many loans came onto or left the statement."""
    changes: dict = {}
    new = {"quota": st.quota, "disbursed": st.disbursed, "attainment": st.attainment, "multiplier": st.multiplier,
           "total": st.total}
    for name in FIGURES:
        if getattr(row, name) != new[name]:
            changes[name] = [getattr(row, name), new[name]]
    if row.plan_id != plan_row.pk:
        changes["plan"] = [row.plan.version, plan_row.version]
    old_loans = {loan for loan, _rule, _amount in old_lines if loan}
    new_loans = {loan for loan, _rule, _amount in new_lines if loan}
    if new_loans - old_loans:
        changes["loans_added"] = len(new_loans - old_loans)
    if old_loans - new_loans:
        changes["loans_removed"] = len(old_loans - new_loans)
    return changes


def _figures(st: commission.Statement) -> dict:
    return {"quota": st.quota, "disbursed": st.disbursed, "attainment": st.attainment, "multiplier": st.multiplier,
            "total": st.total}


def _disputes_follow(revised: list[CommissionStatement]) -> int:
    """Open disputes of a line move to the same loan's line (same rule family) in the new version; a
    dispute whose line has no counterpart keeps pointing at the line it was raised on."""
    ids = [row.pk for row in revised]
    disputes = list(Dispute.objects.filter(statement_id__in=ids, status=Dispute.Status.OPEN,
                                           line__isnull=False).select_related("line"))
    if not disputes:
        return 0
    new_lines: dict[tuple[int, int | None, str], int] = {
        (sid, loan, commission.rule_family(rule)): pk for pk, sid, loan, rule in CommissionLine.objects.filter(
            statement_id__in=ids, version__number=F("statement__version")).values_list(
            "pk", "statement_id", "loan_id", "rule")}
    moved = []
    for d in disputes:
        line = d.line
        if line is None:
            continue
        target = new_lines.get((d.statement_id, line.loan_id, commission.rule_family(line.rule)))
        if target and target != d.line_id:
            d.line_id = target
            moved.append(d)
    Dispute.objects.bulk_update(moved, ["line"])
    return len(moved)


def _first_versions(month: date, plan_row: CommissionPlan, computed: dict[int, commission.Statement],
                    drafts: dict, by: Staff | None, reason: str) -> tuple[list, list]:
    """Statements of people who have none this month yet, created with their version 1."""
    created = [CommissionStatement(staff_id=staff_id, month=month, plan=plan_row, version=1, **_figures(st))
               for staff_id, st in computed.items() if staff_id not in drafts]
    CommissionStatement.objects.bulk_create(created, batch_size=2000)
    if created and created[0].pk is None:  # databases that do not return ids from bulk inserts
        ids = dict(CommissionStatement.objects.filter(month=month).values_list("staff_id", "pk"))
        for row in created:
            row.pk = ids[row.staff_id]
    versions = [StatementVersion(statement_id=row.pk, number=1, cause=StatementVersion.Cause.FIRST, reason=reason,
                                 plan=plan_row, created_by=by, **_figures(computed[row.staff_id])) for row in created]
    return created, versions


def _next_versions(plan_row: CommissionPlan, computed: dict[int, commission.Statement], drafts: dict,
                   by: Staff | None, reason: str) -> tuple[list, list, dict]:
    """Drafts whose figures or lines differ from their current version move to the next version."""
    current = _current_lines([s.pk for s in drafts.values()])
    revised, versions, totals_before = [], [], {}
    for staff_id, row in drafts.items():
        st = computed[staff_id]
        new_lines = _lines_of(st)
        changes = changes_between(row, st, plan_row, current[row.pk], new_lines)
        if not changes and current[row.pk] == new_lines:
            continue
        totals_before[row.pk] = row.total
        row.version += 1
        row.plan = plan_row
        for name, value in _figures(st).items():
            setattr(row, name, value)
        revised.append(row)
        versions.append(StatementVersion(statement_id=row.pk, number=row.version, reason=reason, plan=plan_row,
                                         cause=StatementVersion.Cause.RECALCULATED, changes=_jsonable(changes),
                                         created_by=by, **_figures(st)))
    CommissionStatement.objects.bulk_update(revised, ["version", "plan", *FIGURES], batch_size=2000)
    return revised, versions, totals_before


def statements_save(*, month: date, plan_row: CommissionPlan, computed: dict[int, commission.Statement],
                    by: Staff | None, reason: str) -> dict:
    drafts = {s.staff_id: s for s in CommissionStatement.objects.select_for_update().select_related("plan").filter(
        month=month, status=CommissionStatement.Status.DRAFT, staff_id__in=list(computed))}
    created, versions = _first_versions(month, plan_row, computed, drafts, by, reason)
    revised, next_versions, totals_before = _next_versions(plan_row, computed, drafts, by, reason)
    versions += next_versions
    StatementVersion.objects.bulk_create(versions, batch_size=2000)
    if versions and versions[0].pk is None:
        keyed = {(sid, n): pk for pk, sid, n in StatementVersion.objects.filter(
            statement__month=month).values_list("pk", "statement_id", "number")}
        for v in versions:
            v.pk = keyed[(v.statement_id, v.number)]
    staff_of = {row.pk: row.staff_id for row in [*created, *revised]}
    lines = [CommissionLine(statement_id=v.statement_id, version_id=v.pk, loan_id=line.loan_id, rule=line.rule,
                            basis=line.basis, rate=line.rate, multiplier=line.multiplier, amount=line.amount)
             for v in versions for line in computed[staff_of[v.statement_id]].lines]
    CommissionLine.objects.bulk_create(lines, batch_size=5000)
    _disputes_follow(revised)
    return {"new": [row.pk for row in created], "revised": [row.pk for row in revised], "lines": len(lines),
            "unchanged": len(drafts) - len(revised), "totals_before": totals_before}


def _jsonable(changes: dict) -> dict:
    return {k: [str(x) if isinstance(x, Decimal) else x for x in v] if isinstance(v, list) else v
            for k, v in changes.items()}
