"""Certification reminders (FEATURES A6): a reminder falls due 90, 60 and 30 days before expiry."""

from datetime import date

REMINDER_DAYS = (90, 60, 30)


def reminders_due(expires_on: date, today: date) -> list[int]:
    """The thresholds already reached (and not passed by expiry) on `today`: at 45 days left, 90 and 60.
    A job that missed a day still sends each threshold once; an expired certification gets none."""
    left = (expires_on - today).days
    if left < 0:
        return []
    return [d for d in REMINDER_DAYS if left <= d]


def status(expires_on: date, today: date) -> str:
    left = (expires_on - today).days
    if left < 0:
        return "expired"
    return "expiring" if left <= REMINDER_DAYS[0] else "valid"
