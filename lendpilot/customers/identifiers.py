"""Validation of Chinese identifiers (FEATURES X3) with python-stdnum's real checksums.

- Resident identity card number, GB 11643 (`stdnum.cn.ric`): length, birth date, birth place, check digit.
- Unified social credit code, GB 32100 (`stdnum.cn.uscc`): alphabet, structure, check character.
- Mainland mobile number: 11 digits starting 13-19, an optional +86/0086 prefix is dropped.
- Bank card / account number: 12-30 digits; card numbers of 16-19 digits must pass the Luhn check.

Each function returns the normalised form or raises `IdentifierError` with a message for the user.
"""

import re
from datetime import date

from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError


class IdentifierError(ValueError):
    pass


def normalise_id_number(value: str) -> str:
    try:
        return ric.validate(value)
    except StdnumError as exc:
        raise IdentifierError(
            _("not a valid resident ID number (GB 11643): %(reason)s") % {"reason": str(exc)}
        ) from exc


def normalise_credit_code(value: str) -> str:
    try:
        return uscc.validate(value)
    except StdnumError as exc:
        raise IdentifierError(
            _("not a valid unified social credit code (GB 32100): %(reason)s") % {"reason": str(exc)}
        ) from exc


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(value: str) -> str:
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if not _MOBILE.match(digits):
        raise IdentifierError(_("not a valid mainland mobile number (11 digits starting 13-19)"))
    return digits


def normalise_bank_account(value: str) -> str:
    digits = re.sub(r"[\s\-]", "", value or "")
    if not digits.isdigit() or not 12 <= len(digits) <= 30:
        raise IdentifierError(_("a bank account number has 12 to 30 digits"))
    if 16 <= len(digits) <= 19 and not luhn.is_valid(digits):
        raise IdentifierError(_("bank card number fails its check digit (Luhn)"))
    return digits


def birth_date_from_id(id_number: str) -> date:
    return ric.get_birth_date(id_number)


def gender_from_id(id_number: str) -> str:
    """GB 11643: the 17th digit is odd for men, even for women."""
    return "M" if int(id_number[16]) % 2 else "F"
