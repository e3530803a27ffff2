"""`python manage.py bench elasticity`: the take-up model on 50,000 (small), 250,000 (medium) or 1,000,000
(bank) offers. Target: the bank scale in under 60 s. The baseline is the competent first version: a pandas
frame and the statsmodels formula interface (patsy builds the dummies), which is what most analysts would
write; the measured path builds the design matrix in numpy and runs the same Newton logit."""

import numpy as np  # noqa: F401 (the formula below names np.log; patsy looks it up here)
import pandas as pd
import statsmodels.formula.api as smf  # type: ignore[import-untyped]

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.market.elasticity import estimate_elasticity, synthetic_offers

OFFERS = {"small": 50_000, "medium": 250_000, "bank": 1_000_000}


def formula_fit(offers) -> float:
    frame = pd.DataFrame({"accepted": offers.accepted, "rate_pp": offers.rate_pp, "grade": offers.grade,
                          "amount": offers.amount, "channel": offers.channel, "gap_pp": offers.gap_pp})
    result = smf.logit("accepted ~ rate_pp + C(grade) + np.log(amount / 10000) + C(channel) + gap_pp",
                       data=frame).fit(disp=0)
    return float(result.params["rate_pp"])


@benchmark("elasticity")
def bench_elasticity(context: BenchContext):
    n = OFFERS[context.scale]
    offers = synthetic_offers(n, beta_rate=-0.3, seed=context.seed)
    with Stopwatch() as sw:
        index = estimate_elasticity(offers)
    with Stopwatch() as base:
        baseline_beta = formula_fit(offers)
    yield Measurement("elasticity", "take_up_model_seconds", sw.seconds, "s", baseline=base.seconds,
                      notes={"offers": n, "rate_coefficient": round(index.rate_coefficient, 4),
                             "baseline_rate_coefficient": round(baseline_beta, 4),
                             "target_seconds": 60 if context.scale == "bank" else None})
