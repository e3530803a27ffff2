"""Demo bank step: scoring. The bank's applicant history (synthetic, with known defaults) trains a
scorecard; risk officer L1 trains it and L2 approves it (maker-checker), one version per product
family; the default policy is published, an industry-shared blacklist is loaded, and six months of
scored applicants with drift in the latest months feed the monitoring page."""

from __future__ import annotations

from datetime import date

import numpy as np
from django.contrib.auth import get_user_model

from lendpilot.core.reference import ProductCategory
from lendpilot.customers.synthetic import make_credit_code, make_id_number, make_mobile
from lendpilot.scoring import services, synthetic, training

HISTORY = {"tiny": 3_000, "small": 8_000, "medium": 20_000, "bank": 50_000}
MONTHLY = {"tiny": 300, "small": 2_000, "medium": 5_000, "bank": 20_000}


def _month_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def seed(ctx) -> dict[str, int]:
    users = get_user_model().objects
    maker = users.get(username="risk_l1")
    checker = users.get(username="risk_l2")
    scale = ctx.scale.name
    frame = synthetic.training_frame(HISTORY.get(scale, 10_000), seed=ctx.seed)
    # Cross-validation makes the quality report; the tiny test scale skips it to stay fast.
    result = training.train(frame, target="bad", with_cv=scale != "tiny")
    versions = []
    for family in ProductCategory.values:
        version = services.scorecard_version_store(
            actor=maker, family=family, result=result, source=f"demo history ({len(frame)} applicants)",
            name=f"{family} v1 (demo history)")
        versions.append(services.scorecard_activate(actor=checker, version=version))
    services.policy_version_publish(actor=maker, rules={"excluded_industries": ["T"]}, note="demo defaults")

    rng = ctx.sub_rng("scoring.blacklist")
    rows = ([{"kind": "id_number", "value": make_id_number(rng), "reason": "欺诈"} for _ in range(20)]
            + [{"kind": "phone", "value": make_mobile(rng), "reason": "中介代办"} for _ in range(20)]
            + [{"kind": "credit_code", "value": make_credit_code(rng), "reason": "失信被执行"} for _ in range(10)])
    services.blacklist_import(actor=maker, list_name="行业共享黑名单", rows=rows, file_name="demo.csv")

    credit = versions[0]
    history = 0
    for back in range(6, 0, -1):
        month = _month_back(ctx.today, back)
        drift = {2: 0.15, 1: 0.4}.get(back, 0.0)  # the last two months drift
        columns, bad = synthetic.applicants(MONTHLY.get(scale, 2_000), seed=ctx.seed * 100 + back, drift=drift)
        # Only cases older than a year could have matured; the demo shows the last months as matured
        # too so the AUC and KS lines have points.
        history += services.prescreen_history_import(actor=maker, version=credit, month=month, columns=columns,
                                                     outcomes=np.asarray(bad), source="demo")
        services.monitoring_run(actor=maker, version=credit, month=month)
    ctx.add_ids("scoring.versions", [v.pk for v in versions])
    return {"scorecard_versions": len(versions), "blacklist_entries": len(rows), "prescreen_history": history}
