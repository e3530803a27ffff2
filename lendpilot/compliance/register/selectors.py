"""Register reads: documents with attestation coverage, overdue manual revisions by owner, a staff
member's own trainings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from lendpilot.compliance.register.coverage import Coverage, combine
from lendpilot.compliance.register.models import Attestation, ManualRevision, RegulatoryDocument, Training
from lendpilot.org.access import Actor, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm


def in_audience(training: Training, staff: Staff) -> bool:
    return staff.is_active and (not training.roles or staff.role in training.roles)


def _audience_sizes() -> dict[str, int]:
    return dict(Staff.objects.filter(is_active=True).values("role").annotate(n=Count("pk")).values_list("role", "n"))


def training_coverage(trainings: list[Training]) -> dict[int, Coverage]:
    """Coverage of each training: attestations of staff still in its audience, against the audience."""
    sizes = _audience_sizes()
    attested: dict[tuple[int, str], int] = {
        (row["training"], row["user__staff__role"]): row["n"]
        for row in Attestation.objects.filter(training__in=trainings, user__staff__is_active=True)
        .values("training", "user__staff__role").annotate(n=Count("pk"))}
    result = {}
    for training in trainings:
        roles = training.roles or list(sizes)
        result[training.pk] = Coverage(sum(attested.get((training.pk, role), 0) for role in roles),
                                       sum(sizes.get(role, 0) for role in roles), training.deadline)
    return result


@dataclass
class RegisterRow:
    document: RegulatoryDocument
    coverage: Coverage
    state: str
    open_revisions: int
    overdue_revisions: int


def register_rows(actor: Actor, *, today: date, issuer: str = "", status: str = "") -> list[RegisterRow]:
    require(actor, Perm.VIEW_COMPLIANCE)
    documents = RegulatoryDocument.objects.annotate(
        open_revisions=Count("revisions", filter=Q(revisions__done_on__isnull=True), distinct=True),
        overdue_revisions=Count("revisions", filter=Q(revisions__done_on__isnull=True,
                                                      revisions__due_date__lt=today), distinct=True))
    if issuer:
        documents = documents.filter(issuer=issuer)
    if status:
        documents = documents.filter(status=status)
    documents = list(documents)
    trainings = list(Training.objects.filter(document__in=documents))
    coverage = training_coverage(trainings)
    per_document: dict[int, list[Coverage]] = {}
    for training in trainings:
        per_document.setdefault(training.document_id, []).append(coverage[training.pk])
    rows = []
    for document in documents:
        combined = combine(per_document.get(document.pk, []))
        rows.append(RegisterRow(document, combined, combined.state(today), document.open_revisions,
                                document.overdue_revisions))
    return rows


def overdue_owners(actor: Actor, *, today: date) -> list[dict]:
    """Owners of manual revisions past their due date, most overdue first."""
    require(actor, Perm.VIEW_COMPLIANCE)
    rows = (ManualRevision.objects.filter(done_on__isnull=True, due_date__lt=today)
            .values("owner", "owner__username", "owner__staff__name")
            .annotate(overdue=Count("pk")).order_by("-overdue", "owner__username"))
    oldest = {r["owner"]: r["due_date"] for r in ManualRevision.objects.filter(
        done_on__isnull=True, due_date__lt=today).order_by("owner", "due_date").values("owner", "due_date")
        .distinct()}
    return [{"name": r["owner__staff__name"] or r["owner__username"], "overdue": r["overdue"],
             "oldest_due": oldest.get(r["owner"]), "days": (today - oldest[r["owner"]]).days} for r in rows]


def documents(actor: Actor) -> QuerySet[RegulatoryDocument]:
    require(actor, Perm.VIEW_COMPLIANCE)
    return RegulatoryDocument.objects.all()


def my_trainings(actor: Actor) -> list[tuple[Training, bool]]:
    """The trainings addressed to the acting staff member, with whether they attested."""
    if actor.staff is None:
        return []
    # Trainings are few (a few per regulator document): the audience is checked in Python.
    mine = [t for t in Training.objects.select_related("document") if in_audience(t, actor.staff)]
    done = set(Attestation.objects.filter(user=actor.user, training__in=mine).values_list("training", flat=True))
    return [(t, t.pk in done) for t in mine]
