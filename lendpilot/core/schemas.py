"""Shapes shared by every API router: bounded ids, text that a database can store, money, rates,
error bodies and the list pagination.

The bounds keep bad input at the door as a 422 naming the field, instead of letting it reach the
database (an id past 64 bits, a NUL character or an over-long string make PostgreSQL fail).
"""

import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Field, Path, Query, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, StringConstraints

MAX_ID = 2**62
"""Largest id the API accepts: well inside a signed 64-bit column on every database."""

NO_NUL = r"^[^\x00]*$"


def _no_surrogates(value: str) -> str:
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("text contains an unpaired surrogate")
    return value


def Text(max_length: int, *, min_length: int = 0, strip: bool = False) -> Any:  # noqa: N802 (a type factory)
    """A string of at most `max_length` characters without NUL or unpaired surrogates."""
    return Annotated[
        str,
        StringConstraints(max_length=max_length, min_length=min_length, pattern=NO_NUL, strip_whitespace=strip),
        AfterValidator(_no_surrogates),
    ]


PathId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="object id")]
"""A path id: 1 to 2**62; anything else is a 422, an id that names nothing a 404."""

QueryId = Annotated[int | None, Query(None, ge=1, le=MAX_ID)]
SearchText = Annotated[str | None, Query(None, max_length=100, pattern=NO_NUL)]

Money = Annotated[
    Decimal,
    Field(max_digits=16, decimal_places=2, allow_inf_nan=False, description="CNY, at most two decimal places"),
]
"""An amount in CNY. A JSON string such as "12345.60" is the safe way to send it."""

AnnualRate = Annotated[
    Decimal,
    Field(max_digits=7, decimal_places=6, allow_inf_nan=False,
          description="annual rate as a fraction: 0.0435 is 4.35%"),
]

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id inside a request body."""

Factor = Annotated[
    Decimal,
    Field(ge=-(10**9), le=10**9, max_digits=16, decimal_places=6, allow_inf_nan=False,
          description="a weight, ratio or multiplier: at most 9 integer digits and 6 decimals"),
]
"""A dimensionless number (weight, ratio, multiplier) with the bounds every such column can hold."""

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)


def _iso_date_only(value: Any) -> Any:
    """Only a written date: pydantic would read a number as seconds since 1970 (`month=0` became
    1970-01-01) and an ISO date-time as its date."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


def _date_in_range(value: date) -> date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"a date between {FIRST_DATE} and {LAST_DATE}")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only), AfterValidator(_date_in_range)]
"""A calendar date written YYYY-MM-DD, 1900-01-01 to 2100-12-31 (arithmetic on it cannot overflow)."""


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    """Every error answer: `detail` is a message, or for a 422 one entry per bad field (`loc` ends
    with the field's name)."""

    detail: str | list[FieldError]
    field: str | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
"""The error answers an operation may give, for the OpenAPI document."""


def with_errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERRORS}


class Page(LimitOffsetPagination):
    """`limit` (1-500, default 50) and `offset`; answers `{"items": [...], "count": n}`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10**12)


@contextmanager
def api_field_names(**renames: str):
    """Report a service's field errors under the API's names (the service says `manager`, the API
    takes `manager_id`)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({renames.get(field, field): errors for field, errors in exc.error_dict.items()}) from exc
