"""Blacklists: internal entries and industry-shared lists (all-or-nothing imports), stored as keyed hashes
of the normalised identifier with a masked form for people to read."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.compliance.crypto import keyed_hash, mask
from lendpilot.customers.identifiers import (
    IdentifierError,
    normalise_credit_code,
    normalise_id_number,
    normalise_mobile,
)
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.scoring.models import BlacklistEntry, BlacklistImport
from lendpilot.scoring.services.acting import Acting, acting_user

_NORMALISERS: dict[str, tuple[Callable[[str], str], int, int]] = {
    BlacklistEntry.Kind.ID_NUMBER: (normalise_id_number, 3, 4),
    BlacklistEntry.Kind.CREDIT_CODE: (normalise_credit_code, 4, 4),
    BlacklistEntry.Kind.PHONE: (normalise_mobile, 3, 4),
}


def identifier_hash(kind: str, value: str) -> tuple[str, str]:
    """The keyed hash and the masked form of an identifier, normalised as on customers."""
    normalise, keep_start, keep_end = _NORMALISERS[kind]
    clean = normalise(value)
    return keyed_hash(clean), mask(clean, keep_start=keep_start, keep_end=keep_end)


@transaction.atomic
def blacklist_add(*, actor: Acting, kind: str, value: str, reason: str) -> BlacklistEntry:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    if kind not in BlacklistEntry.Kind.values:
        raise ValidationError({"kind": _("one of %(choices)s") % {"choices": ", ".join(BlacklistEntry.Kind.values)}})
    try:
        value_hash, masked = identifier_hash(kind, value)
    except IdentifierError as exc:
        raise ValidationError({"value": str(exc)}) from exc
    entry, created = BlacklistEntry.objects.get_or_create(
        kind=kind, value_hash=value_hash, source=BlacklistEntry.Source.INTERNAL, list_name="internal",
        defaults={"masked": masked, "reason": reason[:200], "added_by": acting_user(acting)},
    )
    if not created and not entry.is_active:
        entry.is_active = True
        entry.save(update_fields=["is_active"])
    record_event(actor=acting.user, event_code="scoring.blacklist_added", obj=entry,
                 after={"kind": kind, "masked": masked, "reason": entry.reason, "list": "internal"})
    return entry


@transaction.atomic
def blacklist_import(*, actor: Acting, list_name: str, rows: list[dict[str, str]], file_name: str = "",
                     source: str = BlacklistEntry.Source.INDUSTRY) -> BlacklistImport:
    """Load a list of {kind, value, reason} rows. All-or-nothing: any bad row -> ValidationError naming
    every bad row, nothing stored. Entries already on the same list are skipped."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    if not (list_name or "").strip():
        raise ValidationError({"list_name": _("name the list (e.g. the industry association's list)")})
    if source not in BlacklistEntry.Source.values:
        choices = ", ".join(BlacklistEntry.Source.values)
        raise ValidationError({"source": _("one of %(choices)s") % {"choices": choices}})
    errors: dict[str, str] = {}
    prepared: dict[tuple[str, str], tuple[str, str]] = {}
    for number, row in enumerate(rows, start=1):
        kind = (row.get("kind") or "").strip()
        if kind not in BlacklistEntry.Kind.values:
            errors[f"row {number}"] = (_("kind must be one of %(choices)s")
                                      % {"choices": ", ".join(BlacklistEntry.Kind.values)})
            continue
        try:
            value_hash, masked = identifier_hash(kind, (row.get("value") or "").strip())
        except IdentifierError as exc:
            errors[f"row {number}"] = str(exc)
            continue
        prepared[(kind, value_hash)] = (masked, (row.get("reason") or "")[:200])
    if not rows:
        errors["rows"] = _("the file has no rows")
    if errors:
        raise ValidationError(errors)
    batch = BlacklistImport.objects.create(source=list_name.strip()[:100], file_name=file_name[:200],
                                           rows=len(prepared), imported_by=acting_user(acting))
    existing = set(BlacklistEntry.objects.filter(source=source, list_name=batch.source,
                                                 value_hash__in=[h for _kind, h in prepared])
                   .values_list("kind", "value_hash"))
    new = [
        BlacklistEntry(kind=kind, value_hash=value_hash, masked=masked, source=source, list_name=batch.source,
                       reason=reason, batch=batch, added_by=acting_user(acting))
        for (kind, value_hash), (masked, reason) in prepared.items() if (kind, value_hash) not in existing
    ]
    BlacklistEntry.objects.bulk_create(new, batch_size=1000)
    record_event(actor=acting.user, event_code="scoring.blacklist_imported", obj=batch,
                 after={"list": batch.source, "file": file_name, "rows": len(rows), "added": len(new),
                        "already_listed": len(prepared) - len(new)})
    return batch
