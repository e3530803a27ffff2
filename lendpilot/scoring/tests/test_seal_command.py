from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lendpilot.compliance.audit import verify_chain
from lendpilot.compliance.models import AuditEvent


def test_sealing_a_day_twice_adds_one_event_and_the_chain_verifies(db):
    call_command("seal_prescreen_log", "--date", "2026-01-05", stdout=StringIO())
    call_command("seal_prescreen_log", "--date", "2026-01-05", stdout=StringIO())
    events = AuditEvent.objects.filter(event_code="scoring.prescreen_log_sealed")
    assert events.count() == 1
    assert events.get().after["rows"] == 0
    assert verify_chain().ok


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "2999-01-01"])
def test_bad_or_unfinished_date_is_refused(db, bad):
    with pytest.raises(CommandError):
        call_command("seal_prescreen_log", "--date", bad, stdout=StringIO())
    assert not AuditEvent.objects.exists()
