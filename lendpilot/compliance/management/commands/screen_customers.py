"""`python manage.py screen_customers [--batch N]`: screen the customer book (every registered source of subjects:
customers, and the legal representatives of enterprises) against the watch lists in use. Each list import enqueues
the same sweep; the command runs it by hand, resumes one that was killed (from its cursor), and does nothing more
once the lists in use were swept. Hits wait for two compliance officers on /compliance/screening/."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from lendpilot.compliance.screening.services import BATCH, rescreen


class Command(BaseCommand):
    help = "Screen the customer book against the watch lists in use (resumable, once per list update)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH, help="customers per transaction")

    def handle(self, *args, **options):
        started = timezone.now()
        sweeps = rescreen(actor=None, batch=max(1, options["batch"]))
        if not sweeps:
            self.stdout.write("no watch list in use: nothing screened, 0 new hits")
        for sweep in sweeps:
            if sweep.finished_at is not None and sweep.finished_at < started:
                self.stdout.write(f"{sweep.source}: already screened against lists {sweep.generation} "
                                  f"on {sweep.finished_at:%Y-%m-%d %H:%M}: 0 new hits")
                continue
            self.stdout.write(f"{sweep.source}: screened {sweep.run.subjects} subjects, {sweep.run.hits} new hits "
                              f"(run {sweep.run_id}, lists {sweep.generation})")
