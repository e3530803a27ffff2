"""`python manage.py sales_assignment_simulation`: on the loaded bank, re-assign a batch of its leads
(the most recent, by default 5,000) to the account managers of their regions, once by the skills-based
optimum and once by round robin, under the same capacities, and print the expected conversions of each
(the sum of the pair scores, which estimate each pair's conversion probability) as one JSON line."""

import json
import math
import time

import numpy as np
from django.core.management.base import BaseCommand

from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.sales import assignment, services
from lendpilot.sales.models import Lead


class Command(BaseCommand):
    help = "Expected conversions of the optimal lead assignment vs round robin on the loaded bank."

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=5000)
        parser.add_argument("--slack", type=float, default=1.2, help="capacity per manager as a multiple of "
                                                                      "the fair share of its region")

    def handle(self, *args, leads: int, slack: float, **options):
        batch = list(Lead.objects.select_related("product").order_by("-received_at", "-id")[:leads])
        managers = list(Staff.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True).order_by("pk"))
        if not batch or not managers:
            self.stdout.write(json.dumps({"error": "load the demo bank first (seed_demo)"}))
            return
        features = services.manager_features(managers)
        per_region = {}
        for lead in batch:
            per_region[lead.region_id] = per_region.get(lead.region_id, 0) + 1
        team_size = {}
        for m in managers:
            team_size[m.region_id] = team_size.get(m.region_id, 0) + 1
        mf = [assignment.ManagerFeatures(f.industry_levels, f.product_levels, f.conversion_rate, f.workload,
                                         math.ceil(slack * per_region.get(m.region_id, 0) / team_size[m.region_id]))
              for m, f in zip(managers, features, strict=True)]
        lf = services.lead_features(batch)
        allowed = np.array([[m.region_id == lead.region_id for m in managers] for lead in batch], dtype=bool)
        started = time.perf_counter()
        best = assignment.optimal(lf, mf, allowed=allowed)
        seconds = time.perf_counter() - started
        base = services.round_robin_in_region(batch, managers, lf, mf)
        self.stdout.write(json.dumps({
            "leads": len(batch), "managers": len(managers), "assigned_optimal": len(best.assignments),
            "assigned_round_robin": len(base.assignments),
            "expected_conversions_optimal": round(best.objective, 1),
            "expected_conversions_round_robin": round(base.objective, 1),
            "uplift_pct": round(100 * (best.objective / base.objective - 1), 1) if base.objective else None,
            "solve_seconds": round(seconds, 3)}, ensure_ascii=False))
