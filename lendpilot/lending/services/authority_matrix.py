"""The authority matrix: which levels decide which cases (C2), published as versions."""

from decimal import InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lendpilot.lending import authority
from lendpilot.lending.models import (
    AuthorityMatrix,
)
from lendpilot.lending.services.records import (
    Acting,
    audit,
    staff_of,
)
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


def active_matrix() -> AuthorityMatrix:
    """The active matrix; the built-in defaults are published as version 1 the first time one is needed."""
    matrix = AuthorityMatrix.objects.filter(is_active=True).first()
    if matrix is None:
        with transaction.atomic():
            try:
                matrix, _created = AuthorityMatrix.objects.get_or_create(
                    version=1, defaults={"rules": authority.DEFAULT_RULES.to_json(), "is_active": True,
                                         "note": "built-in defaults"})
            except IntegrityError:
                matrix = AuthorityMatrix.objects.get(is_active=True)
    return matrix


def rules_of(matrix: AuthorityMatrix | None) -> authority.AuthorityRules:
    return authority.AuthorityRules.from_json(matrix.rules) if matrix else authority.DEFAULT_RULES


@transaction.atomic
def authority_matrix_publish(*, actor: Acting, rules: dict, note: str = "") -> AuthorityMatrix:
    """A new version of the rules becomes active; cases already routed keep their version."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_AUTHORITY)
    try:
        parsed = authority.AuthorityRules.from_json(rules)
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise ValidationError({"rules": str(exc)}) from exc
    last = AuthorityMatrix.objects.select_for_update().order_by("-version").first()
    AuthorityMatrix.objects.filter(is_active=True).update(is_active=False)
    matrix = AuthorityMatrix.objects.create(version=(last.version + 1) if last else 1, rules=parsed.to_json(),
                                            is_active=True, note=note[:200], created_by=staff_of(acting))
    audit(acting, "lending.authority_matrix_published", matrix, after={"version": matrix.version,
                                                                         "rules": matrix.rules})
    return matrix
