"""The request bodies of the load mix, without locust (importing locust patches the standard library with
gevent, which the in-process profile must not have)."""

import json
import random

INDUSTRIES = ["C", "F", "G", "I", "K"]


def prescreen_body(rng: random.Random) -> str:
    income = rng.randrange(6000, 60000)
    return json.dumps({
        "product_code": "CREDIT-01", "amount": str(rng.choice([50000, 100000, 150000, 300000])),
        "term_months": rng.choice([12, 24, 36]), "region": "EAST", "age": rng.randrange(23, 60),
        "monthly_income": str(income), "monthly_debt_payments": str(round(income * rng.uniform(0, 0.5), 2)),
        "employment_years": round(rng.uniform(0, 20), 1), "bureau_inquiries_6m": rng.randrange(0, 6),
        "bureau_overdue_24m": rng.randrange(0, 3), "industry": rng.choice(INDUSTRIES),
    })
