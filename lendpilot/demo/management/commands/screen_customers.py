"""`python manage.py screen_customers`: screen every person in the customer book against the watch lists in
use (run it after a list update; onboarding screens one customer at a time). Customers are passed to the
compliance screening service as plain values (reference, name, ID-number hash, birth date); hits wait for
two compliance officers on /compliance/screening/."""

from django.core.management.base import BaseCommand

from lendpilot.compliance.screening.models import ScreeningRun
from lendpilot.compliance.screening.services import screening_run
from lendpilot.demo.compliance import customer_subjects


class Command(BaseCommand):
    help = "Screen every person in the customer book against the watch lists in use."

    def handle(self, *args, **options):
        run = screening_run(actor=None, subjects=customer_subjects(), trigger=ScreeningRun.Trigger.LIST_UPDATE)
        self.stdout.write(f"screened {run.subjects} customers, {run.hits} new hits (run {run.pk})")
