"""Customer 360 portrait: rule engine, set-based tag recompute, RFM quintiles, tier edges, segments and their
scope, needs questionnaire versions, the portrait selector (FEATURES B2, B4, D1, D7)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers import rules, segment_query, services, tiering
from lendpilot.customers.models import (
    Customer,
    CustomerFacts,
    CustomerTag,
    CustomerValue,
    FeedRecord,
    Questionnaire,
    Segment,
    TagDefinition,
    TierChange,
)
from lendpilot.customers.selectors import customer_portrait

AS_OF = date(2025, 6, 30)


def facts(customer, *, max_loan, loans=1, repayments=0, total=None, interest="0", dpd=0,
          last_loan=date(2025, 1, 10), last_repaid=None, first=date(2024, 1, 10), band=""):
    return CustomerFacts.objects.update_or_create(customer=customer, defaults=dict(
        as_of=AS_OF, loans_count=loans, active_loans=loans, max_single_loan=Decimal(max_loan),
        total_disbursed=Decimal(total or max_loan), outstanding_balance=Decimal(max_loan),
        first_disbursed_on=first, last_disbursed_on=last_loan, last_repaid_on=last_repaid,
        repayments_count=repayments, interest_income=Decimal(interest), max_days_past_due=dpd, credit_band=band))[0]


# --- rule engine -----------------------------------------------------------------------------------------

def test_rule_parses_and_compiles_comparisons_chains_and_lists():
    q = rules.compile_rule('industry == "C" and 1000000 <= max_single_loan < 5000000 '
                           'and region in ("EAST", "SOUTH") and not bureau_red_flags > 0', as_of=AS_OF)
    text = str(q)
    assert "facts__max_single_loan__gte" in text and "facts__max_single_loan__lt" in text
    assert "region__code__in" in text and "signals__bureau_red_flags__gt" in text


def test_days_fields_compile_to_a_date_before_as_of():
    q = rules.compile_rule("days_since_last_repayment > 90", as_of=AS_OF)
    assert q.children == [("facts__last_repaid_on__lt", date(2025, 4, 1))]


@pytest.mark.parametrize("rule, fragment", [
    ("industry ==", "does not parse"),
    ("", "empty"),
    ("salary > 3", "unknown field salary"),
    ("__import__('os').system('x')", "Call"),
    ("facts.loans_count > 1", "Attribute"),
    ("loans_count + 1 > 2", "BinOp"),
    ('loans_count > "many"', "number"),
    ('industry == "Z"', "no value"),
    ("industry > 3", "string"),
    ("loans_count", "yes/no"),
    ("loans_count in 3", "list"),
])
def test_bad_rules_are_rejected_with_the_reason(rule, fragment):
    with pytest.raises(rules.RuleError, match=fragment):
        rules.compile_rule(rule, as_of=AS_OF)


def test_segment_query_parses_keywords_parentheses_and_field_terms():
    tree = segment_query.parse_query("制造业 AND (华东 or tier = strategic) AND NOT 逾期")
    assert isinstance(tree, segment_query.And)
    assert segment_query.tag_names(tree) == {"制造业", "华东", "逾期"}
    for bad in ("", "A AND", "(A OR B", "A B", "tier >"):
        with pytest.raises(segment_query.QueryError):
            segment_query.parse_query(bad)


# --- tiers ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, tier", [("999999.99", "micro"), ("1000000", "growth"),
                                          ("4999999.99", "growth"), ("5000000", "strategic"), ("0", "micro")])
def test_tier_edges_pure(amount, tier):
    assert tiering.tier_for(Decimal(amount)) == tier


def test_tier_recompute_at_exactly_one_and_five_million_records_changes_with_reason(world):
    c = world.customers
    facts(c["am_wang_person"], max_loan="1000000.00")
    facts(c["am_wang_company"], max_loan="5000000.00")
    facts(c["am_zhao_person"], max_loan="999999.99")
    facts(c["am_zhao_company"], max_loan="4999999.99")
    result = services.tiers_recompute(actor=world.user("director"), as_of=AS_OF)
    tiers = dict(Customer.objects.values_list("pk", "tier"))
    assert tiers[c["am_wang_person"].pk] == "growth"
    assert tiers[c["am_wang_company"].pk] == "strategic"
    assert tiers[c["am_zhao_person"].pk] == "micro"
    assert tiers[c["am_zhao_company"].pk] == "growth"
    assert result["changed"] == 3 and result["moves"] == {"micro->growth": 2, "micro->strategic": 1}
    change = TierChange.objects.get(customer=c["am_wang_company"])
    assert change.from_tier == "micro" and change.to_tier == "strategic" and "5,000,000" in change.reason
    assert AuditEvent.objects.filter(event_code="customers.tiers_changed").count() == 1
    # Nothing moves the second time.
    assert services.tiers_recompute(actor=world.user("director"), as_of=AS_OF)["changed"] == 0


def test_tier_thresholds_are_configurable(world):
    facts(world.customers["am_wang_person"], max_loan="600000")
    services.tier_policy_set(actor=world.user("director"), strategic_min=Decimal("2000000"),
                             growth_min=Decimal("500000"))
    services.tiers_recompute(actor=world.user("director"), as_of=AS_OF)
    assert Customer.objects.get(pk=world.customers["am_wang_person"].pk).tier == "growth"
    with pytest.raises(ValidationError) as error:
        services.tier_policy_set(actor=world.user("director"), strategic_min=Decimal("1"), growth_min=Decimal("5"))
    assert "strategic_min" in error.value.message_dict


# --- RFM and value ---------------------------------------------------------------------------------------

def test_rfm_scores_are_quintiles_and_value_flags_high_value(world):
    customers = list(world.customers.values())[:8]
    # Two more borrowers so that ten split evenly into quintiles of two.
    for i, customer in enumerate(customers):
        facts(customer, max_loan=str(100_000 * (i + 1)), loans=i + 1, repayments=0,
              last_loan=date(2025, 1, 1 + i), interest=str(10_000 * (i + 1)))
    written = services.values_recompute(as_of=AS_OF)
    assert written == 8
    m = [CustomerValue.objects.get(customer=c).m_score for c in customers]
    assert m == sorted(m) and m[0] == 1 and m[-1] == 5
    r = [CustomerValue.objects.get(customer=c).r_score for c in customers]
    assert r == sorted(r)
    best = CustomerValue.objects.get(customer=customers[-1])
    assert best.rfm_score == best.r_score + best.f_score + best.m_score == 15
    expected = tiering.lifetime_value(interest_income=Decimal("80000"), tenure_years=2, max_days_past_due=0)
    assert abs(best.lifetime_value - expected) <= Decimal("0.05")
    assert best.high_value is (expected >= tiering.HIGH_VALUE_CLV)


# --- tags ------------------------------------------------------------------------------------------------

@pytest.fixture
def tagged(world):
    c = world.customers
    facts(c["am_wang_company"], max_loan="2000000", dpd=45)
    facts(c["am_zhao_company"], max_loan="300000")
    FeedRecord.objects.bulk_create([
        FeedRecord(customer=c["am_wang_company"], source="social_insurance", metric="si.headcount",
                   period=date(2025, 6, 1), value=120),
        FeedRecord(customer=c["am_zhao_company"], source="social_insurance", metric="si.headcount",
                   period=date(2025, 6, 1), value=12),
        FeedRecord(customer=c["am_sun_company"], source="tax", metric="tax.invoice", period=date(2025, 5, 1),
                   value=900_000),
        FeedRecord(customer=c["am_sun_company"], source="tax", metric="tax.invoice", period=date(2024, 10, 1),
                   value=300_000),
    ])
    services.signals_refresh(as_of=AS_OF)
    director = world.user("director")
    for code, zh, theme, rule in [
        ("industry_c", "制造业", "basic", 'industry == "C"'),
        ("region_east", "华东", "basic", 'region == "EAST"'),
        ("risk_overdue", "逾期", "risk", "max_days_past_due > 0"),
        ("biz_headcount_50", "参保50人以上", "business", "headcount >= 50"),
        ("biz_invoice_growth", "开票高增长", "business", "tax_invoice_growth >= 0.5"),
        ("needs_expansion", "扩产需求", "needs", 'need_purpose == "expansion" or tax_invoice_growth >= 0.5'),
    ]:
        services.tag_define(actor=director, code=code, name_zh=zh, name_en=code, theme=theme, rule=rule,
                            as_of=AS_OF)
    return world


def members(code):
    tag = TagDefinition.objects.get(code=code)
    return set(CustomerTag.objects.filter(tag=tag).values_list("customer_id", flat=True))


def test_tags_are_recomputed_set_based_from_facts_feeds_and_fields(tagged):
    c = tagged.customers
    assert members("industry_c") == {c[f"{k}_company"].pk for k in ("am_wang", "am_zhao", "am_sun", "am_chen")}
    assert members("region_east") == {c[k].pk for k in c if not k.startswith("am_chen")}
    assert members("risk_overdue") == {c["am_wang_company"].pk}
    assert members("biz_headcount_50") == {c["am_wang_company"].pk}
    assert members("biz_invoice_growth") == {c["am_sun_company"].pk}
    assert TagDefinition.objects.get(code="biz_headcount_50").source == "social_insurance"
    counts = services.tags_recompute(actor=tagged.user("director"), as_of=AS_OF)
    assert counts["industry_c"] == 4
    assert AuditEvent.objects.filter(event_code="customers.tags_recomputed").count() == 1


def test_changing_a_customer_refreshes_its_tags_at_once(tagged):
    person = tagged.customers["am_wang_person"]
    assert person.pk not in members("industry_c")
    services.customer_update(actor=tagged.user("am_wang"), customer=person, industry="C")
    assert person.pk in members("industry_c")
    assert person.pk in members("region_east")


def test_a_rule_that_does_not_parse_saves_nothing(tagged):
    before = TagDefinition.objects.count()
    with pytest.raises(ValidationError) as error:
        services.tag_define(actor=tagged.user("director"), code="bad_tag", name_zh="坏标签", name_en="bad",
                            theme="risk", rule="loans_count >>> 2")
    assert "rule" in error.value.message_dict
    assert TagDefinition.objects.count() == before


def test_changing_a_rule_bumps_the_version(tagged):
    tag = services.tag_define(actor=tagged.user("director"), code="biz_headcount_50", name_zh="参保50人以上",
                              name_en="x", theme="business", rule="headcount >= 10", as_of=AS_OF)
    assert tag.version == 2 and tag.member_count == 2


# --- segments --------------------------------------------------------------------------------------------

def test_segment_query_counts_the_issue_example(tagged):
    c = tagged.customers
    qs = services.segment_customers(tagged.user("director"), "制造业 AND 华东 AND NOT 逾期")
    assert set(qs.values_list("pk", flat=True)) == {c["am_zhao_company"].pk, c["am_sun_company"].pk}
    by_field = services.segment_customers(tagged.user("director"), "industry_c AND region = SOUTH")
    assert list(by_field.values_list("pk", flat=True)) == [c["am_chen_company"].pk]


def test_segment_with_unknown_tag_is_rejected_and_nothing_saved(tagged):
    with pytest.raises(ValidationError) as error:
        services.segment_save(actor=tagged.user("director"), name="目标", query="制造业 AND 不存在的标签")
    assert "query" in error.value.message_dict
    assert Segment.objects.count() == 0


def test_a_managers_segment_counts_only_own_customers(tagged):
    segment = services.segment_save(actor=tagged.user("am_wang"), name="我的制造业", query="制造业")
    assert segment.member_count == 1 and segment.scope == "own"
    director_view = services.segment_export_whitelist(actor=tagged.user("director"), segment=segment)
    assert director_view == [tagged.customers["am_wang_company"].pk]
    assert services.segment_customers(tagged.user("director"), "制造业").count() == 4


# --- needs questionnaire ---------------------------------------------------------------------------------

QUESTIONS = [
    {"code": "purpose", "label_zh": "用途", "kind": "choice", "choices": list(rules.PURPOSES)},
    {"code": "amount", "label_zh": "金额", "kind": "money", "min_value": 1000},
    {"code": "term_months", "label_zh": "期限", "kind": "number", "min_value": 1, "max_value": 360},
]


def test_questionnaire_versions_and_answer_validation(tagged):
    director, am = tagged.user("director"), tagged.user("am_wang")
    v1 = services.questionnaire_publish(actor=director, code="needs", title="需求问卷", questions=QUESTIONS)
    customer = tagged.customers["am_wang_person"]
    with pytest.raises(ValidationError) as error:
        services.questionnaire_answer(actor=am, customer=customer, questionnaire=v1,
                                      answers={"purpose": "yacht", "amount": "12", "term_months": "x"})
    assert set(error.value.message_dict) == {"answers.purpose", "answers.amount", "answers.term_months"}
    first = services.questionnaire_answer(actor=am, customer=customer, questionnaire=v1,
                                          answers={"purpose": "expansion", "amount": "800000", "term_months": 24})
    assert customer.pk in members("needs_expansion")
    v2 = services.questionnaire_publish(actor=director, code="needs", title="需求问卷",
                                        questions=[*QUESTIONS, {"code": "risk_appetite", "label_zh": "风险偏好",
                                                                "kind": "choice", "choices": ["balanced"]}])
    assert v2.version == 2
    v1.refresh_from_db()
    assert not v1.active and first.questionnaire_id == v1.pk
    with pytest.raises(ValidationError) as error:
        services.questionnaire_answer(actor=am, customer=customer, questionnaire=v1, answers={})
    assert "questionnaire" in error.value.message_dict
    assert Questionnaire.objects.filter(code="needs").count() == 2
    portrait = customer_portrait(actor=am, customer=customer)
    assert portrait["needs"]["purpose"] == "expansion" and portrait["needs"]["version"] == 1


# --- the portrait ------------------------------------------------------------------------------------------

def test_portrait_shape_and_scope(tagged):
    c = tagged.customers["am_wang_company"]
    services.portrait_recompute(actor=tagged.user("director"), as_of=AS_OF)
    portrait = customer_portrait(actor=tagged.user("am_wang"), customer=c)
    assert portrait["tier"] == "growth"
    assert portrait["service_package"]["response_sla_hours"] == 24
    assert {t["code"] for t in portrait["tags"]["risk"]} == {"risk_overdue"}
    assert set(portrait["rfm"]) >= {"recency_days", "frequency", "monetary", "r", "f", "m", "score"}
    assert portrait["facts"]["max_single_loan"] == "2000000.00"
    from django.http import Http404
    with pytest.raises(Http404):
        customer_portrait(actor=tagged.user("am_chen"), customer=c)


def test_set_based_recompute_matches_rule_by_rule_python_evaluation_for_the_whole_catalogue(tagged):
    from lendpilot.customers.portrait.demo import seed_reference

    c = tagged.customers
    facts(c["am_sun_company"], max_loan="6000000", loans=3, repayments=30, interest="900000",
          last_repaid=date(2025, 6, 1), band="A")
    facts(c["am_chen_person"], max_loan="80000", loans=1, repayments=2, last_loan=date(2023, 1, 1),
          last_repaid=date(2023, 3, 1), first=date(2023, 1, 1), band="E", dpd=120)
    seed_reference()
    services.portrait_recompute(actor=tagged.user("director"), as_of=AS_OF)
    paths = rules.record_paths()
    records = {row["pk"]: {name: row[path] for name, path in paths.items()}
               for row in Customer.objects.values("pk", *paths.values())}
    checked = 0
    for tag in TagDefinition.objects.filter(active=True):
        expected = {pk for pk, record in records.items() if rules.evaluate(tag.rule, record, as_of=AS_OF)}
        assert members(tag.code) == expected, tag.code
        checked += 1
    assert checked >= 200
    assert TagDefinition.objects.filter(member_count__gt=0).count() >= 40
