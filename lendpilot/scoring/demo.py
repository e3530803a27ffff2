"""Demo bank step: scoring. The bank keeps its booked applicants' raw characteristics with whether
each defaulted within 12 months (synthetic, from a known logistic model, two years of matured
months); risk officer L1 trains a scorecard on that history - the same path as
`manage.py train_scorecard --history` - and L2 approves it (maker-checker), one version per product
family. The policy is published, an industry-shared blacklist is loaded, and six months of scored
applicants (raw inputs and bins) with drift in the latest months feed the monitoring page."""

from __future__ import annotations

import numpy as np
from django.contrib.auth import get_user_model

from lendpilot.core.months import shift_month
from lendpilot.core.reference import ProductCategory
from lendpilot.customers.synthetic import make_credit_code, make_id_number, make_mobile
from lendpilot.scoring import services, synthetic, training

HISTORY = {"tiny": 3_000, "small": 8_000, "medium": 20_000, "bank": 50_000}
MONTHLY = {"tiny": 300, "small": 2_000, "medium": 5_000, "bank": 20_000}
OUTCOME_MONTHS = 12


def seed(ctx) -> dict[str, int]:
    users = get_user_model().objects
    maker = users.get(username="risk_l1")
    checker = users.get(username="risk_l2")
    scale = ctx.scale.name

    # Two years of applications old enough for the 12-month outcome to be known.
    columns, bad = synthetic.applicants(HISTORY.get(scale, 10_000), seed=ctx.seed)
    calendar = [shift_month(ctx.today, -(OUTCOME_MONTHS + 1 + k)) for k in range(24)]
    rng = np.random.default_rng(ctx.sub_rng("scoring.history").getrandbits(32))
    months = [calendar[k] for k in rng.integers(0, 24, len(bad))]
    history = services.credit_history_import(actor=maker, columns=columns, bad=bad, months=months,
                                             source="demo loan book", outcome_months=OUTCOME_MONTHS)

    # Cross-validation makes the quality report; the tiny test scale skips it to stay fast.
    first = services.train_scorecard_from_history(actor=maker, family=ProductCategory.values[0],
                                                  with_cv=scale != "tiny")
    result = training.TrainingResult(table=first.table, metrics=first.metrics, summary=first.training_summary,
                                     config=first.config)
    versions = [services.scorecard_activate(actor=checker, version=first)]
    for family in ProductCategory.values[1:]:
        version = services.scorecard_version_store(actor=maker, family=family, result=result, source=first.source)
        versions.append(services.scorecard_activate(actor=checker, version=version))
    services.policy_version_publish(actor=maker, rules={"excluded_industries": ["T"]}, note="演示默认规则")

    rng = ctx.sub_rng("scoring.blacklist")
    rows = ([{"kind": "id_number", "value": make_id_number(rng), "reason": "欺诈"} for _ in range(20)]
            + [{"kind": "phone", "value": make_mobile(rng), "reason": "中介代办"} for _ in range(20)]
            + [{"kind": "credit_code", "value": make_credit_code(rng), "reason": "失信被执行"} for _ in range(10)])
    services.blacklist_import(actor=maker, list_name="行业共享黑名单", rows=rows, file_name="demo.csv")

    credit = versions[0]
    scored = 0
    for back in range(6, 0, -1):
        month = shift_month(ctx.today, -back)
        drift = {2: 0.15, 1: 0.4}.get(back, 0.0)  # the last two months drift
        columns, bad = synthetic.applicants(MONTHLY.get(scale, 2_000), seed=ctx.seed * 100 + back, drift=drift)
        # Only cases older than a year could have matured; the demo shows the last months as matured
        # too so the AUC and KS lines have points.
        scored += services.prescreen_history_import(actor=maker, version=credit, month=month, columns=columns,
                                                    outcomes=np.asarray(bad), source="demo")
        services.monitoring_run(actor=maker, version=credit, month=month)
    ctx.add_ids("scoring.versions", [v.pk for v in versions])
    return {"scorecard_versions": len(versions), "blacklist_entries": len(rows), "credit_history": history,
            "prescreen_history": scored}
