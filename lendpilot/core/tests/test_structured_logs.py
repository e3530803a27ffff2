"""Log lines carry their structured fields (job, date, counts, duration) after the message."""

import logging
import os
import subprocess
import sys
from datetime import date

from lendpilot.core.logs import StructuredFormatter, structured_fields
from lendpilot.core.tests.test_security_settings import ROOT, production_environment


def _record(**extra) -> logging.LogRecord:
    logger = logging.getLogger("lendpilot.test")
    return logger.makeRecord("lendpilot.test", logging.INFO, __file__, 1, "daily job %s done", ("eod",), None,
                             extra=extra)


def test_the_fields_follow_the_message_as_key_value():
    record = _record(job="eod", business_date=date(2026, 11, 28), rows=1200, duration_ms=845, note="two words")
    assert structured_fields(record) == {"job": "eod", "business_date": date(2026, 11, 28), "rows": 1200,
                                         "duration_ms": 845, "note": "two words"}
    line = StructuredFormatter("%(levelname)s %(name)s %(message)s").format(record)
    assert line == 'INFO lendpilot.test daily job eod done job=eod business_date=2026-11-28 rows=1200 ' \
                   'duration_ms=845 note="two words"'


def test_a_line_without_fields_is_the_plain_message():
    assert StructuredFormatter("%(message)s").format(_record()) == "daily job eod done"


def test_in_production_lendpilot_lines_go_to_stdout_with_their_fields():
    """A production process (the README's environment) logs a job's line on stdout, its fields after it."""
    env = {**os.environ, **production_environment(), "CACHE_URL": "locmem://"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    script = ("import django; django.setup(); import logging; "
              "logging.getLogger('lendpilot.core.scheduling').info('daily job eod', extra={'job': 'eod', 'rows': 3})")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("INFO lendpilot.core.scheduling daily job eod job=eod rows=3")
    assert "daily job" not in done.stderr
