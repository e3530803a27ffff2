"""Demo data for the customer portrait (FEATURES B2, B4, D1, D7): external feeds, the tag catalogue, tier
policy and service packages, and needs questionnaires with answers for a share of the customers.

The feeds are synthetic but shaped like the real ones, drawn with numpy from one seeded generator and
bulk loaded (COPY on PostgreSQL):
  tax            24 months of invoiced amounts per enterprise (lognormal size, a yearly growth rate per firm,
                 seasonality in trade, farming and catering) and 12 months of tax paid (1-6 % of invoices);
  social insur.  13 months of insured headcount, drifting with the firm's growth;
  e-commerce     12 months of online turnover for a share of traders and makers, peaking at 618 and 双十一;
  bureau         enquiries per month over the last 6 months, red flags, debt at other lenders (everyone);
  equipment      1-3 purchases over two years for a fifth of makers, builders, miners, farmers and hauliers.
The step that calls these (lendpilot/demo/portrait.py) then refreshes the loan facts and recomputes.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
from django.core.exceptions import ValidationError

from lendpilot.core.months import shift_month
from lendpilot.customers import services
from lendpilot.customers.models import (
    Customer,
    CustomerNeeds,
    FeedRecord,
    QuestionnaireResponse,
    ServicePackage,
    TagDefinition,
    TierPolicy,
)
from lendpilot.customers.rules import CASHFLOW_CYCLES, COLLATERAL, PURPOSES, RISK_APPETITES
from lendpilot.customers.tag_catalogue import catalogue
from lendpilot.customers.tiering import DEFAULT_PACKAGES, GROWTH_MIN, HIGH_VALUE_CLV, STRATEGIC_MIN
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

SEASONAL = {"A", "F", "H"}
ONLINE = {"F": 0.35, "C": 0.15, "A": 0.12, "H": 0.10, "R": 0.08}
EQUIPMENT = {"C", "A", "B", "E", "G"}


def seed_feeds(ctx: SeedContext) -> int:
    rows = list(Customer.objects.order_by("pk").values_list("pk", "kind", "industry"))
    if not rows:
        return 0
    rng = np.random.default_rng(ctx.seed + 303)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    enterprise = np.array([r[1] == "enterprise" for r in rows])
    industry = np.array([r[2] for r in rows])
    months = [shift_month(ctx.today, -k) for k in range(24)]
    month_of_year = np.array([m.month for m in months])
    parts: list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray]] = []  # source, metric, ids, month idx, value

    def monthly(source, metric, who, base, growth, n_months, season=None):
        k = np.arange(n_months)
        values = base[:, None] * (1 + growth[:, None]) ** (-k[None, :] / 12)
        if season is not None:
            values = values * season[:, :n_months]
        values = values * rng.lognormal(0, 0.12, values.shape)
        parts.append((source, metric, np.repeat(ids[who], n_months), np.tile(k, who.sum()), values.ravel()))

    # tax and social insurance: enterprises with a tax registration on file
    taxed = enterprise & (rng.random(len(ids)) < 0.85)
    n = int(taxed.sum())
    if n:
        size = np.clip(rng.lognormal(np.log(300_000), 1.2, n), 20_000, 60_000_000)
        growth = np.clip(rng.normal(0.06, 0.35, n), -0.7, 2.0)
        seasonal = np.isin(industry[taxed], list(SEASONAL))
        season = 1 + np.outer(seasonal * 0.3, np.cos((month_of_year - 11) / 12 * 2 * np.pi))
        monthly("tax", "tax.invoice", taxed, size, growth, 24, season)
        monthly("tax", "tax.paid", taxed, size * rng.uniform(0.01, 0.06, n), growth, 12, season)
        staff = np.maximum(1, np.round(size / 30_000 * rng.lognormal(0, 0.5, n)))
        k = np.arange(13)
        heads = np.maximum(0, np.round(staff[:, None] * (1 + 0.6 * growth[:, None]) ** (-k[None, :] / 12)))
        parts.append(("social_insurance", "si.headcount", np.repeat(ids[taxed], 13), np.tile(k, n), heads.ravel()))
    # e-commerce turnover
    chance = np.array([ONLINE.get(code, 0.03) for code in industry]) * np.where(enterprise, 1.0, 0.3)
    online = rng.random(len(ids)) < chance
    n = int(online.sum())
    if n:
        amp = rng.uniform(0, 1.5, n)
        peak = 1 + np.outer(amp, (month_of_year == 11) * 2.0 + (month_of_year == 6) * 1.0)
        monthly("ecommerce", "ec.gmv", online, np.clip(rng.lognormal(np.log(150_000), 1.0, n), 5_000, 2e7),
                rng.normal(0.1, 0.3, n), 12, peak)
    # bureau: enquiries (only months with any), red flags, other lenders' debt
    queries = rng.poisson(np.where(rng.random(len(ids)) < 0.1, 1.5, 0.25)[:, None], (len(ids), 6))
    who, k = np.nonzero(queries)
    parts.append(("bureau", "bureau.queries", ids[who], k, queries[who, k].astype(float)))
    flags = rng.binomial(3, 0.02, len(ids))
    flagged = flags > 0
    parts.append(("bureau", "bureau.red_flags", ids[flagged], np.zeros(flagged.sum(), int), flags[flagged] * 1.0))
    indebted = rng.random(len(ids)) < 0.4
    debt = np.where(enterprise, rng.lognormal(np.log(2_000_000), 1.0, len(ids)),
                    rng.lognormal(np.log(200_000), 0.8, len(ids)))
    parts.append(("bureau", "bureau.external_debt", ids[indebted], np.zeros(indebted.sum(), int), debt[indebted]))
    # equipment purchases
    buyers = enterprise & np.isin(industry, list(EQUIPMENT)) & (rng.random(len(ids)) < 0.2)
    count = rng.integers(1, 4, len(ids)) * buyers
    who = np.repeat(np.arange(len(ids)), count)
    parts.append(("equipment", "equipment.purchase", ids[who], rng.integers(0, 24, len(who)),
                  np.clip(rng.lognormal(np.log(800_000), 0.8, len(who)), 50_000, 3e7)))

    total = sum(len(p[2]) for p in parts)

    def generate():
        for source, metric, cust, month_idx, values in parts:
            for cid, m, v in zip(cust.tolist(), month_idx.tolist(), np.round(values, 2).tolist(), strict=True):
                yield cid, source, metric, months[m], Decimal(f"{v:.2f}")

    written = ctx.insert_rows(FeedRecord, ["customer_id", "source", "metric", "period", "value"], generate(),
                              total=total, desc="feed records")
    if ctx.is_postgresql:
        ctx.analyze(FeedRecord)
    return written


def seed_reference() -> dict[str, int]:
    """Tier policy, the service packages and the tag catalogue (224 tags)."""
    if not TierPolicy.objects.exists():
        TierPolicy.objects.create(strategic_min=STRATEGIC_MIN, growth_min=GROWTH_MIN, high_value_clv=HIGH_VALUE_CLV,
                                  note="B2 defaults")
    for tier, package in DEFAULT_PACKAGES.items():
        ServicePackage.objects.update_or_create(tier=tier, defaults={
            "dedicated_manager": package.dedicated_manager, "response_sla_hours": package.response_sla_hours,
            "pricing_band": package.pricing_band, "review_every_months": package.review_every_months,
            "advisory": package.advisory})
    specs = catalogue()
    codes = set(TagDefinition.objects.values_list("code", flat=True))
    names = set(TagDefinition.objects.values_list("name_zh", flat=True))
    TagDefinition.objects.bulk_create([
        TagDefinition(code=s.code, name_zh=s.name_zh, name_en=s.name_en, theme=s.theme, rule=s.rule,
                      source=s.source or services.tag_source_of(s.rule))
        for s in specs if s.code not in codes and s.name_zh not in names])
    return {"tag_definitions": TagDefinition.objects.count(), "service_packages": ServicePackage.objects.count()}


QUESTIONS_V1: list[dict] = [
    {"code": "purpose", "label_zh": "融资用途", "label_en": "Purpose", "kind": "choice", "choices": list(PURPOSES)},
    {"code": "amount", "label_zh": "资金需求金额(元)", "label_en": "Amount needed (CNY)", "kind": "money",
     "min_value": 10_000, "max_value": 100_000_000},
    {"code": "term_months", "label_zh": "期望期限(月)", "label_en": "Term wanted (months)", "kind": "number",
     "min_value": 1, "max_value": 360},
    {"code": "cashflow_cycle", "label_zh": "经营回款周期", "label_en": "Cash-flow cycle", "kind": "choice",
     "choices": list(CASHFLOW_CYCLES)},
    {"code": "collateral", "label_zh": "可提供的抵质押", "label_en": "Collateral available", "kind": "choice",
     "choices": list(COLLATERAL)},
    {"code": "existing_debts", "label_zh": "现有负债(元)", "label_en": "Existing debts (CNY)", "kind": "money",
     "min_value": 0, "required": False},
]
QUESTIONS_V2: list[dict] = [*QUESTIONS_V1,
                {"code": "risk_appetite", "label_zh": "风险偏好", "label_en": "Risk appetite", "kind": "choice",
                 "choices": list(RISK_APPETITES)},
                {"code": "notes", "label_zh": "访谈记录", "label_en": "Interview notes", "kind": "text",
                 "required": False}]


def publish_questionnaires():
    v1 = services.questionnaire_publish(actor=None, code="needs", title="客户需求访谈问卷", questions=QUESTIONS_V1)
    v2 = services.questionnaire_publish(actor=None, code="needs", title="客户需求访谈问卷", questions=QUESTIONS_V2)
    return v1, v2


def seed_questionnaires(ctx: SeedContext, *, share: float = 0.25) -> int:
    """Answers for about a quarter of the customers: older ones on version 1, recent ones on version 2."""
    v1, v2 = publish_questionnaires()
    rng = random.Random(f"{ctx.seed}:customers.questionnaires")
    rows = Customer.objects.order_by("pk").values_list("pk", "kind", "manager_id")
    enterprise_purposes = ["working_capital", "expansion", "equipment", "technology", "stocking", "refinance"]
    person_purposes = ["consumption", "working_capital", "other", "refinance"]
    responses, needs = [], []
    for pk, kind, manager_id in rows:
        if rng.random() >= share:
            continue
        is_ent = kind == "enterprise"
        purpose = rng.choice(enterprise_purposes if is_ent else person_purposes)
        amount = Decimal(rng.choice([100_000, 300_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 8_000_000]
                                    if is_ent else [50_000, 100_000, 200_000, 500_000]))
        old = rng.random() < 0.3
        answers = {"purpose": purpose, "amount": f"{amount:.2f}", "term_months": str(rng.choice([6, 12, 24, 36, 60])),
                   "cashflow_cycle": rng.choice(CASHFLOW_CYCLES), "collateral": rng.choice(COLLATERAL),
                   "existing_debts": f"{Decimal(rng.choice([0, 0, 100_000, 500_000, 2_000_000])):.2f}"}
        if not old:
            answers["risk_appetite"] = rng.choice(RISK_APPETITES)
        answered_on = ctx.today - timedelta(days=rng.randint(180, 400) if old else rng.randint(1, 170))
        responses.append(QuestionnaireResponse(customer_id=pk, questionnaire=v1 if old else v2,
                                               answered_by_id=manager_id, answered_on=answered_on, answers=answers))
    QuestionnaireResponse.objects.bulk_create(responses, batch_size=2000)
    for response in responses:
        a = response.answers
        needs.append(CustomerNeeds(customer_id=response.customer_id, response=response,
                                   answered_on=response.answered_on, purpose=a["purpose"],
                                   amount=Decimal(a["amount"]), term_months=int(a["term_months"]),
                                   cashflow_cycle=a["cashflow_cycle"], collateral=a["collateral"],
                                   existing_debts=Decimal(a["existing_debts"]),
                                   risk_appetite=a.get("risk_appetite", "")))
    CustomerNeeds.objects.bulk_create(needs, batch_size=2000)
    return len(responses)


SEGMENTS = [
    ("华东制造业扩产目标客户", "制造业 AND 华东 AND 扩产需求 AND NOT 逾期"),
    ("高价值客户维护名单", "高价值客户 AND NOT 逾期"),
    ("设备融资租赁目标", "设备更新需求 AND (制造业 OR 建筑业) AND NOT 征信红色预警"),
    ("旺季备货供应链金融", "旺季备货需求 AND 批发零售业"),
    ("成长客户提额", "tier = growth AND 无不良记录 AND 开票增长10%以上"),
]


def seed_segments() -> int:
    """A few example segments saved by the director (after the tags are computed); returns how many."""
    director = Staff.objects.filter(role=Role.DIRECTOR, is_active=True).select_related("user").first()
    if director is None:
        return 0
    saved = 0
    for name, query in SEGMENTS:
        try:
            services.segment_save(actor=director.user, name=name, query=query)
            saved += 1
        except ValidationError:  # a catalogue without one of the tags: skip the example
            continue
    return saved
