"""The portrait pages speak the reader's language: a tag by its name in that language, the needs answers and
the service packages by their labels, the query language's words shown as code (B2, B4, D1, D7)."""

import pytest
from django.test import Client
from django.utils import translation

from lendpilot.customers.needs_labels import answer_label, choice_label, needs_shown
from lendpilot.customers.tiering import BAND_PRICING, DEFAULT_PACKAGES, package_text
from lendpilot.testing import portrait_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def portrait_world(world):
    return portrait_ready(world)


def page(world, key, url, language):
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(world.user(key))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_needs_answers_read_as_labels_in_each_language():
    with translation.override("zh-hans"):
        assert answer_label("purpose", "working_capital") == "流动资金周转"
        assert answer_label("collateral", "equipment") != answer_label("purpose", "equipment")
        assert needs_shown({"purpose": "expansion", "cashflow_cycle": "monthly", "collateral": "",
                            "risk_appetite": "balanced", "amount": "10.00"})["cashflow_cycle"] == "按月回款"
    with translation.override("en"):
        assert answer_label("purpose", "working_capital") == "Working capital"
        assert answer_label("purpose", "a_code_nobody_labelled") == "a_code_nobody_labelled"
        assert choice_label("purpose", {"value": "x", "label_zh": "自定义", "label_en": "Own"}) == "Own"


def test_service_package_texts_are_translated_and_a_banks_own_wording_is_kept():
    with translation.override("zh-hans"):
        assert package_text(DEFAULT_PACKAGES["micro"].pricing_band) == "风险定价（LPR + 150-400bp）"
        assert package_text(BAND_PRICING["E"]) == "未经风险审批不得新增授信"
        assert package_text("按行内规定") == "按行内规定"
    with translation.override("en"):
        assert package_text(DEFAULT_PACKAGES["micro"].pricing_band) == "risk-based (LPR + 150-400bp)"


def test_tag_catalogue_shows_the_name_in_the_pages_language(portrait_world):
    zh = page(portrait_world, "am_wang", "/customers/tags/?q=industry_c", "zh-hans")
    en = page(portrait_world, "am_wang", "/customers/tags/?q=industry_c", "en")
    assert "制造业" in zh and "Manufacturing" not in zh
    assert "Manufacturing" in en


def test_segment_builder_writes_query_words_as_code(portrait_world):
    zh = page(portrait_world, "am_wang", "/customers/segments/", "zh-hans")
    assert "<code>且</code>" in zh and 'value="且"' in zh and "<code>max_single_loan &gt;= 1000000</code>" in zh
    en = page(portrait_world, "am_wang", "/customers/segments/", "en")
    assert 'value="AND"' in en and 'data-term="region_east"' in en


def test_needs_page_labels_choices_and_latest_answers(portrait_world):
    customer = portrait_world.customers["am_wang_company"]
    client = Client()
    client.force_login(portrait_world.user("am_wang"))
    answers = {"purpose": "working_capital", "amount": "500000", "term_months": "12", "cashflow_cycle": "seasonal",
               "collateral": "property", "risk_appetite": "balanced"}
    assert client.post(f"/customers/{customer.pk}/needs/", answers).status_code == 302
    body = page(portrait_world, "am_wang", f"/customers/{customer.pk}/needs/", "zh-hans")
    assert '<option value="working_capital">流动资金周转</option>' in body
    assert "季节性回款" in body and "500,000.00" in body and "<code>purpose</code>" not in body
