"""Synthetic but valid identifiers for the demo bank and tests: ID numbers that pass GB 11643 (real
area codes, real dates, check digit), credit codes that pass GB 32100, mainland mobiles and bank
card numbers that pass Luhn. Driven by the caller's `random.Random`, so a seed reproduces them."""

import random
from datetime import date, timedelta
from functools import lru_cache

from stdnum import luhn
from stdnum.cn import ric, uscc

# Current county-level area codes of a few provinces (source: python-stdnum's cn/loc database).
_PROVINCE_PREFIXES = ("11", "12", "31", "32", "33", "35", "37", "41", "42", "44", "50", "51", "61", "21", "23")


@lru_cache(maxsize=1)
def area_codes() -> tuple[str, ...]:
    from stdnum import numdb

    db = numdb.get("cn/loc")
    codes = []
    for _length, low, _high, _info, children in db.prefixes:
        if low not in _PROVINCE_PREFIXES:
            continue
        for _l, county_low, _h, county_info, _c in children:
            county = county_info.get("county", "")
            # Only codes valid in every year ("[1993-]..." would reject people born earlier); no roll-up rows.
            if county.startswith("["):
                continue
            if county_low.endswith("00"):
                continue
            codes.append(low + county_low)
    return tuple(codes)


def make_id_number(rng: random.Random, *, birth_from: date = date(1960, 1, 1),
                   birth_to: date = date(2003, 12, 31)) -> str:
    area = rng.choice(area_codes())
    born = birth_from + timedelta(days=rng.randrange((birth_to - birth_from).days))
    body = f"{area}{born:%Y%m%d}{rng.randrange(1000):03d}"
    number = body + ric.calc_check_digit(body + "0")
    return ric.validate(number)


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_credit_code(rng: random.Random) -> str:
    area = rng.choice(area_codes())
    org_code = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    body = "91" + area + org_code  # 9 = registered with industry & commerce, 1 = enterprise
    return uscc.validate(body + uscc.calc_check_digit(body))


_MOBILE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158",
                    "159", "166", "176", "177", "180", "181", "185", "186", "187", "188", "189", "199")


def make_mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def make_bank_card(rng: random.Random) -> str:
    body = "622" + "".join(str(rng.randrange(10)) for _ in range(15))
    return body + luhn.calc_check_digit(body)
