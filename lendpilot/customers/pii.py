"""How each personal identifier of a customer is sealed for storage: ciphertext, keyed hash, mask.

One function per identifier, so that the service and the bulk demo loader store exactly the same
three columns.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lendpilot.compliance.crypto import encrypt, keyed_hash, mask

# Which characters of each identifier stay visible when masked.
MASK_RULES = {
    "id_number": (3, 4),  # 110***********1234
    "phone": (3, 4),  # 138****5678
    "bank_account": (0, 4),  # ************1234
}
PII_FIELDS = tuple(MASK_RULES)


class RevealPurpose(models.TextChoices):
    """Why an identifier is shown in clear: one of a fixed list (what compliance reviews), plus free text."""

    IDENTITY_CHECK = "identity_check", _("Identity check with the customer present")
    CONTRACT_SIGNING = "contract_signing", _("Contract signing")
    DISBURSEMENT = "disbursement", _("Disbursement to the customer's account")
    COLLECTION = "collection", _("Contacting the customer about a repayment")
    CUSTOMER_REQUEST = "customer_request", _("The customer's own request")
    REGULATORY_REPORT = "regulatory_report", _("Regulatory or court request")
    OTHER = "other", _("Other (explain)")


def sealed_columns(field: str, normalised: str) -> dict[str, str]:
    """The three stored columns for one identifier; empty strings when the value is empty."""
    if not normalised:
        return {f"{field}_cipher": "", f"{field}_hash": "", f"{field}_masked": ""}
    keep_start, keep_end = MASK_RULES[field]
    return {
        f"{field}_cipher": encrypt(normalised),
        f"{field}_hash": keyed_hash(normalised),
        f"{field}_masked": mask(normalised, keep_start=keep_start, keep_end=keep_end),
    }
