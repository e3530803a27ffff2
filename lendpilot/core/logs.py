"""Log lines that a log shipper can read: the message, then the record's structured fields.

Batch jobs and security events log with `extra={"job": ..., "business_date": ..., "rows": ...,
"duration_ms": ...}`; this formatter appends those fields as `key=value` (values with spaces quoted), so a
line stays readable in a terminal and is split into fields by any key-value parser (Loki, Vector, grep).
Used by the LOGGING setting; pure, no ORM.
"""

from __future__ import annotations

import json
import logging

# Every attribute a bare LogRecord has, plus what Formatter.format adds: whatever else is on a record came
# in through `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def structured_fields(record: logging.LogRecord) -> dict[str, object]:
    """The fields a caller passed with `extra=`, in the order given."""
    return {key: value for key, value in vars(record).items() if key not in _STANDARD}


def _value(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if not text or any(c.isspace() or c in '="' for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


class StructuredFormatter(logging.Formatter):
    """The configured format (LOGGING: `%(asctime)s %(levelname)s %(name)s %(message)s`), then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = structured_fields(record)
        if not fields:
            return text
        first, newline, rest = text.partition("\n")  # a traceback stays below the line with the fields
        return first + " " + " ".join(f"{key}={_value(value)}" for key, value in fields.items()) + newline + rest
