from datetime import date

from lendpilot.talent.certificates import reminders_due, status


def test_reminders_at_ninety_sixty_thirty_days():
    today = date(2026, 1, 1)
    assert reminders_due(date(2026, 6, 1), today) == []
    assert reminders_due(date(2026, 3, 31), today) == [90]
    assert reminders_due(date(2026, 2, 15), today) == [90, 60]
    assert reminders_due(date(2026, 1, 31), today) == [90, 60, 30]
    assert reminders_due(date(2025, 12, 31), today) == []
    assert status(date(2025, 12, 31), today) == "expired"
