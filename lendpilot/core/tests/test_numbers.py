"""Numbers as people read them: fen-exact amounts with separators, 万/亿 on tiles with the exact amount as a
tooltip, percentages with stated precision, and a ratio above 100 % that says why."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from lendpilot.core.numbers import amount_text, compact_amount_text, percent_text


def test_amounts_keep_every_fen_and_group_thousands():
    assert amount_text(Decimal("122596.005")) == "122,596.01"
    assert amount_text(4000000) == "4,000,000.00"
    assert amount_text("-1234.5") == "-1,234.50"


def test_large_amounts_count_in_wan_and_yi_in_chinese_and_in_thousands_in_english():
    assert compact_amount_text(Decimal("5320000"), language="zh-hans") == "532.00万"
    assert compact_amount_text(Decimal("2255600000"), language="zh-hans") == "22.56亿"
    assert compact_amount_text(Decimal("9999.99"), language="zh-hans") == "9,999.99"
    assert compact_amount_text(Decimal("5320000"), language="en") == "5.32M"
    assert compact_amount_text(Decimal("2255600000"), language="en") == "2.26B"
    assert compact_amount_text(Decimal("-15000"), language="en") == "-15.00K"


def test_ratios_are_percentages_with_stated_precision():
    assert percent_text(Decimal("0.868649")) == "86.86%"
    assert percent_text(Decimal("0.868651"), places=1) == "86.9%"
    assert percent_text(Decimal("12.5")) == "1,250.00%"


def render(source: str, **context) -> str:
    return Template("{% load lendpilot_ui %}" + source).render(Context(context))


def test_a_tile_shows_wan_with_the_exact_amount_as_its_tooltip():
    with translation.override("zh-hans"):
        html = render("{{ amount|money_compact }}", amount=Decimal("5320000.00"))
    assert 'title="5,320,000.00"' in html and ">532.00万<" in html
    with translation.override("en"):
        assert ">5.32M<" in render("{{ amount|money_compact }}", amount=Decimal("5320000.00"))


def test_a_ratio_above_one_hundred_percent_explains_itself():
    assert render("{% ratio value %}", value=Decimal("0.95")) == "95.00%"
    with translation.override("en"):
        html = render("{% ratio value 'More repaid than fell due: arrears were caught up.' %}", value=Decimal("1.2"))
    assert "120.00%" in html and 'title="More repaid than fell due: arrears were caught up."' in html
    with translation.override("en"):
        assert "More than the base" in render("{% ratio value %}", value=Decimal("1.2"))
