"""Cooperation terms of a listed partner, and the joint-lending refusal lending asks for at booking."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.channels.limits import fee_breaches
from lendpilot.channels.models import Partner, Terms
from lendpilot.channels.selectors import joint_limits, joint_loan_check
from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product


def _rate(value: object, field: str, errors: dict[str, str]) -> Decimal:
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = _("not a number")
        return Decimal("0")
    if not Decimal("0") <= rate <= Decimal("1"):
        errors[field] = _("a rate between 0 and 1")
    return rate


@transaction.atomic
def terms_set(*, actor: object, partner_id: int, products: list[Product], fee_rate: object, fee_cap: object,
              enhancement: str = Terms.Enhancement.NONE, enhancement_fee_rate: object = "0",
              joint_share: object = "0.30") -> Terms:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    partner = Partner.objects.select_for_update().filter(pk=partner_id).first()
    errors: dict[str, str] = {}
    if partner is None or not partner.is_listed:
        errors["partner"] = _("terms are set only for a partner on the published list")
    rates = {name: _rate(value, name, errors) for name, value in (
        ("fee_rate", fee_rate), ("fee_cap", fee_cap), ("enhancement_fee_rate", enhancement_fee_rate),
        ("joint_share", joint_share))}
    if enhancement not in Terms.Enhancement.values:
        errors["enhancement"] = _("unknown credit-enhancement kind")
    if not errors:
        if breach := fee_breaches(fee_rate=rates["fee_rate"], enhancement_fee_rate=rates["enhancement_fee_rate"],
                                  fee_cap=rates["fee_cap"]):
            errors["fee_rate"] = breach[0]
        if rates["joint_share"] < joint_limits().min_partner_share:
            errors["joint_share"] = _("the partner funds at least %(min)s of a joint loan") % {
                "min": f"{joint_limits().min_partner_share:.0%}"}
    if errors:
        raise ValidationError(errors)
    assert partner is not None
    if acting.staff is None:
        raise PermissionDenied(_("terms are set by a named member of staff"))
    before = snapshot(partner.terms) if hasattr(partner, "terms") else None
    terms, _created = Terms.objects.update_or_create(partner=partner, defaults={
        **rates, "enhancement": enhancement, "set_by": acting.staff, "set_at": timezone.now()})
    terms.products.set(products)
    record_event(actor=acting.user, event_code="channels.terms_set", obj=terms, before=before,
                 after={**snapshot(terms, ["fee_rate", "fee_cap", "enhancement", "enhancement_fee_rate",
                                           "joint_share"]), "products": sorted(p.pk for p in products)})
    return terms


def ensure_joint_loan_fits(*, amount: Decimal, partner_balance: Decimal, all_partners_balance: Decimal,
                           total_loans: Decimal, staff: Staff | None = None, partner: Partner | None = None) -> None:
    """Refuse the booking of a joint loan that breaks the partner's share or a concentration limit (the
    partner is given, or found from its login `staff`)."""
    check = joint_loan_check(staff=staff, partner=partner, amount=amount, partner_balance=partner_balance,
                             all_partners_balance=all_partners_balance, total_loans=total_loans)
    if check.breaches:
        raise ValidationError({"amount": check.breaches})
