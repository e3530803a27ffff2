"""`python manage.py rotate_pii_keys`: re-encrypt every sealed column under the current primary key.

Put the new key first in LENDPILOT_FIELD_KEYS (keep the old ones after it), run this, then drop
the old keys. Sealed columns are found by convention (text fields named `*_cipher`), so packages
that add personal data are covered without registering here. Rows already under the primary key
are skipped, so a run that was stopped can simply be run again.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from lendpilot.compliance.audit import record_batch_event
from lendpilot.compliance.crypto import is_under_primary_key, rotate

BATCH = 2000


def sealed_columns():
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, models.TextField) and f.name.endswith("_cipher")]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypt personal identifiers under the first key of LENDPILOT_FIELD_KEYS."

    def handle(self, *args, **options):
        totals = {}
        for model, fields in sealed_columns():
            rotated = 0
            last_pk = 0
            while True:
                rows = list(model.objects.filter(pk__gt=last_pk).order_by("pk").only("pk", *fields)[:BATCH])
                if not rows:
                    break
                last_pk = rows[-1].pk
                changed = []
                for row in rows:
                    dirty = False
                    for field in fields:
                        token = getattr(row, field)
                        if token and not is_under_primary_key(token):
                            setattr(row, field, rotate(token))
                            dirty = True
                    if dirty:
                        changed.append(row)
                if changed:
                    with transaction.atomic():
                        model.objects.bulk_update(changed, fields)
                rotated += len(changed)
            totals[model._meta.label_lower] = rotated
            self.stdout.write(f"{model._meta.label_lower}: {rotated} rows re-encrypted")
        record_batch_event(actor=None, event_code="compliance.pii_keys_rotated", summary={"rows": totals})
